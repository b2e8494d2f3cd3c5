/**
 * dbg.messages on one node (other nodes: trace-cluster.test.ts): the dbg-style lines
 * for what a process receives, sends, spawns and how it exits; the flags; a flood
 * stopped at its limit; signals that arrive as messages; a newer trace replacing an
 * older one; and one-line errors for what cannot be traced.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { _ } from '../src/term.ts';
import { exit, monitor, processes, processInfo, receive, self, send, spawn, spawnLink, spawnMonitor, trapExit } from '../src/process/index.ts';
import * as dbg from '../src/trace/dbg.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually, exactly } from './support/eventually.ts';

const t = eachTestRuntime();
test.after.each(() => {
  dbg.stop();
});

const lines = () => t.logs.filter(([level]) => level === 'trace').map(([, text]) => text);
const waitLine = (re: RegExp) => eventually(() => assert.ok(lines().some((l) => re.test(l)), `no ${re} in:\n${lines().join('\n')}`));
const esc = (x: unknown) => String(x).replace(/[.<>()[\]]/g, '\\$&');

/** A process that answers [from, x] with x, spawns a helper each time, and ends on 'stop'. */
function echo() {
  return spawn(async function echoLoop() {
    for (;;) {
      const [from, x] = (await receive()) as [ReturnType<typeof self>, unknown];
      if (x === 'stop') return;
      send(from, x);
      spawn(function helper() {});
    }
  });
}

test('what arrives, what is sent, what is spawned and the exit, one dbg line each; the trace ends with the process', () =>
  t.inside(async () => {
    const pid = echo();
    assert.is(await dbg.messages(pid, 20), 'ok');
    send(pid, [self(), 'hi']);
    assert.is(await receive(), 'hi');
    send(pid, [self(), 'stop']);
    await waitLine(/stopped: the process exited/);
    const me = self();
    assert.equal(lines().map((l) => l.replace(/#PID<0\.\d+\.0> as helper/, 'CHILD as helper')), [
      `(${pid}) << [ ${me}, 'hi' ]`,
      `(${pid}) ${me} ! 'hi'`,
      `(${pid}) spawn CHILD as helper()`,
      `(${pid}) << [ ${me}, 'stop' ]`,
      `(${pid}) exit 'normal'`,
      `dbg: trace of ${pid} stopped: the process exited`,
    ]);
  }));

test('the flags choose what is reported', () =>
  t.inside(async () => {
    const pid = echo();
    await dbg.messages(pid, 20, { receive: false, procs: false });
    send(pid, [self(), 'one']);
    await receive();
    send(pid, [self(), 'stop']);
    const ref = monitor(pid);
    await receive(['DOWN', ref, _, _, _]);
    await waitLine(/stopped/);
    assert.equal(lines(), [`(${pid}) ${self()} ! 'one'`, `dbg: trace of ${pid} stopped: its agent ended`]);
  }));

test('a process sending a million messages reports exactly its limit, then runs untraced to the end', () =>
  t.inside(async () => {
    const [sink] = spawnMonitor(() => {});
    const [flood, ref] = spawnMonitor(async () => {
      await receive();
      for (let i = 0; i < 1_000_000; i++) send(sink, i);
    });
    await dbg.messages(flood, 10, { receive: false });
    send(flood, 'go');
    await receive(['DOWN', ref, _, _, 'normal'], { after: 30_000 });
    await waitLine(/stopped at its limit \(10 events\)/);
    await exactly(() => lines().filter((l) => l.includes(' ! ')).length, 10, { what: 'send lines' });
    assert.is(lines().at(-1), `dbg: trace of ${flood} stopped at its limit (10 events)`);
  }));

test("signals that arrive as messages ('EXIT', 'DOWN') are receives too", () =>
  t.inside(async () => {
    const watcher = spawn(async () => {
      trapExit(true);
      await receive('go');
      spawnLink(() => {
        throw new Error('crash');
      });
      monitor(spawn(() => {}));
      await receive();
    });
    await dbg.messages(watcher, 5, { send: false, procs: false });
    send(watcher, 'go');
    await waitLine(/<< \[ 'DOWN'/);
    const [go, exited, down] = lines();
    assert.is(go, `(${watcher}) << 'go'`);
    assert.match(exited!, new RegExp(`^\\(${esc(watcher)}\\) << \\[ 'EXIT', #PID<0\\.\\d+\\.0>, Error: crash`));
    assert.match(down!, new RegExp(`^\\(${esc(watcher)}\\) << \\[ 'DOWN', #Reference<[\\d.]+>, 'process', #PID<0\\.\\d+\\.0>, 'noproc' \\]$`));
  }));

test('a newer trace of the same process replaces the older one, which says so', () =>
  t.inside(async () => {
    const pid = echo();
    await dbg.messages(pid, 10);
    await dbg.messages(pid, 10, { send: false });
    await waitLine(/replaced it/);
    assert.equal(lines(), [`dbg: trace of ${pid} stopped: a newer trace of the process replaced it`]);
    send(pid, [self(), 'x']);
    await waitLine(/<</);
    await receive();
    assert.equal(dbg.traces().map((tr) => tr.kind), ['messages']);
    assert.not.ok(lines().some((l) => l.includes(' ! ')));
  }));

test('what cannot be traced is a one-line error with a stable code', async () => {
  const dead = await t.inside(() => spawn(() => {}));
  await t.inside(async () => {
    const pid = echo();
    await dbg.messages(pid, 1);
    const tracer = processes().find((p) => processInfo(p)?.initialCall === 'dbgTracer')!;
    const cases: Array<[Promise<unknown>, string, RegExp]> = [
      [dbg.messages(dead, 5), 'ERR_NOPROC', new RegExp(`no process ${esc(dead)}`)],
      [dbg.messages('nobody', 5), 'ERR_NOPROC', /no process nobody/],
      [dbg.messages(42, 5), 'ERR_BAD_ARG', /expects a pid, a registered name or \[name, node\]\. Got: 42/],
      [dbg.messages(pid, undefined as unknown as number), 'ERR_NO_LIMIT', /needs a limit/],
      [dbg.messages(pid, 5, { send: false, receive: false, procs: false }), 'ERR_BAD_ARG', /nothing to trace/],
      [dbg.messages(tracer, 5), 'ERR_NOT_TRACEABLE', /part of the tracing machinery/],
    ];
    for (const [attempt, code, message] of cases) {
      const err = (await attempt.then(() => null, (e) => e)) as (Error & { code: string }) | null;
      assert.ok(err, `no error for ${message}`);
      assert.is(err!.code, code, err!.message);
      assert.match(err!.message, message);
      assert.not.match(err!.message, /\n/);
    }
    assert.equal(dbg.traces().map((tr) => tr.what), [String(pid)]);
    exit(pid, 'kill');
  });
});

test.run();
