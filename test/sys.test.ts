/**
 * sys on one node (servers of other nodes: trace-cluster.test.ts): getState and
 * replaceState through the server's loop, the `*DBG*` lines of sys.trace for every kind
 * of message, and what fails: a process that is not a GenServer, a server that is gone,
 * a function that throws.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { _ } from '../src/term.ts';
import { exit, monitor, receive, self, send, spawn } from '../src/process/index.ts';
import * as GenServer from '../src/genserver.ts';
import * as sys from '../src/trace/sys.ts';
import * as dbg from '../src/trace/dbg.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually, exactly } from './support/eventually.ts';

const t = eachTestRuntime();
test.after.each(() => {
  dbg.stop();
});

/** The error `attempt` rejects with. */
const failure = (attempt: Promise<unknown>) => attempt.then(() => assert.unreachable('it resolved') as never, (e: Error & { code: string }) => e);
const lines = () => t.logs.filter(([level]) => level === 'trace').map(([, text]) => text);

const ItemAccumulator: GenServer.GenServerModule<string[]> = {
  init: (items) => ['ok', items],
  handleCall: (_req, _from, items) => ['reply', items, items],
  handleCast: ([, item], items) => ['noreply', [item, ...items]],
  handleInfo: (_msg, items) => ['noreply', items],
  handleContinue: (item, items) => ['noreply', [...items, item]],
};

test('getState and replaceState go through the loop, not the callbacks', () =>
  t.inside(async () => {
    await GenServer.start(ItemAccumulator, ['apples'], { name: 'acc' });
    assert.equal(await sys.getState('acc'), ['apples']);
    assert.equal(await sys.replaceState('acc', (items: string[]) => [...items, 'pears']), ['apples', 'pears']);
    assert.equal(await GenServer.call('acc', 'list'), ['apples', 'pears']);
    assert.equal(t.logs, [], 'no unexpected message reached handleInfo');
  }));

test('a replaceState function that throws or gives a promise leaves the state as it was', () =>
  t.inside(async () => {
    await GenServer.start(ItemAccumulator, ['apples'], { name: 'acc' });
    const threw = await failure(sys.replaceState('acc', () => { throw new Error('nope'); }));
    assert.is(threw.code, 'ERR_CALLBACK');
    assert.is(threw.message, "sys.replaceState: the function threw Error: nope; the state of 'acc' is unchanged");
    const promised = await failure(sys.replaceState('acc', async () => ['x']));
    assert.is(promised.code, 'ERR_CALLBACK');
    assert.match(promised.message, /returned a promise/);
    assert.equal(await sys.getState('acc'), ['apples']);
  }));

test('what is not a running GenServer is a one-line error', () =>
  t.inside(async () => {
    const plain = spawn(async function healthCheck() {
      await receive();
    });
    const notServer = await failure(sys.getState(plain));
    assert.is(notServer.code, 'ERR_BAD_ARG');
    assert.is(notServer.message, `sys.getState: ${plain} is not a GenServer (it runs healthCheck)`);
    const gone = await failure(sys.getState('nobody', 100));
    assert.is(gone.code, 'ERR_NOPROC');
    assert.match(gone.message, /^exited in: sys\.getState\('nobody', 100\)\n/);
    const notFn = await failure(sys.replaceState(plain, 42 as never));
    assert.is(notFn.code, 'ERR_BAD_ARG');
    const notFlag = await failure(sys.trace(plain, 'yes' as never));
    assert.is(notFlag.code, 'ERR_BAD_ARG');
  }));

test('sys.trace prints what the server handles and its new state, for calls, casts, infos and continues', () =>
  t.inside(async () => {
    const pid = await GenServer.start(ItemAccumulator, [], { name: 'acc' });
    assert.is(await sys.trace('acc', true), 'ok');
    GenServer.cast('acc', ['add', 'apples']);
    assert.equal(await GenServer.call('acc', 'list'), ['apples']);
    send(pid, 'hello');
    await exactly(() => lines().length, 6, { what: 'trace lines' });
    const me = self();
    assert.equal(lines(), [
      "*DBG* acc got cast [ 'add', 'apples' ]",
      "*DBG* acc new state [ 'apples' ]",
      `*DBG* acc got call 'list' from ${me}`,
      `*DBG* acc sent [ 'apples' ] to ${me}, new state [ 'apples' ]`,
      "*DBG* acc got 'hello'",
      "*DBG* acc new state [ 'apples' ]",
    ]);
    assert.is(await sys.trace('acc', false), 'ok');
    GenServer.cast('acc', ['add', 'figs']);
    assert.equal(await GenServer.call('acc', 'list'), ['figs', 'apples']);
    assert.is(lines().length, 6, 'nothing after sys.trace(false)');
    assert.equal(dbg.traces(), []);
  }));

test('a continue shows; the trace ends when the server exits', () =>
  t.inside(async () => {
    const Later: GenServer.GenServerModule<string[]> = { ...ItemAccumulator, handleCast: (item, items) => ['noreply', items, { continue: item }] };
    const pid = await GenServer.start(Later, []);
    await sys.trace(pid, true);
    GenServer.cast(pid, 'kiwis');
    await eventually(() => assert.ok(lines().includes(`*DBG* ${pid} new state [ 'kiwis' ]`), lines().join('\n')));
    assert.ok(lines().includes(`*DBG* ${pid} continue 'kiwis'`));
    const ref = monitor(pid);
    exit(pid, 'kill');
    await receive(['DOWN', ref, _, _, _]);
    await eventually(() => assert.is(lines().at(-1), `dbg: sys trace of ${pid} stopped: the server exited`));
  }));

test.run();
