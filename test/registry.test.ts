/**
 * Registry: unique and duplicate keys, reads, dispatch, cleanup when owners exit, and
 * the errors of misuse.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as Registry from '../src/registry.ts';
import { RegistryError } from '../src/registry.ts';
import * as GenServer from '../src/genserver.ts';
import * as Supervisor from '../src/supervisor.ts';
import { exit, processInfo, receive, self, send, spawn } from '../src/process/index.ts';
import { Pid } from '../src/term.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually } from './support/eventually.ts';

const t = eachTestRuntime();
const { inside } = t;

/** A process that registers itself under `key` and waits for 'stop'; resolves with its pid once registered. */
async function member(registry: string, key: unknown, value: unknown): Promise<Pid> {
  const me = self();
  const pid = spawn(async () => {
    Registry.register(registry, key, value);
    send(me, ['registered', self()]);
    await receive('stop');
  });
  await receive(['registered', pid], { after: 1000 });
  return pid;
}

test('unique keys: register, lookup, values, keys and count', async () => {
  await inside(async () => {
    await Registry.start({ keys: 'unique', name: 'names' });
    assert.is(Registry.register('names', 'bob', { role: 'admin' }), 'ok');
    Registry.register('names', ['room', 1], 'seat 4');
    const me = self();
    assert.equal(Registry.lookup('names', 'bob'), [[me, { role: 'admin' }]]);
    assert.equal(Registry.lookup('names', ['room', 1]), [[me, 'seat 4']]);
    assert.equal(Registry.lookup('names', 'nobody'), []);
    assert.equal(Registry.values('names', 'bob', me), [{ role: 'admin' }]);
    assert.equal(Registry.keys('names', me), ['bob', ['room', 1]]);
    assert.is(Registry.count('names'), 2);
  });
});

test('a unique key held by a live process is refused with already_registered', async () => {
  await inside(async () => {
    await Registry.start({ keys: 'unique', name: 'names' });
    const other = await member('names', 'bob', 1);
    try {
      Registry.register('names', 'bob', 2);
      assert.unreachable('register should throw');
    } catch (err) {
      assert.instance(err, RegistryError);
      assert.is((err as RegistryError).code, 'ERR_ALREADY_REGISTERED');
      assert.equal((err as RegistryError).reason, ['already_registered', other]);
    }
    assert.equal(Registry.lookup('names', 'bob'), [[other, 1]]);
  });
});

test('duplicate keys: several processes, and one process several times; dispatch gets them all', async () => {
  await inside(async () => {
    await Registry.start({ keys: 'duplicate', name: 'topics' });
    const a = await member('topics', 'news', 'a');
    Registry.register('topics', 'news', 'me 1');
    Registry.register('topics', 'news', 'me 2');
    const me = self();
    assert.equal(Registry.lookup('topics', 'news'), [[a, 'a'], [me, 'me 1'], [me, 'me 2']]);
    assert.equal(Registry.values('topics', 'news', me), ['me 1', 'me 2']);
    assert.equal(Registry.keys('topics', me), ['news', 'news']);
    const seen: unknown[] = [];
    assert.is(Registry.dispatch('topics', 'news', (entries) => entries.forEach(([pid, v]) => seen.push([pid, v]))), 'ok');
    assert.is(seen.length, 3);
    let called = false;
    Registry.dispatch('topics', 'quiet', () => (called = true));
    assert.not.ok(called);
    Registry.unregister('topics', 'news');
    assert.equal(Registry.lookup('topics', 'news'), [[a, 'a']]);
    assert.is(Registry.count('topics'), 1);
  });
});

test('entries vanish when their owner exits, and the registry drops its monitor', async () => {
  await inside(async () => {
    const reg = await Registry.start({ keys: 'duplicate', name: 'topics' });
    const a = await member('topics', 'news', 1);
    const b = await member('topics', 'sport', 2);
    assert.is(processInfo(reg)!.monitors.length, 2);
    exit(a, 'kill');
    await eventually(() => assert.equal(Registry.lookup('topics', 'news'), []), { timeout: 1000, interval: 1 });
    assert.equal(Registry.keys('topics', a), []);
    assert.is(Registry.count('topics'), 1);
    assert.is(processInfo(reg)!.monitors.length, 1);
    send(b, 'stop');
    await eventually(() => assert.is(Registry.count('topics'), 0), { timeout: 1000, interval: 1 });
    assert.is(processInfo(reg)!.monitors.length, 0);
  });
});

