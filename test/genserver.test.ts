/**
 * GenServer on one node: start and init results, call/cast/reply/stop, the errors a call
 * can end with, missing callbacks, terminate, crash reports and async callbacks.
 * (Calls across nodes are in genserver-remote.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as GenServer from '../src/genserver.ts';
import { GenServerError, type GenServerModule, type From } from '../src/genserver.ts';
import {
  exit, isAlive, monitor, receive, self, send, spawn, spawnLink, trapExit, whereis, flush, ReceiveError, TIMEOUT,
} from '../src/process/index.ts';
import { Pid, _ } from '../src/term.ts';
import { sleep } from './support/eventually.ts';
import { eachTestRuntime } from './support/each-runtime.ts';

const t = eachTestRuntime();
const { inside } = t;

/** Resolves with the GenServerError `promise` rejects with; fails if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<GenServerError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, GenServerError);
    return err as GenServerError;
  }
  throw new assert.Assertion({ message: 'expected a rejection', operator: 'rejects', actual: 'resolved', expects: 'rejection', generated: false });
}

const Counter: GenServerModule<number> = {
  init: (n: number) => ['ok', n],
  handleCall(req, _from, n) {
    if (req === 'get') return ['reply', n, n];
    if (req === 'whoami') return ['reply', self(), n];
    if (req === 'crash') throw new Error('counter exploded');
    if (req === 'bad') return ['nonsense', n] as never;
    if (req === 'stop') return ['stop', 'normal', 'bye', n];
    return ['reply', 'unknown', n];
  },
  handleCast(req, n) {
    if (req === 'inc') return ['noreply', n + 1];
    return ['stop', 'normal', n];
  },
};

// start and init

test('start runs init in the new process; call and cast reach the callbacks in order', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start(Counter, 10);
    GenServer.cast(pid, 'inc');
    GenServer.cast(pid, 'inc');
    const n = await GenServer.call(pid, 'get');
    const who = await GenServer.call<Pid>(pid, 'whoami');
    return [n, who.equals(pid), pid.equals(self())];
  });
  assert.equal(got, [12, true, false]);
});

test('a class instance and a class with static methods both work as callback modules', async () => {
  class Stack {
    prefix = 'item:';
    init(items: string[]) {
      return ['ok', items] as const;
    }
    handleCall(req: string, _from: From, items: string[]) {
      return ['reply', this.prefix + req, items] as const;
    }
  }
  class Static {
    static init() {
      return ['ok', 'static'] as const;
    }
    static handleCall(_req: unknown, _from: From, s: string) {
      return ['reply', s, s] as const;
    }
  }
  const got = await inside(async () => {
    const a = await GenServer.start(new Stack(), []);
    const b = await GenServer.start(Static);
    return [await GenServer.call(a, 'x'), await GenServer.call(b, 'y')];
  });
  assert.equal(got, ['item:x', 'static']);
});

test('async callbacks run one message at a time', async () => {
  const log: string[] = [];
  const Slow: GenServerModule<number> = {
    async init() {
      await sleep(1);
      return ['ok', 0];
    },
    async handleCall(req: number, _from, n) {
      log.push(`start ${req}`);
      await sleep(5 - req);
      log.push(`end ${req}`);
      return ['reply', req, n + 1];
    },
  };
  const pid = await inside(() => GenServer.start(Slow));
  // Outside a process each call runs in a process of its own, so the three overlap.
  const got = await Promise.all([1, 2, 3].map((i) => GenServer.call(pid, i, 1000)));
  assert.equal(got, [1, 2, 3]);
  assert.equal(log, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
});

test("init returning ['stop', reason] makes start reject with that reason, quietly for 'normal'", async () => {
  const err = await inside(() => rejection(GenServer.start({ init: () => ['stop', 'no_config'] })));
  assert.is(err.code, 'ERR_INIT');
  assert.is(err.reason, 'no_config');
  assert.match(err.message, /failed to start: 'no_config'/);
  assert.is(t.logs.filter(([l]) => l === 'error').length, 1);
  await inside(() => rejection(GenServer.start({ init: () => ['stop', 'normal'] })));
  assert.is(t.logs.filter(([l]) => l === 'error').length, 1);
});

test('init that throws or returns something else rejects; the crash is reported once', async () => {
  const thrown = await inside(() =>
    rejection(GenServer.start({ init() { throw new TypeError('bad config'); } }, 'arg!')),
  );
  assert.is(thrown.code, 'ERR_INIT');
  assert.instance(thrown.reason, TypeError);
  const report = t.logs.find(([l]) => l === 'error')![1];
  assert.match(report, /failed to start in init/);
  assert.match(report, '** (TypeError) bad config');
  assert.match(report, "Argument: 'arg!'");
  const bad = await inside(() => rejection(GenServer.start({ init: () => 42 } as never)));
  assert.equal(bad.reason, ['bad_return_value', 42]);
});

test('startLink links to the caller; a failing init rejects without killing the caller', async () => {
  const got = await inside(async () => {
    trapExit(true);
    const err = await rejection(GenServer.startLink({ init: () => ['stop', 'nope'] }));
    // Trapping, an exit signal from the failed server would arrive as a message: none may come.
    const signal = await receive(['EXIT', _, _], { after: 200 });
    trapExit(false);
    return [err.reason, signal === TIMEOUT, isAlive(self())];
  });
  assert.equal(got, ['nope', true, true]);
  const linked = await inside(async () => {
    trapExit(true);
    const pid = await GenServer.startLink(Counter, 0);
    exit(pid, 'kill');
    return receive(['EXIT', pid, _], { after: 1000 });
  });
  assert.is(linked[2], 'killed');
});

test('a name is registered before init; a taken name rejects with already_started', async () => {
  const got = await inside(async () => {
    const Named: GenServerModule = { init: () => ['ok', whereis('counter')] , handleCall: (_r, _f, s) => ['reply', s, s] };
    const pid = await GenServer.start(Named, null, { name: 'counter' });
    const seenInInit = await GenServer.call<Pid>('counter', 'x');
    const err = await rejection(GenServer.start(Counter, 0, { name: 'counter' }));
    return [seenInInit.equals(pid), err.code, err.reason, pid];
  });
  assert.equal(got.slice(0, 2), [true, 'ERR_ALREADY_STARTED']);
  assert.equal(got[2], ['already_started', got[3]]);
});

test('a failing init frees its name before start rejects, so a retry can take it at once', async () => {
  const got = await inside(async () => {
    await rejection(GenServer.start({ init: () => ['stop', 'flaky'] }, null, { name: 'svc' }));
    const pid = await GenServer.start(Counter, 1, { name: 'svc' });
    return whereis('svc')!.equals(pid);
  });
  assert.ok(got);
});

test('start checks its arguments and names what it accepts', async () => {
  await inside(async () => {
    const notModule = await rejection(GenServer.start({} as never));
    assert.is(notModule.code, 'ERR_BAD_ARG');
    assert.match(notModule.message, /init\(arg\) function\. Got: \{\}/);
    const badName = await rejection(GenServer.start(Counter, 0, { name: 42 as never }));
    assert.match(badName.message, /\{ name\?: non-empty string or \['global', name\], timeout\?: ms >= 0 \}\. Got: \{ name: 42 \}/);
  });
});

test('an init slower than the start timeout is killed and start rejects', async () => {
  const got = await inside(async () => {
    const err = await rejection(GenServer.start({ init: () => new Promise(() => {}) } as never, null, { name: 'slow', timeout: 20 }));
    return [err.code, err.reason, whereis('slow')];
  });
  assert.equal(got, ['ERR_START_TIMEOUT', 'timeout', undefined]);
});

test('init with { continue } runs handleContinue before any message', async () => {
  const got = await inside(async () => {
    const Cont: GenServerModule<string[]> = {
      init: () => ['ok', ['init'], { continue: 'warm' }],
      handleContinue: (x, s) => ['noreply', [...s, x]],
      handleCall: (_r, _f, s) => ['reply', s, s, { continue: 'after' }],
    };
    const pid = await GenServer.start(Cont);
    return [await GenServer.call(pid, 'x'), await GenServer.call(pid, 'x')];
  });
  assert.equal(got, [['init', 'warm'], ['init', 'warm', 'after']]);
});

test('a timeout action gives handleInfo a timeout when no message comes', async () => {
  const got = await inside(async () => {
    const me = self();
    const Idle: GenServerModule<number> = {
      init: () => ['ok', 0, 10],
      handleInfo(msg, n) {
        send(me, ['info', msg]);
        return ['noreply', n + 1];
      },
    };
    await GenServer.start(Idle);
    return receive(['info', _], { after: 1000 });
  });
  assert.equal(got, ['info', 'timeout']);
});

// call errors

test('calling a dead pid or an unknown name rejects with noproc, in the words of Elixir', async () => {
  const got = await inside(async () => {
    const dead = spawn(() => 1);
    return [await rejection(GenServer.call(dead, 'ping')), await rejection(GenServer.call('nobody', 'ping', 100))];
  });
  const [byPid, byName] = got;
  assert.is(byPid!.code, 'ERR_NOPROC');
  assert.match(byPid!.message, /^exited in: GenServer\.call\(#PID<0\.\d+\.0>, 'ping', 5000\)\n {4}\*\* \(EXIT\) no process/);
  assert.is(byName!.message, "exited in: GenServer.call('nobody', 'ping', 100)\n    ** (EXIT) no process: the server is not alive, or no process has that name");
  assert.equal(byName!.reason, ['noproc', ['GenServer', 'call', ['nobody', 'ping', 100]]]);
});

test('a call without a reply in time rejects with timeout and leaves the caller clean', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start({ init: () => ['ok', null], handleCall: (_r, _f, s) => ['noreply', s] });
    const err = await rejection(GenServer.call(pid, 'wait', 20));
    return [err.code, err.message, flush(), isAlive(pid)];
  });
  assert.is(got[0], 'ERR_TIMEOUT');
  assert.match(got[1] as string, /'wait', 20\)\n {4}\*\* \(EXIT\) time out/);
  assert.equal(got.slice(2), [[], true]);
});

test('a crash inside handleCall rejects the call with the reason and logs a crash report', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start(Counter, 7, { name: 'ctr' });
    const err = await rejection(GenServer.call('ctr', 'crash'));
    return [err, pid];
  });
  const [err, pid] = got as [GenServerError, Pid];
  assert.is(err.code, 'ERR_EXIT');
  assert.match(err.message, /\*\* \(EXIT\) an exception was raised:\n {8}\*\* \(Error\) counter exploded/);
  const why = (err.reason as unknown[])[0] as Error;
  assert.is(why.message, 'counter exploded');
  assert.is(err.cause, why);
  assert.not.ok(isAlive(pid));
  const errors = t.logs.filter(([l]) => l === 'error');
  assert.is(errors.length, 1);
  const report = errors[0]![1];
  assert.match(report, `GenServer ${pid} (ctr) terminating`);
  assert.match(report, '** (Error) counter exploded');
  assert.match(report, /Last message \(from #PID<0\.\d+\.0>\): 'crash'/);
  assert.match(report, 'State: 7');
});

test('a bad return value is named and ends the server', async () => {
  const err = await inside(async () => rejection(GenServer.call(await GenServer.start(Counter, 1), 'bad')));
  assert.equal((err.reason as unknown[])[0], ['bad_return_value', ['nonsense', 1]]);
});

test('a server calling itself is refused at once with calling_self', async () => {
  const Selfish: GenServerModule = {
    init: () => ['ok', null],
    async handleCall(req, _from, s) {
      if (req === 'outer') return ['reply', await GenServer.call(self(), 'inner').catch((e: GenServerError) => e.code), s];
      return ['reply', 'inner', s];
    },
  };
  const got = await inside(async () => GenServer.call(await GenServer.start(Selfish, null, { name: 'selfish' }), 'outer'));
  assert.is(got, 'ERR_CALLING_SELF');
});

test('a second call while the first waits is refused before anything is sent', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start({ init: () => ['ok', 0], handleCall: async (r, _f, n) => (await sleep(5), ['reply', r, n + 1]) });
    const first = GenServer.call(pid, 'first');
    const second = await GenServer.call(pid, 'second').then(() => 'resolved', (e: ReceiveError) => [e.code, e.message]);
    return [second, await first, await GenServer.call(pid, 'third'), flush()];
  });
  assert.equal(got[0], ['ERR_ALREADY_RECEIVING', 'this process is already waiting (in receive or another call): a process makes one call at a time; await the first, or make the second from another process']);
  assert.equal(got.slice(1), ['first', 'third', []]);
});

test('a call to [name, node] of another node without distribution rejects with nodedown', async () => {
  const err = await inside(() => rejection(GenServer.call(['counter', 'far@away'], 'ping')));
  assert.is(err.code, 'ERR_NODEDOWN');
  assert.match(err.message, /\*\* \(EXIT\) no connection to far@away/);
});

test('[name, node] of this node is a local call', async () => {
  const got = await inside(async () => {
    await GenServer.start(Counter, 3, { name: 'here' });
    return GenServer.call(['here', t.rt.node], 'get');
  });
  assert.is(got, 3);
});

test('call and stop work outside any process, from a process of their own', async () => {
  const pid = await inside(() => GenServer.start(Counter, 5));
  assert.is(await GenServer.call(pid, 'get'), 5);
  assert.is(GenServer.cast(pid, 'inc'), 'ok');
  assert.is(await GenServer.call(pid, 'get'), 6);
  assert.is(await GenServer.stop(pid), 'ok');
  assert.is((await rejection(GenServer.call(pid, 'get'))).code, 'ERR_NOPROC');
});

test('call, cast and whereis reject a malformed server or timeout', async () => {
  await inside(async () => {
    assert.match((await rejection(GenServer.call(42 as never, 'x'))).message, /expects a pid, a registered name, \[name, node\] or \['global', name\]\. Got: 42/);
    assert.match((await rejection(GenServer.call('x', 'x', -1))).message, /timeout in ms \(>= 0, or Infinity\)\. Got: -1/);
    assert.throws(() => GenServer.cast({} as never, 'x'), (e: GenServerError) => e.code === 'ERR_BAD_ARG');
    assert.throws(() => GenServer.whereis(null as never), (e: GenServerError) => e.code === 'ERR_BAD_ARG');
  });
});

// cast, reply, info and missing callbacks

test('cast always gives ok, also to an unknown name or a dead pid', async () => {
  await inside(async () => {
    assert.is(GenServer.cast('nobody', 'x'), 'ok');
    assert.is(GenServer.cast(['nobody', 'far@away'], 'x'), 'ok');
    const dead = spawn(() => 1);
    assert.is(GenServer.cast(dead, 'x'), 'ok');
  });
});

test('noreply plus reply(from) answers later, even from another process', async () => {
  const Later: GenServerModule = {
    init: () => ['ok', null],
    handleCall(req: number, from, s) {
      spawn(async () => {
        await sleep(2);
        GenServer.reply(from, req * 2);
      });
      return ['noreply', s];
    },
  };
  const got = await inside(async () => GenServer.call(await GenServer.start(Later), 21));
  assert.is(got, 42);
  assert.throws(() => GenServer.reply(['x', 'y'] as never, 1), /reply expects the \[pid, tag\] that handleCall got as from/);
});

test('a missing handleCall fails the call with "no handleCall clause"', async () => {
  const err = await inside(async () => rejection(GenServer.call(await GenServer.start({ init: () => ['ok', 0] }), 'ping')));
  assert.is(err.code, 'ERR_EXIT');
  assert.match(err.message, /attempted to call GenServer #PID<0\.\d+\.0> but no handleCall clause was provided in module for 'ping'/);
});

test('a missing handleInfo logs the message as a warning and the server goes on', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start(Counter, 1, { name: 'quiet' });
    send(pid, ['surprise', 1]);
    return GenServer.call(pid, 'get');
  });
  assert.is(got, 1);
  const warnings = t.logs.filter(([l]) => l === 'warning');
  assert.is(warnings.length, 1);
  assert.match(warnings[0]![1], /\(quiet\) received an unexpected message in handleInfo.*\[ 'surprise', 1 \]/);
});

test('a missing handleCast crashes the server, as OTP does', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start({ init: () => ['ok', 0] });
    const ref = monitor(pid);
    GenServer.cast(pid, 'hello');
    return receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
  });
  assert.match((got[4] as Error).message, /no handleCast clause was provided in module for 'hello'/);
});

// stop and terminate

test('stop runs terminate with the reason and resolves once the server is gone', async () => {
  const seen: unknown[] = [];
  const Tidy: GenServerModule<string> = {
    init: () => ['ok', 'last state'],
    async terminate(reason, state) {
      await sleep(2);
      seen.push([reason, state]);
    },
  };
  const got = await inside(async () => {
    const pid = await GenServer.start(Tidy, null, { name: 'tidy' });
    const ok = await GenServer.stop('tidy');
    return [ok, isAlive(pid), whereis('tidy')];
  });
  assert.equal(got, ['ok', false, undefined]);
  assert.equal(seen, [['normal', 'last state']]);
  assert.is(t.logs.length, 0);
});

test('stop with an abnormal reason logs a report; stop of nobody rejects with noproc', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start(Counter, 0);
    const ok = await GenServer.stop(pid, 'maintenance');
    const err = await rejection(GenServer.stop('nobody'));
    return [ok, err.code];
  });
  assert.equal(got, ['ok', 'ERR_NOPROC']);
  assert.match(t.logs[0]![1], /terminating\n\*\* \(exit\) 'maintenance'/);
});

test("['stop', reason, reply, state] replies, then terminates", async () => {
  const seen: unknown[] = [];
  const got = await inside(async () => {
    const pid = await GenServer.start({ ...Counter, terminate: (r: unknown, s: unknown) => seen.push(r, s) }, 4);
    const ref = monitor(pid);
    const reply = await GenServer.call(pid, 'stop');
    const down = await receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
    return [reply, down[4]];
  });
  assert.equal(got, ['bye', 'normal']);
  assert.equal(seen, ['normal', 4]);
});

test('a trapping server runs terminate when its parent exits; a kill skips it', async () => {
  const seen: unknown[] = [];
  const Trapper: GenServerModule = {
    init() {
      trapExit(true);
      return ['ok', null];
    },
    terminate: (reason) => void seen.push(reason),
  };
  const server = await inside(async () => {
    const me = self();
    const parent = spawn(async () => {
      send(me, await GenServer.startLink(Trapper));
      await receive();
      exit('parent_done');
    });
    const pid = (await receive()) as Pid;
    const ref = monitor(pid);
    send(parent, 'go');
    const down = await receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
    return down[4];
  });
  assert.is(server, 'parent_done');
  assert.equal(seen, ['parent_done']);
  await inside(async () => {
    const pid = await GenServer.start(Trapper);
    const ref = monitor(pid);
    exit(pid, 'kill');
    await receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
  });
  assert.equal(seen, ['parent_done']);
});

test('a terminate that throws changes the exit reason to its error', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start({ init: () => ['ok', 0], terminate() { throw new Error('cleanup failed'); } });
    return rejection(GenServer.stop(pid));
  });
  assert.is(got.code, 'ERR_EXIT');
  assert.match(got.message, /cleanup failed/);
});

test('a server linked to a crashing process dies with it; the caller gets the reason', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start({
      init: () => ['ok', 0],
      handleCall(_r, _f, s) {
        spawnLink(() => {
          throw new Error('helper died');
        });
        return new Promise(() => {}) as never;
      },
    });
    return rejection(GenServer.call(pid, 'go', 1000));
  });
  assert.is(got.code, 'ERR_EXIT');
  assert.match(got.message, /helper died/);
});

test('whereis gives the pid of a name, a pid as is, and undefined for nobody', async () => {
  await inside(async () => {
    const pid = await GenServer.start(Counter, 0, { name: 'w' });
    assert.ok((GenServer.whereis('w') as Pid).equals(pid));
    assert.is(GenServer.whereis(pid), pid);
    assert.is(GenServer.whereis('nobody'), undefined);
  });
});

test.run();
