/**
 * The Node API and remote processes. Most tests run several nodes inside this process
 * (each its own runtime, talking over real loopback TCP through a port mapper of their
 * own); the ones about OS-level failure use real node processes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPortMapper, type PortMapper } from '../src/erlang/epmd/index.ts';
import { startNode, stopNode, connect, list, isAlive, node, fullName, NodeError, monitorNodes, type Node } from '../src/node/index.ts';
import { Runtime, setDefaultRuntime, receive, send, self, spawn, monitor, link, trapExit, exit, processInfo, TIMEOUT } from '../src/process/index.ts';
import { Pid, Ref, equal, _ } from '../src/term.ts';
import * as GenServer from '../src/genserver.ts';
import { GenServerError } from '../src/genserver.ts';
import { inProcess, startCluster, PEER, HOST } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';

let mapper: PortMapper;
const started: Node[] = [];
/** What each node logged, by node name. */
const logs = new Map<string, string[]>();

async function start(name: string, opts: { cookie?: string; tickTime?: number } = {}): Promise<Node> {
  const full = `${name}@127.0.0.1`;
  const lines: string[] = [];
  logs.set(full, lines);
  const log = (level: string, text: string) => void lines.push(`[${level}] ${text}`);
  const n = await startNode({ name: full, cookie: opts.cookie ?? 'c', epmdPort: mapper.port, tickTime: opts.tickTime, log });
  started.push(n);
  return n;
}

/** A registered process on `n` that answers `[from, x]` with `['echo', self(), x]`. */
function echo(n: Node, name = 'echo'): Pid {
  return n.runtime.spawn(
    async () => {
      for (;;) {
        const [from, x] = (await receive()) as [Pid, unknown];
        send(from, ['echo', self(), x]);
      }
    },
    [],
    null,
    { name },
  )[0];
}

test.before(async () => {
  mapper = await startPortMapper(0);
});
test.after.each(async () => {
  await Promise.all(started.splice(0).map(stopNode));
  setDefaultRuntime(null);
});
test.after(async () => {
  await mapper.close();
});

