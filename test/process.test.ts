import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import {
  spawn, spawnLink, spawnMonitor, self, send, receive, flush, link, unlink, monitor, demonitor, exit,
  trapExit, register, unregister, whereis, registered, processInfo, processes, isAlive, makeRef,
  TIMEOUT, ProcessError, ReceiveError, inProcess,
} from '../src/process/index.ts';
import { Pid, Ref, _ } from '../src/term.ts';
import * as GenServer from '../src/genserver.ts';
import * as Supervisor from '../src/supervisor.ts';
import { contextKind } from '../src/process/context.ts';
import { testRuntime } from './support/runtime.ts';
import { exactly } from './support/eventually.ts';

test('the running process is carried by context frames where this Node.js has them, else by promise hooks', () => {
  const major = Number(process.versions.node.split('.')[0]);
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const frames = flags.includes('--experimental-async-context-frame') || (major >= 24 && !flags.includes('--no-async-context-frame'));
  assert.is(contextKind, frames ? 'frames' : 'hooks');
});

test('spawn returns a pid and self() is that pid, also after awaits of foreign promises', async () => {
  const { run } = testRuntime();
  const external = new Promise((r) => setTimeout(r, 5));
  const seen = await run(async () => {
    const out: Pid[] = [];
    const child = spawn(async () => {
      const me = self();
      await external;
      out.push(self());
      await new Promise((r) => setImmediate(r));
      out.push(self());
      await Promise.resolve().then(() => out.push(self()));
      // A thenable's then runs in a job of its own; an async function that returns a
      // promise settles through one: the process is known in both and after them.
      await { then: (resolve: (v: unknown) => void) => resolve(out.push(self())) };
      out.push(self());
      await (async () => new Promise((r) => setTimeout(r, 1)))();
      out.push(self());
      send(parent, ['done', me]);
    });
    const parent = self();
    const [, me] = await receive(['done', _]);
    assert.ok(me.equals(child));
    return out.map((p) => p.equals(child));
  });
  assert.equal(seen, [true, true, true, true, true, true]);
});

test('receive takes messages in arrival order', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    for (let i = 0; i < 5; i++) send(self(), i);
    const out = [];
    for (let i = 0; i < 5; i++) out.push(await receive());
    return out;
  });
  assert.equal(got, [0, 1, 2, 3, 4]);
});

test('selective receive takes the first match and keeps the rest in order', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    send(self(), ['b', 1]);
    send(self(), ['a', 2]);
    send(self(), ['b', 3]);
    send(self(), ['a', 4]);
    const first = await receive(['a', _]);
    return [first, flush()];
  });
  assert.equal(got, [['a', 2], [['b', 1], ['b', 3], ['a', 4]]]);
});

test('a long queue keeps its order through selective takes from the middle and from the front', async () => {
  const { run } = testRuntime();
  // 5000 messages span several segments of the queue. Taking 1 and 2 leaves holes that
  // the front must step over; then taking two of every three from behind 6, which stays
  // put, leaves more holes than messages, so the queue compacts itself on the way.
  const got = await run(async () => {
    const n = 5000;
    for (let i = 0; i < n; i++) send(self(), i);
    const taken: number[] = [await receive(1), await receive(2), await receive(), await receive()];
    for (let i = 4; i < n; i++) if (i % 3 !== 0) taken.push(await receive((m: number) => m === i));
    const size = processInfo(self())!.messageQueueLen;
    const front = [await receive(), await receive(), await receive()];
    return { taken, size, front, rest: flush(), after: processInfo(self())!.messageQueueLen };
  });
  const all = Array.from({ length: 5000 }, (_v, i) => i);
  const left = all.filter((i) => i % 3 === 0 && i > 3);
  assert.equal(got.taken, [1, 2, 0, 3, ...all.filter((i) => i > 3 && i % 3 !== 0)]);
  assert.is(got.size, left.length);
  assert.equal(got.front, left.slice(0, 3));
  assert.equal(got.rest, left.slice(3));
  assert.is(got.after, 0);
});

test('a waiting receive completes only on a matching message', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    const me = self();
    const sender = spawn(async () => {
      await receive('go');
      const whileWaiting = processInfo(me)!.status;
      send(me, 'noise');
      send(me, { type: 'join', who: 'ann', extra: whileWaiting });
    });
    send(sender, 'go');
    const msg = await receive({ type: 'join', who: (w: string) => w.startsWith('a') });
    return [msg, flush()];
  });
  // The receiver was already waiting when 'noise' came, and let it pass.
  assert.equal(got, [{ type: 'join', who: 'ann', extra: 'waiting' }, ['noise']]);
});

