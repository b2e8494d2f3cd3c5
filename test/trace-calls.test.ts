/**
 * dbg.calls on a runtime of its own per test: the lines the tracer prints (log level
 * 'trace'), returns of every kind, the limit counted at the call, errors for bad input,
 * record and playback, handlers (a function, a pid, one that throws), the local scope
 * through V8 breakpoints, and the safeguards: a trace ends with the process that
 * started it, with a killed tracer, and with dbg.stop().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { _, Pid } from '../src/term.ts';
import { exit, isAlive, processes, processInfo, receive, self, spawn, spawnMonitor, trapExit } from '../src/process/index.ts';
import * as GenServer from '../src/genserver.ts';
import * as dbg from '../src/trace/dbg.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually, exactly } from './support/eventually.ts';

const t = eachTestRuntime();
test.after.each(() => {
  dbg.stop();
});

/** The lines the tracer printed so far. */
const lines = () => t.logs.filter(([level]) => level === 'trace').map(([, text]) => text);
const waitLine = (re: RegExp) => eventually(() => assert.ok(lines().some((l) => re.test(l)), `no ${re} in:\n${lines().join('\n')}`));
const count = (re: RegExp) => lines().filter((l) => re.test(l)).length;
const tracers = () => processes().filter((pid) => processInfo(pid)?.initialCall === 'dbgTracer');
const HOOK = Symbol.for('otp-playground.trace.hook');

test('a call and its return, one line each, with the caller pid', () =>
  t.inside(async () => {
    const Foo = { bar: (name: string) => `Hello, my name is ${name}` };
    assert.is(dbg.calls([Foo, 'bar'], 5, { return: true }), 1);
    assert.is(Foo.bar('Buzz'), 'Hello, my name is Buzz');
    await waitLine(/returned from/);
    assert.equal(lines(), [
      `(${self()}) call Object.bar('Buzz')`,
      `(${self()}) returned from Object.bar/1 -> 'Hello, my name is Buzz'`,
    ]);
  }));

test("an awaited promise's value, a rejection and a throw are reported; the caller sees them unchanged", () =>
  t.inside(async () => {
    const Api = {
      async load(x: number) {
        await null;
        return x * 2;
      },
      async fail() {
        throw new Error('nope');
      },
      boom() {
        throw new Error('boom');
      },
    };
    assert.is(dbg.calls([Api, '*'], 10, { return: true }), 3);
    assert.is(await Api.load(21), 42);
    await Api.fail().then(() => assert.unreachable('it resolved'), (err: Error) => assert.match(err.message, 'nope'));
    assert.throws(() => Api.boom(), /boom/);
    await waitLine(/exception from Object\.boom/);
    assert.ok(lines().includes(`(${self()}) returned from Object.load/1 -> Promise { 42 }`), lines().join('\n'));
    assert.ok(lines().includes(`(${self()}) exception from Object.fail/0 -> Promise { <rejected> Error: nope }`));
    assert.ok(lines().includes(`(${self()}) exception from Object.boom/0 -> Error: boom`));
  }));

test("a GenServer module's handleCall: called by the server, with its from and state, and its reply", () =>
  t.inside(async () => {
    const Stack: GenServer.GenServerModule<string[]> = {
      init: (items) => ['ok', items],
      handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest],
    };
    const server = await GenServer.start(Stack, ['hello', 'world']);
    dbg.calls([Stack, 'handleCall'], 1, { return: true });
    assert.is(await GenServer.call(server, 'pop'), 'hello');
    await waitLine(/stopped at its limit/);
    assert.match(lines()[0]!, new RegExp(`^\\(${String(server).replace(/[.<>]/g, '\\$&')}\\) call Object\\.handleCall\\('pop', \\[ #PID<0\\.\\d+\\.0>, #Reference<[\\d.]+> \\], \\[ 'hello', 'world' \\]\\)$`));
    assert.is(lines()[1], `(${server}) returned from Object.handleCall/3 -> [ 'reply', 'hello', [ 'world' ] ]`);
  }));