test('names: --sname gives name@short-host, --name a long name; bad ones are refused', () => {
  assert.is(fullName({ sname: 'bob' }), `bob@${HOST}`);
  assert.is(fullName({ name: 'bob@127.0.0.1' }), 'bob@127.0.0.1');
  assert.throws(() => fullName({ sname: 'bob@a.b.c' }), /short name's host has no dots/);
  assert.throws(() => fullName({ sname: 'b o b' }), (e: unknown) => e instanceof NodeError && e.code === 'ERR_BAD_NAME');
  assert.throws(() => fullName({ sname: 'a', name: 'b@h' }), /either --sname or --name/);
});

test('a node without a name is not distributed and says so when asked to connect', () => {
  setDefaultRuntime(new Runtime());
  assert.is(node(), 'nonode@nohost');
  assert.is(isAlive(), false);
  assert.equal(list(), []);
  assert.throws(() => connect('bob@vm'), /not distributed \(start it with --sname/);
});

test('connect resolves true, then both sides list each other; unknown nodes give false', async () => {
  const a = await start('a');
  const b = await start('b');
  assert.is(await a.connect('b@127.0.0.1'), true);
  assert.equal(a.list(), ['b@127.0.0.1']);
  await eventually(() => assert.equal(b.list(), ['a@127.0.0.1']));
  assert.is(await a.connect('nobody@127.0.0.1'), false);
  assert.is(await a.connect('not a node name'), false);
  assert.is(await a.connect('b@127.0.0.1'), true);
});

test('a node that restarts under the same name (on another port) can be reached again', async () => {
  const a = await start('a');
  const b = await start('b');
  assert.is(await a.connect('b@127.0.0.1'), true);
  await stopNode(b);
  await eventually(() => assert.equal(a.list(), []));
  assert.is(await a.connect('b@127.0.0.1'), false);
  const again = await start('b');
  assert.is(await a.connect('b@127.0.0.1'), true);
});

test('a wrong cookie makes connect resolve false, not throw, and is logged once on each side', async () => {
  const a = await start('a');
  const b = await start('b', { cookie: 'other' });
  assert.is(await a.connect('b@127.0.0.1'), false);
  assert.is(await a.connect('b@127.0.0.1'), false);
  assert.equal(a.list(), []);
  assert.equal(b.list(), []);
  assert.equal(logs.get('b@127.0.0.1'), ['[warning] connection attempt from a@127.0.0.1 rejected: wrong cookie']);
  const refused = "b@127.0.0.1 refused this node: its cookie is not this node's (every node of a cluster starts with the same --cookie)";
  assert.equal(logs.get('a@127.0.0.1'), [`[warning] ${refused}`]);
  assert.equal(a.lastFailure('b@127.0.0.1'), { reason: refused, mistake: true });
});

test('long and short names never mix: both sides say why, and how to start the node instead', async () => {
  const a = await start('a');
  const short = await startNode({ sname: 's', cookie: 'c', epmdPort: mapper.port, log: (level, text) => logs.set('s', [`[${level}] ${text}`]) });
  started.push(short);
  assert.is(await short.connect('a@127.0.0.1'), false);
  assert.equal(logs.get('a@127.0.0.1'), [
    `[warning] refused ${short.name}: ${short.name} has a short name and this node a long one; long and short names never mix in a cluster (start it with --name s@<its address>)`,
  ]);
  assert.equal(logs.get('s'), [
    '[warning] a@127.0.0.1 refused this node: this node has a short name and it a long one; long and short names never mix in a cluster (start this node with --name s@<its address>)',
  ]);
  assert.is(await a.connect(short.name), false);
  assert.match(a.lastFailure(short.name)!.reason, /refused this node: this node has a long name and it a short one;.*--sname a\)$/);
});

test('monitorNodes delivers nodeup and nodedown; disconnect brings nodedown at once', async () => {
  const a = await start('a');
  const b = await start('b');
  const events = await inProcess(a.runtime, async () => {
    monitorNodes(true);
    await a.connect('b@127.0.0.1');
    const up = await receive(['nodeup', _], { after: 2000 });
    b.disconnect('a@127.0.0.1');
    const down = await receive(['nodedown', _], { after: 2000 });
    return [up, down];
  });
  assert.equal(events, [['nodeup', 'b@127.0.0.1'], ['nodedown', 'b@127.0.0.1']]);
});

test('two nodes dialling each other at once end with one connection', async () => {
  const a = await start('a');
  const b = await start('b');
  const [x, y] = await Promise.all([a.connect('b@127.0.0.1'), b.connect('a@127.0.0.1')]);
  assert.ok(x && y);
  assert.equal(a.list(), ['b@127.0.0.1']);
  assert.equal(b.list(), ['a@127.0.0.1']);
  // The survivor carries traffic both ways.
  echo(b);
  const reply = await inProcess(a.runtime, async () => {
    send(['echo', 'b@127.0.0.1'], [self(), 1]);
    return receive(['echo', _, 1], { after: 2000 });
  });
  assert.is.not(reply, TIMEOUT);
});

test('a full mesh: connecting to one node connects to the nodes it knows', async () => {
  const a = await start('a');
  const b = await start('b');
  const c = await start('c');
  await a.connect('b@127.0.0.1');
  await c.connect('b@127.0.0.1');
  await eventually(() => {
    assert.equal(a.list().sort(), ['b@127.0.0.1', 'c@127.0.0.1']);
    assert.equal(c.list().sort(), ['a@127.0.0.1', 'b@127.0.0.1']);
  });
});

test('sends to [name, node] connect first; pids, refs and nested data survive the trip', async () => {
  const a = await start('a');
  const b = await start('b');
  echo(b);
  const payload = { ref: new Ref('x@h', 5, 1), list: [1, 'two', { three: [null, true] }], pid: new Pid('y@h', 9, 2) };
  const reply = (await inProcess(a.runtime, async () => {
    send(['echo', 'b@127.0.0.1'], [self(), payload]);
    return receive(['echo', _, _], { after: 2000 });
  })) as [string, Pid, unknown];
  assert.ok(reply[1] instanceof Pid && reply[1].node === 'b@127.0.0.1');
  assert.ok(equal(reply[2], payload));
});

test('a send to a dead remote pid is dropped silently', async () => {
  const a = await start('a');
  const b = await start('b');
  const [dead] = b.runtime.spawn(() => {}, [], null);
  const pid = echo(b);
  const reply = await inProcess(a.runtime, async () => {
    send(dead, 'lost');
    send(pid, [self(), 'after']);
    return receive(['echo', _, 'after'], { after: 2000 });
  });
  assert.is.not(reply, TIMEOUT);
  assert.equal(a.list(), ['b@127.0.0.1']);
});

test('remote monitors: DOWN with the real reason, noproc for a dead pid or unknown name', async () => {
  const a = await start('a');
  const b = await start('b');
  const [victim] = b.runtime.spawn(() => receive(), [], null);
  const got = await inProcess(a.runtime, async () => {
    const none = await receive(['DOWN', monitor(['nobody', 'b@127.0.0.1']), 'process', _, _], { after: 2000 });
    const ref = monitor(victim);
    // The monitor and the exit signal travel the same connection, in this order.
    exit(victim, 'boom');
    const down = await receive(['DOWN', ref, 'process', victim, _], { after: 2000 });
    const late = await receive(['DOWN', monitor(victim), 'process', victim, _], { after: 2000 });
    return [none, down, late];
  });
  assert.is((got[0] as unknown[])[4], 'noproc');
  assert.is((got[1] as unknown[])[4], 'boom');
  assert.is((got[2] as unknown[])[4], 'noproc');
});

test('remote links carry exit signals both ways; linking to a dead pid gives noproc', async () => {
  const a = await start('a');
  const b = await start('b');
  const [dead] = b.runtime.spawn(() => {}, [], null);
  const [crasher] = b.runtime.spawn(async () => {
    await receive('go');
    throw new Error('crashed on b');
  }, [], null);
  // A trapping process on b that reports the exit signal it gets to whoever asks.
  const [partner] = b.runtime.spawn(async () => {
    trapExit(true);
    const [, to] = (await receive(['report to', _])) as [string, Pid];
    send(to, ['partner saw', await receive(['EXIT', _, _])]);
  }, [], null);
  const got = await inProcess(a.runtime, async () => {
    trapExit(true);
    link(dead);
    const noproc = await receive(['EXIT', dead, _], { after: 2000 });
    // b to a: a linked process on b crashes.
    link(crasher);
    send(crasher, 'go');
    const fromB = await receive(['EXIT', crasher, _], { after: 2000 });
    // a to b: a process on a links to the partner, then exits. Link and exit signal
    // travel the same connection, in this order.
    send(partner, ['report to', self()]);
    const child = spawn(() => {
      link(partner);
      exit('bye');
    });
    const fromA = await receive(['partner saw', _], { after: 2000 });
    return { noproc, fromB, fromA, child };
  });
  assert.equal(got.noproc, ['EXIT', dead, 'noproc']);
  assert.is(((got.fromB as unknown[])[2] as Error).message, 'crashed on b');
  assert.equal(got.fromA, ['partner saw', ['EXIT', got.child, 'bye']]);
});

test('100k messages from one process to another arrive in send order', async () => {
  const a = await start('a');
  const b = await start('b');
  const N = 100_000;
  const [sink] = b.runtime.spawn(async () => {
    let next = 0;
    let bad = 0;
    while (next < N) {
      const i = (await receive()) as number;
      if (i !== next) bad++;
      next++;
    }
    const [from] = (await receive()) as [Pid];
    send(from, ['done', next, bad]);
  }, [], null);
  const result = await inProcess(a.runtime, async () => {
    for (let i = 0; i < N; i++) send(sink, i);
    send(sink, [self()]);
    return receive(['done', _, _], { after: 15_000 });
  }, 20_000);
  assert.equal(result, ['done', N, 0]);
});

test('GenServer.call and cast reach a server by [name, node] and by remote pid', async () => {
  const a = await start('a');
  const b = await start('b');
  const Counter = {
    init: (n: number) => ['ok', n] as const,
    handleCall: (req: unknown, _from: unknown, n: number) => (req === 'get' ? (['reply', n, n] as const) : (['noreply', n] as const)),
    handleCast: (by: number, n: number) => ['noreply', n + by] as const,
  };
  const pid = await inProcess(b.runtime, () => GenServer.start(Counter, 40, { name: 'counter' }));
  const got = await inProcess(a.runtime, async () => {
    GenServer.cast(['counter', 'b@127.0.0.1'], 1);
    GenServer.cast(pid, 1);
    return [await GenServer.call(['counter', 'b@127.0.0.1'], 'get'), await GenServer.call(pid, 'get')];
  });
  assert.equal(got, [42, 42]);
  const missing = await inProcess(a.runtime, () => GenServer.call(['nobody', 'b@127.0.0.1'], 'get').catch((e: unknown) => e));
  assert.is((missing as GenServerError).code, 'ERR_NOPROC');
  // A call still waiting when the server's node goes away rejects with a nodedown error.
  const pending = inProcess(a.runtime, () => GenServer.call(['counter', 'b@127.0.0.1'], 'never', 10_000).catch((e: unknown) => e));
  // The call has reached the server once its caller's monitor is there.
  await eventually(async () => assert.is(await inProcess(b.runtime, () => processInfo(pid)!.monitoredBy.length), 1));
  await stopNode(b);
  const err = (await pending) as GenServerError;
  assert.instance(err, GenServerError);
  assert.is(err.code, 'ERR_NODEDOWN');
  assert.match(err.message, /no connection/);
});

test('ticks: a peer that goes silent is declared down after the tick time', async () => {
  const c = await startCluster();
  try {
    const bob = await c.start(['--sname', 'bob', '--no-greet', '--tick-time', '400'], { script: PEER });
    const tester = await c.local('tester', { tickTime: 400 });
    const got = await inProcess(tester.runtime, async () => {
      monitorNodes(true);
      if (!(await tester.connect(bob.name!))) return 'no connection';
      bob.child.kill('SIGSTOP'); // alive, socket open, but silent
      const t = Date.now();
      const down = await receive(['nodedown', bob.name], { after: 5000 });
      return down === TIMEOUT ? 'no nodedown' : Date.now() - t;
    });
    bob.child.kill('SIGCONT');
    assert.type(got, 'number');
    assert.ok((got as number) >= 250, `nodedown after ${got} ms, before the tick time`);
  } finally {
    await c.stop();
  }
});

test.run();