test('receive with after gives TIMEOUT and leaves the mailbox alone', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    send(self(), 'other');
    const r = await receive('wanted', { after: 20 });
    const r0 = await receive('wanted', { after: 0 });
    return [r === TIMEOUT, r0 === TIMEOUT, flush()];
  });
  assert.equal(got, [true, true, ['other']]);
});

test('TIMEOUT cannot be sent, and a second concurrent receive is refused', async () => {
  const { run } = testRuntime();
  await run(async () => {
    assert.throws(() => send(self(), TIMEOUT), /TIMEOUT cannot be sent/);
    const first = receive();
    try {
      await receive();
      assert.unreachable('second receive should fail');
    } catch (err) {
      assert.instance(err, ReceiveError);
    }
    send(self(), 1);
    assert.is(await first, 1);
  });
});

test('a guard that throws does not match and does not crash the receiver', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    send(self(), null);
    send(self(), { n: 3 });
    return receive((m: { n: number }) => m.n > 2, { after: 50 });
  });
  assert.equal(got, { n: 3 });
});

test('a crash is reported once with the user frame and the node keeps running', async () => {
  const { run, logs } = testRuntime();
  const pid = spawn(function crasher() {
    throw new Error('boom');
  });
  assert.not.ok(isAlive(pid));
  await exactly(() => logs.length, 1, { what: 'crash reports' });
  const [level, text] = logs[0]!;
  assert.is(level, 'error');
  assert.match(text, `Process ${pid} raised an exception`);
  assert.match(text, '** (Error) boom');
  assert.match(text, 'crasher');
  assert.is(await run(() => 'still here'), 'still here');
});

test('an async crash is reported with the registered name', async () => {
  const { run, logs } = testRuntime();
  const reason = await run(async () => {
    const [pid, ref] = spawnMonitor(async () => {
      register('worker', self());
      await receive('go');
      throw new TypeError('bad input');
    });
    send(pid, 'go');
    return (await receive(['DOWN', ref, 'process', pid, _]))[4];
  });
  assert.instance(reason, TypeError);
  await exactly(() => logs.length, 1, { what: 'crash reports' });
  assert.match(logs[0]![1], '(worker) raised an exception');
  assert.match(logs[0]![1], '** (TypeError) bad input');
});

test('an async body that settles before spawn returns still ends the process', async () => {
  const { run, logs } = testRuntime();
  const got = await run(async () => {
    const [ok, okRef] = spawnMonitor(async () => 'done at once');
    const [bad, badRef] = spawnMonitor(async function failsAtOnce() {
      throw new Error('early');
    });
    const first = await receive(['DOWN', okRef, 'process', ok, _], { after: 500 });
    const second = await receive(['DOWN', badRef, 'process', bad, _], { after: 500 });
    return [first[4], (second[4] as Error).message];
  });
  assert.equal(got, ['normal', 'early']);
  assert.is(logs.length, 1);
});

test('exit(reason) ends the process quietly with that reason', async () => {
  const { run, logs } = testRuntime();
  const got = await run(async () => {
    const [pid, ref] = spawnMonitor(async () => {
      await receive('go');
      exit('done');
    });
    send(pid, 'go');
    return receive(['DOWN', ref, 'process', _, _]);
  });
  assert.is(got[4], 'done');
  await exactly(() => logs.length, 0, { what: 'crash reports' });
});

test('monitor gives DOWN with the reason; a dead pid gives noproc at once', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const pid = spawn(async () => {
      await receive();
    });
    const ref = monitor(pid);
    send(pid, 'go');
    const down = await receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
    assert.is(down[4], 'normal');
    const ref2 = monitor(pid);
    assert.equal(flush(), [['DOWN', ref2, 'process', pid, 'noproc']]);
    const ref3 = monitor('nobody');
    assert.equal(flush(), [['DOWN', ref3, 'process', 'nobody', 'noproc']]);
  });
});

test('demonitor stops DOWN messages and flush drops a queued one', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const a = spawn(() => receive());
    const ra = monitor(a);
    assert.is(demonitor(ra), true);
    assert.is(demonitor(ra), false, 'a second demonitor finds nothing');
    exit(a, 'kill');
    assert.equal(processInfo(a), undefined);
    const b = spawn(() => receive());
    const rb = monitor(b);
    exit(b, 'kill');
    // Only b's DOWN: a was demonitored before it died.
    assert.equal(flush(), [['DOWN', rb, 'process', b, 'killed']]);
    const c = spawn(() => receive());
    const rc = monitor(c);
    exit(c, 'kill');
    // The DOWN is queued already; demonitor finds no monitor (false) and flush drops the DOWN.
    assert.is(demonitor(rc, { flush: true }), false);
    assert.equal(flush(), []);
    assert.equal(processInfo(self())!.monitors, []);
  });
});

