/**
 * Supervisor: start order and reverse stop order, the three strategies, restart types,
 * restart intensity, shutdown times, the child management calls, and bad specs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as Supervisor from '../src/supervisor.ts';
import { SupervisorError, type Child } from '../src/supervisor.ts';
import * as GenServer from '../src/genserver.ts';
import { GenServerError, type GenServerModule } from '../src/genserver.ts';
import { exit, isAlive, monitor, receive, self, spawnLink, trapExit, whereis } from '../src/process/index.ts';
import { Pid, _ } from '../src/term.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually } from './support/eventually.ts';

const t = eachTestRuntime();
const { inside } = t;
/** What the workers did, in order: 'start a', 'stop a shutdown', ... */
let events: string[];
test.before.each(() => {
  events = [];
});

/**
 * A worker registered under its name that records its start and its terminate (it traps
 * exits, so a supervisor's 'shutdown' runs terminate); a cast of a reason stops it with it.
 */
const Worker: GenServerModule<string> = {
  init(name: string) {
    trapExit(true);
    events.push(`start ${name}`);
    return ['ok', name];
  },
  handleCall: (_req, _from, name) => ['reply', name, name],
  handleCast: (reason, name) => ['stop', reason, name],
  terminate(reason, name) {
    events.push(`stop ${name} ${String(reason)}`);
  },
};

const worker = (id: string, extra: Partial<Supervisor.ChildSpec> = {}): Supervisor.ChildSpec => ({
  id,
  start: [GenServer.startLink, Worker, id, { name: id }],
  ...extra,
});

const pidOf = (name: string) => whereis(name)!;
const crash = (name: string) => GenServer.cast(name, 'boom');
const waitFor = (check: () => void | Promise<void>) => eventually(check, { timeout: 2000, interval: 1 });

test('children start in order, are listed and counted, and stop in reverse order', async () => {
  await inside(async () => {
    const sup = await Supervisor.start([worker('a'), worker('b'), worker('c')], { strategy: 'one_for_one', name: 'sup' });
    assert.equal(events, ['start a', 'start b', 'start c']);
    const children = await Supervisor.whichChildren('sup');
    assert.equal(children, [['a', pidOf('a'), 'worker'], ['b', pidOf('b'), 'worker'], ['c', pidOf('c'), 'worker']]);
    assert.equal(await Supervisor.countChildren(sup), { specs: 3, active: 3, supervisors: 0, workers: 3 });
    assert.is(await Supervisor.stop(sup), 'ok');
  });
  assert.equal(events.slice(3), ['stop c shutdown', 'stop b shutdown', 'stop a shutdown']);
  assert.is(t.logs.length, 0);
});

