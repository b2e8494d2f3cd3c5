/**
 * A playground node and a real BEAM node (Elixir 1.14 on Erlang/OTP 25, started by the
 * tests on loopback with the cluster's own port mapper) talk Erlang's distribution:
 * handshake both ways, a visible node, terms that come back `==`, sends to pids and
 * names, GenServer calls both ways (OTP 25's alias calls included), links, monitors, pg.
 * Failures, ticks and the three-node PubSub demo are in interop-failures.test.ts.
 *
 * The playground node `bob` runs in this process (so the tests can look at its values);
 * `alice` is an Elixir node driven line by line. Both are stopped by PID at the end.
 */
import { test } from 'uvu';
import { testOrSkip } from './support/skip.ts';
import * as assert from 'uvu/assert';
import * as GenServer from '../src/genserver.ts';
import * as pg from '../src/pg.ts';
import { Binary, List, Opaque, Pid, format } from '../src/term.ts';
import { link, monitor, receive, register, self, send, spawn, trapExit, whereis } from '../src/process/index.ts';
import type { Node } from '../src/node/index.ts';
import { startCluster, inProcess, HOST, type Cluster } from './support/cluster.ts';
import { BEAM_MISSING, BeamNode } from './support/beam.ts';
import { eventually } from './support/eventually.ts';

let c: Cluster;
let bob: Node;
let alice: BeamNode;
const BOB = `bob@${HOST}`;
/** What bob logged (crash reports of the processes the tests crash on purpose, warnings). */
const logs: string[] = [];
const ALICE = `alice@${HOST}`;

test.before(async () => {
  if (BEAM_MISSING) return;
  c = await startCluster();
  bob = await c.local('bob');
  bob.runtime.setLogger((level, text) => logs.push(`[${level}] ${text}`));
  alice = await BeamNode.start(c, 'alice');
});
test.after(async () => {
  await alice?.kill();
  await c?.stop();
});

const onBob = <T>(fn: () => Promise<T> | T, timeout = 15_000) => inProcess(bob.runtime, fn, timeout);

/** A process on bob that sends back whatever `[from, x]` it gets, as `['echo', x]`. */
function startEcho(): Promise<Pid> {
  return onBob(() => {
    const pid = bob.runtime.spawn(async () => {
      for (;;) {
        const [from, x] = (await receive()) as [Pid, unknown];
        send(from, ['echo', x]);
      }
    }, [], null)[0];
    bob.runtime.register('echo', pid);
    return pid;
  });
}

testOrSkip(BEAM_MISSING, 'iex reaches the playground node (ping gives pong) and sees it as a visible node; global syncs with it', async () => {
  assert.is(await alice.eval(`:net_adm.ping(:"${BOB}")`), ':pong');
  assert.is(await alice.eval('Node.list()'), `[:${BOB}]`);
  assert.equal(bob.list(), [ALICE]);
  assert.is(await alice.eval(':global.sync()'), ':ok');
  assert.is(await alice.eval(':global.trans({:lock, self()}, fn -> :done end)'), ':done');
  assert.is(await alice.eval('Process.info(self(), :messages)'), '{:messages, []}', "the lock calls waited for bob's answers: none came late");
  assert.is(await alice.eval(`:global.register_name(:alice_shell, self())`), ':yes');
  assert.match(await alice.eval(`:rpc.call(:"${BOB}", :erlang, :node, [])`), /\{:badrpc, :notsup\}/);
  assert.equal(await onBob(() => whereis('net_kernel') instanceof Pid && whereis('erlang_global') instanceof Pid), true);
});

testOrSkip(BEAM_MISSING, 'the playground dials a BEAM node: connect gives true and both list each other', async () => {
  const carol = await c.local('carol');
  try {
    assert.is(await carol.connect(ALICE), true);
    assert.equal(carol.list(), [ALICE]);
    assert.match(await alice.eval('Node.list() |> Enum.sort() |> inspect()'), new RegExp(`carol@${HOST}`));
  } finally {
    carol.disconnect(ALICE);
    await eventually(async () => assert.not.match(await alice.eval('inspect(Node.list())'), /carol/));
  }
});