test('a linked crash takes the linked process down with the same reason', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    const [watcher, ref] = spawnMonitor(async () => {
      const child = spawnLink(async () => {
        await receive('go');
        throw new Error('child failed');
      });
      send(child, 'go');
      await receive();
    });
    const down = await receive(['DOWN', ref, 'process', watcher, _]);
    return down[4];
  });
  assert.instance(got, Error);
  assert.is((got as Error).message, 'child failed');
});

test('trapExit turns exit signals into EXIT messages; normal exits do not kill links', async () => {
  const { run } = testRuntime();
  await run(async () => {
    assert.is(trapExit(true), false);
    const child = spawnLink(async () => {
      await receive();
      exit('custom');
    });
    send(child, 'go');
    assert.equal(await receive(['EXIT', child, _]), ['EXIT', child, 'custom']);
    trapExit(false);
    const normal = spawnLink(async () => {
      await receive('go');
      return 'fine';
    });
    const ref = monitor(normal);
    send(normal, 'go');
    assert.equal(await receive(['DOWN', ref, 'process', normal, _]), ['DOWN', ref, 'process', normal, 'normal']);
    assert.ok(isAlive(self()));
    assert.equal(flush(), [], 'no EXIT message either: the exit was normal and exits are not trapped');
  });
});

test("exit(pid, 'kill') cannot be trapped; other reasons can", async () => {
  const { run } = testRuntime();
  await run(async () => {
    const me = self();
    const trapper = spawn(async () => {
      trapExit(true);
      send(me, 'ready');
      for (;;) send(me, ['got', await receive()]);
    });
    await receive('ready');
    const ref = monitor(trapper);
    exit(trapper, 'please');
    const [, msg] = await receive(['got', _]);
    assert.equal(msg, ['EXIT', me, 'please']);
    exit(trapper, 'kill');
    const down = await receive(['DOWN', ref, 'process', trapper, _]);
    assert.is(down[4], 'killed');
  });
});

test('unlink stops propagation', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const child = spawnLink(async () => {
      await receive();
      throw new Error('x');
    });
    unlink(child);
    const ref = monitor(child);
    send(child, 'go');
    const down = await receive(['DOWN', ref, 'process', child, _]);
    assert.is((down[4] as Error).message, 'x');
    assert.ok(isAlive(self()));
    assert.equal(processInfo(self())!.links, []);
  });
});

test('link to a dead process delivers noproc', async () => {
  const { run } = testRuntime();
  await run(async () => {
    trapExit(true);
    const dead = spawn(() => 1);
    link(dead);
    assert.equal(await receive(_, { after: 100 }), ['EXIT', dead, 'noproc']);
  });
});

test('registered names: send by name, taken names refused, freed on exit', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const pid = spawn(async () => {
      const [from, msg] = await receive();
      send(from, ['echo', msg]);
    });
    register('echo', pid);
    assert.ok(whereis('echo')?.equals(pid));
    assert.ok(registered().includes('echo'));
    assert.throws(() => register('echo', self()), /already registered/);
    assert.throws(() => register('other', pid), /already registered as "echo"/);
    assert.throws(() => send('nobody', 1), /no process is registered as "nobody"/);
    const ref = monitor(pid);
    send('echo', [self(), 'hi']);
    assert.equal(await receive(['echo', _]), ['echo', 'hi']);
    await receive(['DOWN', ref, 'process', pid, 'normal']);
    // The name is free by the time anyone hears of the death.
    assert.is(whereis('echo'), undefined);
    register('echo', self());
    assert.ok(unregister('echo'));
    assert.not.ok(unregister('echo'));
  });
});

test('sending to [name, node] on the local node, to a dead pid, to a pid of an earlier run', async () => {
  const { run } = testRuntime('solo@host');
  await run(async () => {
    register('me', self());
    send(['me', 'solo@host'], 'local');
    assert.is(await receive(), 'local');
    send(['nobody', 'solo@host'], 'to nobody');
    const dead = spawn(() => 1);
    assert.not.ok(isAlive(dead));
    assert.is(send(dead, 'dropped'), 'dropped', 'send gives the message back, as Erlang does');
    // Same node and number as this process, another creation: a process of an earlier run.
    const stale = new Pid('solo@host', self().id, self().creation + 1);
    send(stale, 'stale');
    assert.throws(() => send(['me', 'other@host'], 'x'), /not distributed/);
    assert.throws(() => send(42 as never, 'x'), /send expects a pid/);
    assert.equal(flush(), [], 'nothing sent to the dead, the nameless or the stale reached anyone');
    assert.equal(processes(), [self()], 'the sends started nothing');
  });
});