test('one_for_one restarts only the child that crashed, and logs its end', async () => {
  await inside(async () => {
    await Supervisor.start([worker('a'), worker('b')], { strategy: 'one_for_one' });
    const [a, b] = [pidOf('a'), pidOf('b')];
    crash('a');
    await waitFor(() => assert.ok(whereis('a') && !pidOf('a').equals(a)));
    assert.ok(pidOf('b').equals(b));
  });
  assert.equal(events, ['start a', 'start b', 'stop a boom', 'start a']);
  assert.ok(t.logs.some(([level, text]) => level === 'error' && /child 'a' \(#PID<0\.\d+\.0>\) terminated\n\*\* \(exit\) 'boom'/.test(text)));
});

test('one_for_all stops the others, last first, and restarts them all in order', async () => {
  await inside(async () => {
    await Supervisor.start([worker('a'), worker('b'), worker('c')], { strategy: 'one_for_all' });
    crash('b');
    await waitFor(() => assert.is(events.length, 9));
  });
  assert.equal(events.slice(3), ['stop b boom', 'stop c shutdown', 'stop a shutdown', 'start a', 'start b', 'start c']);
});

test('rest_for_one restarts the crashed child and those started after it', async () => {
  await inside(async () => {
    await Supervisor.start([worker('a'), worker('b'), worker('c')], { strategy: 'rest_for_one' });
    const a = pidOf('a');
    crash('b');
    await waitFor(() => assert.is(events.length, 7));
    assert.ok(pidOf('a').equals(a));
  });
  assert.equal(events.slice(3), ['stop b boom', 'stop c shutdown', 'start b', 'start c']);
});

test('transient children restart only after an abnormal exit; temporary ones never, and are forgotten', async () => {
  await inside(async () => {
    const sup = await Supervisor.start(
      [worker('t', { restart: 'transient' }), worker('x', { restart: 'temporary' })],
      { strategy: 'one_for_one' },
    );
    await GenServer.stop('t', 'normal');
    await waitFor(async () => assert.equal(await Supervisor.whichChildren(sup), [['t', 'undefined', 'worker'], ['x', pidOf('x'), 'worker']]));
    await Supervisor.restartChild(sup, 't');
    crash('t');
    await waitFor(() => assert.is(events.filter((e) => e === 'start t').length, 3));
    crash('x');
    await waitFor(async () => assert.equal((await Supervisor.whichChildren(sup)).map(([id]) => id), ['t']));
  });
  assert.is(events.filter((e) => e === 'start x').length, 1);
});

test('too many restarts take the supervisor down with a report, children stopped first', async () => {
  const down = await inside(async () => {
    const sup = await Supervisor.start([worker('a'), worker('b')], { strategy: 'one_for_one', intensity: 2, period: 5000, name: 'fragile' });
    const ref = monitor(sup);
    for (let i = 0; i < 3; i++) {
      const before = pidOf('a');
      crash('a');
      if (i < 2) await waitFor(() => assert.ok(whereis('a') && !pidOf('a').equals(before)));
    }
    return receive(['DOWN', ref, 'process', sup, _], { after: 2000 });
  });
  assert.is(down[4], 'shutdown');
  assert.equal(events.slice(-2), ['stop a boom', 'stop b shutdown']);
  const report = t.logs.find(([, text]) => text.includes('maximum restart intensity'));
  assert.ok(report);
  assert.match(report![1], /Supervisor #PID<0\.\d+\.0> \(fragile\) shutting down: reached its maximum restart intensity \(2 restarts in 5000 ms\); last child: 'a'/);
});

test('a child that ignores shutdown is killed after its shutdown time; brutal_kill kills at once', async () => {
  async function ignoresShutdown() {
    trapExit(true);
    for (;;) await receive();
  }
  const got = await inside(async () => {
    const sup = await Supervisor.start(
      [
        { id: 'stubborn', start: [spawnLink, ignoresShutdown], shutdown: 30 },
        { id: 'brutal', start: () => GenServer.startLink(Worker, 'brutal'), shutdown: 'brutal_kill' },
      ],
      { strategy: 'one_for_one' },
    );
    const refs = (await Supervisor.whichChildren(sup)).map(([, pid]) => monitor(pid as Pid));
    await Supervisor.stop(sup);
    const downs = [];
    for (const ref of refs) downs.push((await receive(['DOWN', ref, 'process', _, _], { after: 1000 }))[4]);
    return downs;
  });
  assert.equal(got, ['killed', 'killed']);
  assert.equal(events, ['start brutal']); // brutal_kill: terminate never ran
  assert.ok(t.logs.some(([, text]) => /child 'stubborn' \(#PID<0\.\d+\.0>\) did not shut down cleanly\n\*\* \(exit\) 'killed'/.test(text)));
});

test('a child that fails to start stops the ones before it and start rejects', async () => {
  const err = (await inside(() =>
    Supervisor.start(
      [worker('a'), { id: 'bad', start: () => GenServer.startLink({ init: () => ['stop', 'no_db'] }) }, worker('c')],
      { strategy: 'one_for_one' },
    ).catch((e) => e),
  )) as GenServerError;
  assert.instance(err, GenServerError);
  assert.equal(err.reason, ['shutdown', ['failed_to_start_child', 'bad', 'no_db']]);
  assert.equal(events, ['start a', 'stop a shutdown']);
});

test('terminateChild, restartChild, deleteChild and startChild manage children by id', async () => {
  await inside(async () => {
    const sup = await Supervisor.start([worker('a')], { strategy: 'one_for_one' });
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: SupervisorError) => e.code);
    assert.is(await codeOf(Supervisor.deleteChild(sup, 'a')), 'ERR_RUNNING');
    assert.is(await codeOf(Supervisor.restartChild(sup, 'a')), 'ERR_RUNNING');
    assert.is(await Supervisor.terminateChild(sup, 'a'), 'ok');
    assert.is(whereis('a'), undefined);
    const again = await Supervisor.restartChild(sup, 'a');
    assert.ok(again.equals(pidOf('a')));
    const b = await Supervisor.startChild(sup, worker('b'));
    assert.ok(b.equals(pidOf('b')));
    const dup = (await Supervisor.startChild(sup, worker('b')).catch((e) => e)) as SupervisorError;
    assert.is(dup.code, 'ERR_ALREADY_STARTED');
    assert.equal(dup.reason, ['already_started', b]);
    await Supervisor.terminateChild(sup, 'b');
    assert.is(await codeOf(Supervisor.startChild(sup, worker('b'))), 'ERR_ALREADY_PRESENT');
    assert.is(await Supervisor.deleteChild(sup, 'b'), 'ok');
    assert.is(await codeOf(Supervisor.terminateChild(sup, 'b')), 'ERR_NOT_FOUND');
    const failed = (await Supervisor.startChild(sup, { id: 'f', start: () => GenServer.startLink({ init: () => ['stop', 'nope'] }) }).catch((e) => e)) as SupervisorError;
    assert.is(failed.code, 'ERR_START_CHILD');
    assert.is(failed.reason, 'nope');
    assert.equal((await Supervisor.whichChildren(sup)).map(([id]) => id), ['a']);
  });
});

test('children as GenServer modules, [module, arg], childSpec, and [fn, ...args] with spawnLink', async () => {
  class Named {
    init(arg: unknown) {
      return ['ok', arg] as const;
    }
    handleCall(_r: unknown, _f: unknown, s: unknown) {
      return ['reply', s, s] as const;
    }
  }
  const WithSpec = {
    init: (arg: unknown) => ['ok', arg] as const,
    childSpec: (arg: unknown): Supervisor.ChildSpec => ({ id: ['with_spec', arg], start: () => GenServer.startLink(WithSpec, arg), restart: 'temporary' }),
  };
  const got = await inside(async () => {
    const children: Child[] = [new Named(), [WithSpec, 7], { id: 'raw', start: [spawnLink, () => receive()] }];
    const sup = await Supervisor.start(children, { strategy: 'one_for_one' });
    const list = await Supervisor.whichChildren(sup);
    return [list.map(([id]) => id), await GenServer.call(list[0]![1] as Pid, 'x'), list.every(([, pid]) => isAlive(pid as Pid))];
  });
  assert.equal(got, [['Named', ['with_spec', 7], 'raw'], undefined, true]);
});

test('a supervisor under a supervisor: stopping the top stops the whole tree, bottom-up', async () => {
  await inside(async () => {
    const sup = await Supervisor.start(
      [worker('a'), { id: 'sub', start: [Supervisor.startLink, [worker('b'), worker('c')], { strategy: 'one_for_one' }], type: 'supervisor' }],
      { strategy: 'one_for_one' },
    );
    assert.equal(await Supervisor.countChildren(sup), { specs: 2, active: 2, supervisors: 1, workers: 1 });
    await Supervisor.stop(sup);
  });
  assert.equal(events, ['start a', 'start b', 'start c', 'stop c shutdown', 'stop b shutdown', 'stop a shutdown']);
});

test('a failed restart is retried and counts toward the intensity', async () => {
  let starts = 0;
  const down = await inside(async () => {
    const sup = await Supervisor.start(
      [{ id: 'flaky', start: () => (starts++ === 0 ? GenServer.startLink(Worker, 'flaky', { name: 'flaky' }) : Promise.reject(new Error('no luck'))) }],
      { strategy: 'one_for_one', intensity: 3 },
    );
    const ref = monitor(sup);
    crash('flaky');
    return receive(['DOWN', ref, 'process', sup, _], { after: 2000 });
  });
  assert.is(down[4], 'shutdown');
  assert.is(starts, 4);
});

test('bad options and child specs are refused before anything starts, naming what is accepted', async () => {
  await inside(async () => {
    const msg = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
    assert.match(await msg(Supervisor.start([], { strategy: 'one_for_some' } as never)), /strategy 'one_for_one', 'one_for_all' or 'rest_for_one'\. Got: \{ strategy: 'one_for_some' \}/);
    assert.match(await msg(Supervisor.start([], { strategy: 'one_for_one', intensity: -1 })), /intensity: integer >= 0/);
    assert.match(await msg(Supervisor.start([{ start: () => self() } as never], { strategy: 'one_for_one' })), /bad child spec: it needs an id/);
    assert.match(await msg(Supervisor.start([{ id: 'x', start: 'go' } as never], { strategy: 'one_for_one' })), /start must be \[fn, \.\.\.args\] or a function/);
    assert.match(await msg(Supervisor.start([worker('a', { restart: 'sometimes' as never })], { strategy: 'one_for_one' })), /restart must be/);
    assert.match(await msg(Supervisor.start([worker('a', { shutdown: -5 })], { strategy: 'one_for_one' })), /shutdown must be ms >= 0/);
    assert.match(await msg(Supervisor.start([worker('a'), worker('a')], { strategy: 'one_for_one' })), /two children have the id 'a'/);
    assert.match(await msg(Supervisor.start([{ init: () => ['ok', 1] }], { strategy: 'one_for_one' })), /a module without a name needs a full child spec/);
    assert.match(await msg(Supervisor.start([{ id: 'n', start: () => 42 as never }], { strategy: 'one_for_one' })), /failed to start/);
  });
  assert.equal(events, []);
});

test.run();
