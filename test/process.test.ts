import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import {
  spawn, spawnLink, spawnMonitor, self, send, receive, flush, link, unlink, monitor, demonitor, exit,
  trapExit, register, unregister, whereis, registered, processInfo, processes, isAlive, makeRef,
  TIMEOUT, ProcessError, ReceiveError,
} from '../src/process/index.ts';
import { Pid, _ } from '../src/term.ts';
import { testRuntime } from './support/runtime.ts';
import { sleep } from './support/eventually.ts';

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
      send(parent, ['done', me]);
    });
    const parent = self();
    const [, me] = await receive(['done', _]);
    assert.ok(me.equals(child));
    return out.map((p) => p.equals(child));
  });
  assert.equal(seen, [true, true, true]);
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

test('a waiting receive completes only on a matching message', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    const me = self();
    spawn(async () => {
      send(me, 'noise');
      await sleep(5);
      send(me, { type: 'join', who: 'ann', extra: 1 });
    });
    const msg = await receive({ type: 'join', who: (w: string) => w.startsWith('a') });
    return [msg, flush()];
  });
  assert.equal(got, [{ type: 'join', who: 'ann', extra: 1 }, ['noise']]);
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
  await sleep(5);
  assert.not.ok(isAlive(pid));
  assert.is(logs.length, 1);
  const [level, text] = logs[0]!;
  assert.is(level, 'error');
  assert.match(text, `Process ${pid} raised an exception`);
  assert.match(text, '** (Error) boom');
  assert.match(text, 'crasher');
  assert.is(await run(() => 'still here'), 'still here');
});

test('an async crash is reported with the registered name', async () => {
  const { logs } = testRuntime();
  spawn(async () => {
    register('worker', self());
    await sleep(1);
    throw new TypeError('bad input');
  });
  await sleep(20);
  assert.is(logs.length, 1);
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
    const [, ref] = spawnMonitor(async () => {
      await sleep(1);
      exit('done');
    });
    return receive(['DOWN', ref, 'process', _, _]);
  });
  assert.is(got[4], 'done');
  assert.is(logs.length, 0);
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
    demonitor(ra);
    exit(a, 'kill');
    const b = spawn(() => receive());
    const rb = monitor(b);
    exit(b, 'kill');
    assert.is(flush().length, 1);
    const c = spawn(() => receive());
    const rc = monitor(c);
    exit(c, 'kill');
    assert.ok(demonitor(rc, { flush: true }) === false);
    assert.equal(flush(), []);
    assert.ok(rb);
  });
});

test('a linked crash takes the linked process down with the same reason', async () => {
  const { run } = testRuntime();
  const got = await run(async () => {
    const [watcher, ref] = spawnMonitor(async () => {
      spawnLink(async () => {
        await sleep(1);
        throw new Error('child failed');
      });
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
    const normal = spawnLink(() => 'fine');
    await sleep(5);
    assert.not.ok(isAlive(normal));
    assert.ok(isAlive(self()));
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
    send(child, 'go');
    await sleep(5);
    assert.ok(isAlive(self()));
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
    send('echo', [self(), 'hi']);
    assert.equal(await receive(), ['echo', 'hi']);
    await sleep(1);
    assert.is(whereis('echo'), undefined);
    register('echo', self());
    assert.ok(unregister('echo'));
    assert.not.ok(unregister('echo'));
  });
});

test('sending to [name, node] on the local node and to a dead pid', async () => {
  const { run, rt } = testRuntime('solo@host');
  await run(async () => {
    register('me', self());
    send(['me', 'solo@host'], 'local');
    assert.is(await receive(), 'local');
    const dead = spawn(() => 1);
    send(dead, 'dropped');
    assert.throws(() => send(['me', 'other@host'], 'x'), /not distributed/);
    assert.throws(() => send(42 as never, 'x'), /send expects a pid/);
    assert.ok(rt);
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

test('pids and refs print as Elixir does', () => {
  testRuntime();
  const pid = spawn(() => receive());
  assert.match(inspect(pid), /^#PID<0\.\d+\.0>$/);
  assert.match(String(makeRef()), /^#Reference<0\.0\.\d+\.\d+>$/);
  assert.is(inspect(new Pid('far@away', 7)), `#PID<${inspect(new Pid('far@away', 7)).split('<')[1]!.split('.')[0]}.7.0>`);
  exit(pid, 'kill');
});

test('calls that need a process fail clearly outside one', () => {
  testRuntime();
  assert.throws(() => self(), (err: ProcessError) => err.code === 'ERR_NO_PROCESS');
  assert.throws(() => spawn(42 as never), /spawn expects a function/);
});

test.run();