/** Terms an Elixir user sends, from simple to nested; each goes to bob's echo and back. */
const TERMS = `[
  :ok, :"héllo wörld", String.to_atom(String.duplicate("é", 200)), true, false, nil, :undefined,
  "héllo", "", <<0, 255, 1>>, <<1::3>>, <<255, 7::5>>,
  'abc', [], [1000, 2000], [1 | 2], [1, 2 | :tail], ~c"é", [a: 1, b: "two"],
  {}, {:a, 1}, List.to_tuple(Enum.to_list(1..300)), Enum.to_list(1..300),
  %{}, %{a: 1, b: [2]}, %{1 => :a, "b" => 2, {:t} => [], 1.5 => nil}, %{nil: 1, true: 2},
  0, 255, 256, -1, 2147483647, 2147483648, -2147483649, 9007199254740993, Integer.pow(2, 64), -Integer.pow(2, 2100),
  1.5, -0.25, 1.0e300, 3.0,
  self(), make_ref(), :erlang.alias(), Date.new!(2024, 2, 29), MapSet.new([1, 2]), 1..3,
  %{nested: [%{deep: {1, [2, "three", {:four, %{five: 5}}]}}]}
]`;

testOrSkip(BEAM_MISSING, 'terms an Elixir node sends come back == (and === but for whole floats, which come back as integers)', async () => {
  await startEcho();
  await alice.eval(`terms = ${TERMS}`);
  const results = await alice.eval(
    `Enum.map(terms, fn t -> send({:echo, :"${BOB}"}, {self(), t}); receive do {:echo, back} -> [back == t, back === t] after 5000 -> :lost end end)`,
  );
  const pairs = [...results.matchAll(/\[(true|false), (true|false)\]|:lost/g)].map((m) => m[0]);
  assert.is(pairs.length, Number(await alice.eval('length(terms)')));
  const notEqual = pairs.map((p, i) => [p, i]).filter(([p]) => p !== '[true, true]');
  // 1.0e300 and 3.0 are whole numbers: they come back as integers, == but not ===.
  const floats = [await alice.eval('Enum.find_index(terms, &(&1 == 1.0e300))'), await alice.eval('Enum.find_index(terms, &(&1 === 3.0))')];
  assert.equal(notEqual, floats.map((i) => ['[true, false]', Number(i)]));
});