test('unregistering the last key drops the monitor; a dead holder frees a unique key at once', async () => {
  await inside(async () => {
    const reg = await Registry.start({ keys: 'unique', name: 'names' });
    Registry.register('names', 'me', 1);
    assert.is(processInfo(reg)!.monitors.length, 1);
    Registry.unregister('names', 'me');
    assert.is(processInfo(reg)!.monitors.length, 0);
    const a = await member('names', 'seat', 'a');
    exit(a, 'kill');
    Registry.register('names', 'seat', 'mine'); // before the registry has seen a's DOWN
    assert.equal(Registry.lookup('names', 'seat'), [[self(), 'mine']]);
    // The DOWN of a was queued at the registry when a died: once its mailbox is empty and
    // it waits again, it has handled it, and must have left the new holder alone.
    await eventually(() => assert.equal([processInfo(reg)!.messageQueueLen, processInfo(reg)!.status], [0, 'waiting']));
    assert.equal(Registry.lookup('names', 'seat'), [[self(), 'mine']]);
  });
});

test('a stopped or killed registry is unknown; its name can be used again', async () => {
  await inside(async () => {
    await Registry.start({ keys: 'unique', name: 'names' });
    assert.ok(Registry.whereis('names') instanceof Pid);
    await GenServer.stop('names');
    assert.is(Registry.whereis('names'), undefined);
    assert.throws(() => Registry.lookup('names', 'x'), (e: RegistryError) => e.code === 'ERR_UNKNOWN_REGISTRY' && /Registry\.start\(\{ keys: 'unique', name: 'names' \}\)/.test(e.message));
    const again = await Registry.start({ keys: 'duplicate', name: 'names' });
    exit(again, 'kill');
    assert.is(Registry.whereis('names'), undefined);
    assert.throws(() => Registry.count('names'), /unknown registry: 'names'/);
  });
});

test('misuse gets clear errors: bad options, taken name, no process, bad arguments', async () => {
  await inside(async () => {
    for (const bad of [null, { keys: 'many', name: 'x' }, { keys: 'unique' }, { keys: 'unique', name: '' }]) {
      try {
        await Registry.start(bad as never);
        assert.unreachable('start should reject');
      } catch (err) {
        assert.is((err as RegistryError).code, 'ERR_BAD_ARG');
        assert.match((err as Error).message, /expected \{ keys: 'unique' \| 'duplicate', name: non-empty string \}\. Got: /);
      }
    }
    await Registry.start({ keys: 'unique', name: 'names' });
    const taken = await Registry.start({ keys: 'unique', name: 'names' }).catch((e) => e);
    assert.is(taken.code, 'ERR_ALREADY_STARTED');
    assert.throws(() => Registry.keys('names', 'x' as never), /Registry\.keys expects a pid\. Got: 'x'/);
    assert.throws(() => Registry.dispatch('names', 'k', 5 as never), /dispatch expects a function/);
    assert.throws(() => Registry.lookup(7 as never, 'k'), /a registry is named by a string/);
  });
  assert.throws(() => Registry.register('names', 'k', 1), (e: RegistryError) => e.code === 'ERR_NO_PROCESS');
});

test('a registry runs as a supervised child, and comes back empty after a crash', async () => {
  await inside(async () => {
    await Supervisor.start([{ id: 'reg', start: () => Registry.startLink({ keys: 'duplicate', name: 'sub' }) }], { strategy: 'one_for_one' });
    Registry.register('sub', 't', 1);
    const first = Registry.whereis('sub')!;
    exit(first, 'boom');
    await eventually(() => assert.ok(Registry.whereis('sub') && !Registry.whereis('sub')!.equals(first)), { timeout: 1000, interval: 1 });
    assert.equal(Registry.lookup('sub', 't'), []);
  });
});

test.run();