test('processInfo and processes describe live processes', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const pid = spawn(async function worker() {
      await receive('never');
    });
    register('w', pid);
    send(pid, 'a');
    send(pid, 'b');
    link(pid);
    const info = processInfo(pid)!;
    assert.is(info.registeredName, 'w');
    assert.is(info.status, 'waiting');
    assert.is(info.messageQueueLen, 2);
    assert.equal(info.messages, ['a', 'b']);
    assert.ok(info.links[0]!.equals(self()));
    assert.is(info.initialCall, 'worker');
    assert.ok(processes().some((p) => p.equals(pid)));
    unlink(pid);
    exit(pid, 'kill');
    assert.is(processInfo(pid), undefined);
  });
});

test('processInfo with items gives those only, says what a process is, and names an unknown item', async () => {
  const { run } = testRuntime();
  await run(async () => {
    const pid = spawn(async function worker() {
      await receive('never');
    });
    send(pid, 'a');
    assert.equal(processInfo(pid, ['messageQueueLen', 'kind']), { messageQueueLen: 1, kind: 'process' });
    const Stack = { name: 'Stack', init: () => ['ok', []] as ['ok', unknown[]] };
    const server = await GenServer.start(Stack);
    assert.equal(processInfo(server, ['kind', 'module']), { kind: 'GenServer', module: 'Stack' });
    const sup = await Supervisor.start([], { strategy: 'one_for_one' });
    assert.equal(processInfo(sup, ['kind', 'module']), { kind: 'Supervisor', module: undefined });
    assert.throws(() => processInfo(pid, ['queue' as never]), (err: Error & { code?: string }) =>
      err.code === 'ERR_BAD_ARG' && /processInfo items are among pid, registeredName, .*\. Got: \["queue"\]/.test(err.message));
    exit(pid, 'kill');
    assert.is(processInfo(pid, ['kind']), undefined);
  });
});

test('pids and refs print as Elixir does: the local node is 0, each other node its own number', () => {
  testRuntime();
  const pid = spawn(() => receive());
  assert.match(inspect(pid), /^#PID<0\.\d+\.0>$/);
  assert.match(String(makeRef()), /^#Reference<0\.0\.\d+\.\d+>$/);
  const nodeNumber = (p: Pid) => Number(/^#PID<(\d+)\.(\d+)\.0>$/.exec(inspect(p))?.[1]);
  const far = new Pid('far@away', 7);
  assert.match(inspect(far), /^#PID<[1-9]\d*\.7\.0>$/);
  assert.is(nodeNumber(new Pid('far@away', 9)), nodeNumber(far), 'one node, one number');
  assert.is.not(nodeNumber(new Pid('farther@away', 7)), nodeNumber(far), 'another node, another number');
  assert.is(inspect(new Ref('far@away', 65536 * 3 + 5, 2)), `#Reference<${nodeNumber(far)}.2.3.5>`);
  exit(pid, 'kill');
});

test('inProcess settles with the body; a body that outlives its timeout is killed, and the test bound holds', async () => {
  const { rt, run } = testRuntime();
  assert.is(await inProcess(async () => { send(self(), 'hi'); return receive(); }), 'hi');
  const thrown = await inProcess(() => { throw new Error('inside'); }).catch((e: Error) => e.message);
  assert.is(thrown, 'inside');
  const before = rt.processes().length;
  const stuck = await inProcess(() => receive('never'), { timeout: 30 }).catch((e: ProcessError) => e);
  assert.instance(stuck, ProcessError);
  assert.is((stuck as ProcessError).code, 'ERR_TIMEOUT');
  assert.is(rt.processes().length, before, 'the stuck process was killed');
  // test/support/runtime.ts run(): a receive without after cannot hang the run.
  const bounded = await run(() => receive('never'), 30).catch((e: ProcessError) => e.code);
  assert.is(bounded, 'ERR_TIMEOUT');
});

test('calls that need a process fail clearly outside one', () => {
  testRuntime();
  assert.throws(() => self(), (err: ProcessError) => err.code === 'ERR_NO_PROCESS');
  assert.throws(() => spawn(42 as never), /spawn expects a function/);
});

test.run();