testOrSkip(BEAM_MISSING, 'what needs a type of its own prints the way iex prints it', async () => {
  const got = await onBob(async () => {
    register('printer', self());
    await alice.eval(`send({:printer, :"${BOB}"}, ["héllo", <<0, 255>>, <<1::3>>, 'abc', [1 | 2], [1, [2]], %{1 => :a}, fn -> 42 end, &Enum.map/2, hd(Port.list()), Integer.pow(2, 64)])`);
    return receive(undefined, { after: 5000 });
  });
  const printed = (got as unknown[]).map((x) => format(x));
  assert.equal(printed.slice(0, 7), ['"héllo"', '<<0, 255>>', '<<1::size(3)>>', '~c"abc"', '[1 | 2]', '[1, [2]]', "Map(1) { 1 => 'a' }"]);
  assert.match(printed[7]!, /^#Function<\d+\.\d+\/0 in :erl_eval>$/);
  assert.is(printed[8], '&Enum.map/2');
  assert.match(printed[9]!, /^#Port<\d+\.\d+>$/);
  assert.is(printed[10], '18446744073709551616n');
  assert.instance((got as unknown[])[0], Binary);
  assert.instance((got as unknown[])[3], List);
  assert.instance((got as unknown[])[7], Opaque);
});

testOrSkip(BEAM_MISSING, 'a fun and a port sent from the BEAM come back as themselves: the fun still runs there', async () => {
  assert.is(await alice.eval(`f = fn x -> x * 6 end; send({:echo, :"${BOB}"}, {self(), f}); receive do {:echo, g} -> g.(7) end`), '42');
  assert.is(await alice.eval(`p = hd(Port.list()); send({:echo, :"${BOB}"}, {self(), p}); receive do {:echo, q} -> q === p end`), 'true');
});

testOrSkip(BEAM_MISSING, 'what has no Erlang form fails in the sender with a clear error, and the connection stays', async () => {
  const errors = await onBob(() => {
    const tryIt = (msg: unknown) => {
      try {
        send(['nobody', ALICE], msg);
        return 'sent';
      } catch (err) {
        return `${(err as Error & { code?: string }).code}: ${(err as Error).message}`;
      }
    };
    return [tryIt(() => 1), tryIt(Symbol('s')), tryIt(Number.NaN), tryIt('x'.repeat(256)), tryIt(List.of(1))];
  });
  assert.match(errors[0]!, /^ERR_NOT_A_TERM: a function cannot be sent to an Erlang node/);
  assert.match(errors[1]!, /^ERR_NOT_A_TERM: a symbol cannot be sent/);
  assert.match(errors[2]!, /^ERR_NOT_A_TERM: NaN is not a number an Erlang node can hold/);
  assert.match(errors[3]!, /^ERR_NOT_A_TERM: an atom has at most 255 characters, this one 256: send long text as a Binary/);
  assert.is(errors[4], 'sent');
  assert.equal(bob.list(), [ALICE]);
});

const isPid = (p: unknown) => p instanceof Pid;

testOrSkip(BEAM_MISSING, 'sends reach pids and registered names both ways', async () => {
  await alice.eval('Process.register(self(), :shell)');
  const got = await onBob(async () => {
    register('inbox', self());
    send(['shell', ALICE], ['hello', Binary.from('by name'), self()]);
    const byName = await alice.eval('{text, bobp} = receive do {:hello, t, p} -> {t, p} after 5000 -> :none end; {text, node(bobp)}');
    await alice.eval(`send({:inbox, :"${BOB}"}, {:by_name, self()}); send(bobp, :by_pid)`);
    const [, shell] = (await receive(['by_name', isPid], { after: 5000 })) as [string, Pid];
    const byPid = await receive('by_pid', { after: 5000 });
    send(shell, ['to_pid', 42]);
    return [byName, shell.node, byPid, await alice.eval('receive do {:to_pid, _} = m -> m after 5000 -> :none end'), await alice.eval('Process.info(self(), :messages)')];
  });
  assert.equal(got, [`{"by name", :${BOB}}`, ALICE, 'by_pid', '{:to_pid, 42}', '{:messages, []}']);
});

const STACK = `defmodule Stack do
  use GenServer
  def init(items), do: {:ok, items}
  def handle_call(:pop, _from, [top | rest]), do: {:reply, top, rest}
  def handle_call(:crash, _from, _items), do: raise("stack exploded")
  def handle_cast({:push, x}, items), do: {:noreply, [x | items]}
end`;

testOrSkip(BEAM_MISSING, 'an Elixir GenServer answers calls and casts from the playground; noproc and a crash end the call at once', async () => {
  await alice.eval(STACK);
  await alice.eval('{:ok, _} = GenServer.start(Stack, [:hello], name: Stack)');
  const got = await onBob(async () => {
    const first = await GenServer.call(['Elixir.Stack', ALICE], 'pop');
    GenServer.cast(['Elixir.Stack', ALICE], ['push', Binary.from('world')]);
    const second = await GenServer.call(['Elixir.Stack', ALICE], 'pop');
    const noproc = await GenServer.call(['Elixir.Nobody', ALICE], 'pop').catch((e) => e.code);
    const crash = await GenServer.call(['Elixir.Stack', ALICE], 'crash').catch((e) => [e.code, format(e.reason)]);
    return [first, format(second), noproc, crash];
  });
  assert.equal(got.slice(0, 3), ['hello', '"world"', 'ERR_NOPROC']);
  const [code, reason] = got[3] as [string, string];
  assert.is(code, 'ERR_EXIT');
  assert.match(reason, /RuntimeError/);
  assert.match(reason, /stack exploded/);
});

testOrSkip(BEAM_MISSING, "a playground GenServer answers iex's calls (OTP 25's alias-tagged ones) and casts; noproc for a name nobody has", async () => {
  await onBob(() =>
    GenServer.start(
      {
        init: (items: unknown[]) => ['ok', items],
        handleCall: (req: unknown, _from: unknown, items: unknown[]) => (req === 'pop' ? ['reply', items[0], items.slice(1)] : ['reply', List.from(items), items]),
        handleCast: (req: [string, unknown], items: unknown[]) => ['noreply', [req[1], ...items]],
      },
      ['hello'],
      { name: 'stack' },
    ),
  );
  assert.is(await alice.eval(`GenServer.call({:stack, :"${BOB}"}, :pop)`), ':hello');
  assert.is(await alice.eval(`GenServer.cast({:stack, :"${BOB}"}, {:push, "world"})`), ':ok');
  assert.is(await alice.eval(`GenServer.call({:stack, :"${BOB}"}, :peek)`), '["world"]');
  assert.is(await alice.eval(`GenServer.call({:stack, :"${BOB}"}, :pop)`), '"world"');
  assert.match(await alice.eval(`try do GenServer.call({:nobody, :"${BOB}"}, :pop, 2000) catch :exit, r -> r end`), /^\{:noproc, \{GenServer, :call,/);
  assert.is(await alice.eval('Process.info(self(), :messages)'), '{:messages, []}', 'no stray reply or DOWN left behind');
});

testOrSkip(BEAM_MISSING, 'links both ways: an exit on one side reaches a trapping process on the other, and unlink holds', async () => {
  // A playground process links to an Elixir one, which is then killed.
  const exit = await onBob(async () => {
    trapExit(true);
    send(['shell', ALICE], ['bob', self()]);
    await alice.eval('bobp = receive do {:bob, p} -> p end; victim = spawn(fn -> receive do :never -> :ok end end); send(bobp, {:victim, victim})');
    const [, victim] = (await receive(['victim', isPid], { after: 5000 })) as [string, Pid];
    link(victim);
    await eventually(async () => assert.match(await alice.eval('Process.info(victim, :links)'), new RegExp(`#PID<\\d+\\.${self().id}\\.0>`)));
    await alice.eval('Process.exit(victim, :boom)');
    return receive(['EXIT', victim, (r: unknown) => true], { after: 5000 });
  });
  assert.equal((exit as unknown[])[2], 'boom');
  // A trapping Elixir process links to a playground process that then crashes, and to one it unlinks again.
  const [crasher, quitter] = await onBob(() => [
    spawn(async () => {
      await receive('go');
      throw new Error('bob says no');
    }),
    spawn(async () => {
      await receive('go');
      throw new Error('unlinked, so unheard');
    }),
  ]);
  await onBob(() => send(['shell', ALICE], ['two', crasher, quitter]));
  await alice.eval('Process.flag(:trap_exit, true); {crasher, quitter} = receive do {:two, c, q} -> {c, q} end; Process.link(crasher); Process.link(quitter); Process.unlink(quitter)');
  await eventually(() => assert.is(bob.runtime.local(crasher)?.links?.size, 1));
  await eventually(() => assert.is(bob.runtime.local(quitter)?.links?.size ?? 0, 0));
  await onBob(() => (send(quitter, 'go'), send(crasher, 'go')));
  const reason = await alice.eval('receive do {:EXIT, ^crasher, r} -> r after 5000 -> :none end');
  assert.is(reason, '%RuntimeError{message: "bob says no"}');
  assert.ok(logs.some((l) => l.includes('bob says no')), 'the crash was reported on its own node');
  assert.is(await alice.eval('receive do {:EXIT, ^quitter, r} -> r after 300 -> :none end'), ':none');
});

testOrSkip(BEAM_MISSING, 'monitors both ways, by pid and by name: DOWN with the reason, noproc for a name nobody has', async () => {
  const downs = await onBob(async () => {
    await alice.eval('Process.register(spawn(fn -> receive do :stop -> exit(:bye) end end), :worker)');
    const named = monitor(['worker', ALICE]);
    const missing = monitor(['nobody', ALICE]);
    const gone = await receive(['DOWN', missing, 'process', (t: unknown) => true, (r: unknown) => true], { after: 5000 });
    await eventually(async () => assert.match(await alice.eval('Process.info(Process.whereis(:worker), :monitored_by)'), /#PID/));
    await alice.eval('send(:worker, :stop)');
    return [await receive(['DOWN', named, 'process', (t: unknown) => true, (r: unknown) => true], { after: 5000 }), gone];
  });
  assert.equal((downs[0] as unknown[]).slice(2), ['process', ['worker', ALICE], 'bye']);
  assert.equal((downs[1] as unknown[]).slice(2), ['process', ['nobody', ALICE], 'noproc']);
  const target = await onBob(() => spawn(async () => {
    register('watched', self());
    await receive('stop');
    return 'done';
  }));
  await alice.eval(`byname = Process.monitor({:watched, :"${BOB}"}); missing = Process.monitor({:nobody, :"${BOB}"})`);
  await onBob(() => send(['shell', ALICE], ['watched', target]));
  await alice.eval('w = receive do {:watched, w} -> w end; bypid = Process.monitor(w)');
  await eventually(() => assert.is(bob.runtime.local(target)?.watchers?.size, 2));
  await onBob(() => send(target, 'stop'));
  assert.is(await alice.eval('receive do {:DOWN, ^byname, :process, who, r} -> {who, r} after 5000 -> :none end'), `{{:watched, :${BOB}}, :normal}`);
  assert.match(await alice.eval('receive do {:DOWN, ^bypid, :process, who, r} -> {who, r} after 5000 -> :none end'), /^\{#PID<\d+\.\d+\.0>, :normal\}$/);
  assert.is(await alice.eval('receive do {:DOWN, ^missing, :process, who, r} -> {who, r} after 5000 -> :none end'), `{{:nobody, :${BOB}}, :noproc}`);
});

testOrSkip(BEAM_MISSING, 'pg: a playground member shows in :pg.get_members on iex, and an iex member in getMembers here', async () => {
  assert.ok(await bob.connect(ALICE));
  await onBob(() => pg.startScope());
  await alice.eval('{:ok, _} = :pg.start_link()');

  const member = await onBob(() => spawn(async () => void (await receive('stop'))));
  await onBob(() => pg.join(['chat', 'room'], member));
  await eventually(async () => assert.match(await alice.eval(':pg.get_members({:chat, :room})'), /^\[#PID<\d+\.\d+\.0>\]$/));
  await alice.eval(`:pg.join(:from_iex, self()); :pg.join(:from_iex, self()); member = hd(:pg.get_members({:chat, :room})); node(member)`);
  await eventually(async () => assert.is(await onBob(() => pg.getMembers('from_iex').length), 2));
  assert.ok(await onBob(() => pg.getMembers('from_iex').every((p) => p.node === ALICE)));
  await alice.eval(':pg.leave(:from_iex, self())');
  await eventually(async () => assert.is(await onBob(() => pg.getMembers('from_iex').length), 1));
  await onBob(() => send(member, 'stop'));
  await eventually(async () => assert.is(await alice.eval(':pg.get_members({:chat, :room})'), '[]'));
  assert.ok(bob.list().includes(ALICE), 'the BEAM scope took every message');
});

test.run();