test('the limit is counted at the call: a hot loop reports exactly `limit` calls, then the original is back', () =>
  t.inside(async () => {
    const bar = (n: number) => n + 1;
    const Foo = { bar };
    dbg.calls([Foo, 'bar'], 3);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += Foo.bar(i);
    assert.is(sum, 5_000_050_000);
    assert.is(Foo.bar, bar, 'the wrapper took itself out at the third call');
    await waitLine(/stopped at its limit \(3 calls\)/);
    await exactly(() => count(/call Object\.bar\(/), 3, { what: 'call lines' });
    assert.equal(dbg.traces(), []);
  }));

test('bad input is a one-line error with a stable code, and traces nothing', () =>
  t.inside(async () => {
    const Foo = { bar: () => 1, n: 2 };
    const cases: Array<[() => unknown, string, RegExp]> = [
      [() => dbg.calls([Foo, 'bar'], undefined as unknown as number), 'ERR_NO_LIMIT', /needs a limit/],
      [() => dbg.calls([Foo, 'bar'], 0), 'ERR_NO_LIMIT', /whole number of calls >= 1\. Got: 0/],
      [() => dbg.calls([Foo, 'n'], 1), 'ERR_NOT_TRACEABLE', /Object\.n is not a function \(got 2\)/],
      [() => dbg.calls([Foo, 'nope'], 1), 'ERR_NOT_TRACEABLE', /Object\.nope is not a function/],
      [() => dbg.calls(42, 1), 'ERR_BAD_ARG', /expects 'Foo\.bar'/],
      [() => dbg.calls('not a path!', 1), 'ERR_BAD_ARG', /expects 'Foo\.bar'/],
      [() => dbg.calls('Missing.thing', 1), 'ERR_NOT_TRACEABLE', /Missing is not an object/],
      [() => dbg.calls([GenServer, 'call'], 1), 'ERR_NOT_TRACEABLE', /(fixed in place|getter).*scope: 'local'/],
      [() => dbg.calls([Foo, 'bar'], 1, { scope: 'local', return: true }), 'ERR_BAD_ARG', /sees calls but not their returns/],
      [() => dbg.calls([Foo, 'bar'], 1, { handler: 'me' as never }), 'ERR_BAD_ARG', /expects options/],
      [() => dbg.calls(Math.max, 1), 'ERR_NOT_TRACEABLE', /built in/],
      [() => dbg.calls(({ a }: { a: number }) => a, 1), 'ERR_NOT_TRACEABLE', /destructured parameters/],
    ];
    for (const [fn, code, message] of cases) {
      const err = (() => {
        try {
          fn();
        } catch (e) {
          return e as Error & { code: string };
        }
      })();
      assert.ok(err, `no error for ${fn}`);
      assert.is(err!.code, code, err!.message);
      assert.match(err!.message, message);
      assert.not.match(err!.message, /\n/);
    }
    assert.equal(dbg.traces(), []);
    dbg.calls([Foo, 'bar'], 1);
    assert.throws(() => dbg.calls([Foo, 'bar'], 1), /already traced/);
  }));

test('the record outlives its trace, and dbg.stop() empties it', () =>
  t.inside(async () => {
    const Foo = { bar: (x: string) => x };
    dbg.calls([Foo, 'bar'], 2, { record: true, return: true });
    Foo.bar('a');
    Foo.bar('b');
    await waitLine(/stopped at its limit/);
    const played = dbg.playback();
    assert.equal(played.map((e) => e.type), ['call', 'return', 'call', 'return']);
    assert.equal(played[0], { type: 'call', pid: self(), module: 'Object', function: 'bar', arity: 1, args: ['a'], time: played[0]!.time });
    assert.instance(played[0]!.time, Date);
    assert.is(dbg.stop(), 'ok');
    assert.equal(dbg.playback(), []);
  }));

test('a handler function gets the events in the tracer; one that throws ends its own trace only', () =>
  t.inside(async () => {
    const A = { f: () => 'a' };
    const B = { g: () => 'b' };
    const seen: Array<[string, Pid]> = [];
    dbg.calls([A, 'f'], 5, { handler: (e) => seen.push([e.type, self()]) });
    dbg.calls([B, 'g'], 5, { handler: () => { throw new Error('bad handler'); } });
    A.f();
    B.g();
    await waitLine(/trace of Object\.g stopped: its handler threw Error: bad handler/);
    assert.is(seen.length, 1);
    assert.is(processInfo(seen[0]![1])?.initialCall, 'dbgTracer', 'the handler ran in the tracer');
    A.f();
    await eventually(() => assert.is(seen.length, 2));
    assert.equal(dbg.traces().map((tr) => tr.what), ['Object.f']);
    assert.is(count(/call /), 0, 'a handler takes the place of the printed lines');
  }));

test("a pid handler gets ['trace', event]; when it exits, its trace ends", () =>
  t.inside(async () => {
    const Foo = { bar: (x: number) => x };
    dbg.calls([Foo, 'bar'], 5, { handler: self() });
    Foo.bar(7);
    const [, event] = (await receive(['trace', _], { after: 5000 })) as [string, { type: string; args: unknown[] }];
    assert.equal([event.type, event.args], ['call', [7]]);
    const [handler] = spawnMonitor(() => receive());
    dbg.stop();
    dbg.calls([Foo, 'bar'], 5, { handler });
    exit(handler, 'kill');
    await waitLine(new RegExp(`stopped: its handler ${handler.toString().replace(/[.<>]/g, '\\$&')} exited`));
    assert.equal(dbg.traces(), []);
  }));

test("scope 'local' sees the calls that do not go through the object, as dbg:tpl does", () =>
  t.inside(async () => {
    function getName(name: string) {
      return 'Fizz' + name;
    }
    const Foo = { bar: (name: string) => `Hello, my name is ${getName(name)}`, getName };
    dbg.calls([Foo, 'getName'], 5);
    Foo.bar('Local');
    Foo.getName('Direct');
    await waitLine(/Direct/);
    assert.equal(lines(), [`(${self()}) call Object.getName('Direct')`], 'the call inside bar did not go through Foo');
    dbg.stop();
    dbg.calls([Foo, 'getName'], 5, { scope: 'local' });
    assert.is(Foo.bar('Buzz'), 'Hello, my name is FizzBuzz');
    await waitLine(/'Buzz'/);
    assert.ok(lines().includes(`(${self()}) call Object.getName('Buzz')`));
  }));

test('a local trace of an arrow function names its parameters; at the limit the breakpoint and the inspector go', () =>
  t.inside(async () => {
    const add = (a: number, ...rest: number[]) => rest.reduce((s, x) => s + x, a);
    assert.is(dbg.calls(add, 2), 1);
    assert.is(add(1, 2, 3), 6);
    add(4);
    add(5);
    await waitLine(/stopped at its limit \(2 calls\)/);
    assert.equal(lines().slice(0, 2), [`(${self()}) call add(1, 2, 3)`, `(${self()}) call add(4)`]);
    await eventually(() => assert.is((globalThis as Record<symbol, unknown>)[HOOK], undefined, 'the inspector session is closed'));
  }));

test('a trace ends with the process that started it, and the tracer with its last trace', () =>
  t.inside(async () => {
    const bar = () => 1;
    const Foo = { bar };
    const [owner, ref] = spawnMonitor(async () => {
      dbg.calls([Foo, 'bar'], 10);
      await receive();
    });
    await eventually(() => assert.is(dbg.traces().length, 1));
    assert.is(tracers().length, 1);
    exit(owner, 'kill');
    await receive(['DOWN', ref, _, _, _]);
    await waitLine(new RegExp(`stopped: ${owner.toString().replace(/[.<>]/g, '\\$&')}, which started it, exited`));
    assert.is(Foo.bar, bar);
    await eventually(() => assert.is(tracers().length, 0));
  }));

test('a killed tracer leaves nothing behind: the next call puts the original back', () =>
  t.inside(async () => {
    const bar = () => 1;
    const Foo = { bar };
    trapExit(true); // the tracer is linked to this process: its death comes as a message
    dbg.calls([Foo, 'bar'], 10);
    const [tracer] = tracers();
    exit(tracer!, 'kill');
    await receive(['EXIT', tracer, 'killed']);
    assert.is(Foo.bar(), 1);
    assert.is(Foo.bar, bar);
  }));

test('dbg.stop() ends every trace at once: functions back, breakpoints gone, no tracer left', () =>
  t.inside(async () => {
    const bar = () => 1;
    function local() {
      return 2;
    }
    const Foo = { bar };
    dbg.calls([Foo, 'bar'], 10);
    dbg.calls(local, 10);
    const echo = spawn(() => receive());
    await dbg.messages(echo, 10);
    assert.is(dbg.traces().length, 3);
    assert.is(dbg.stop(), 'ok');
    assert.equal(dbg.traces(), []);
    assert.is(Foo.bar, bar);
    local();
    Foo.bar();
    await eventually(() => assert.is(tracers().length, 0));
    await eventually(() => assert.is((globalThis as Record<symbol, unknown>)[HOOK], undefined));
    assert.is(isAlive(echo), true);
    assert.equal(lines(), []);
  }));

test.run();
