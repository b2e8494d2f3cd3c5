/**
 * BasicServer, the hand-built clone: init, call, cast and stop on a bare receive loop,
 * with the same callback module GenServer runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as BasicServer from '../src/basic-server.ts';
import * as GenServer from '../src/genserver.ts';
import type { GenServerModule } from '../src/genserver.ts';
import { isAlive, monitor, receive, send, self, trapExit, whereis } from '../src/process/index.ts';
import { _ } from '../src/term.ts';
import { eachTestRuntime } from './support/each-runtime.ts';

const { inside } = eachTestRuntime();
let lastStates: unknown[];
test.before.each(() => {
  lastStates = [];
});

/** The item accumulator: cast ['add', item] to add, call 'listItems' to list. */
const ItemAccumulator: GenServerModule<string[]> = {
  init: (items: string[]) => ['ok', items],
  handleCall: (_req, _from, items) => ['reply', items, items],
  handleCast: ([, item]: [string, string], items) => ['noreply', [item, ...items]],
  terminate: (_reason, items) => void lastStates.push(items),
};

test('start runs init; cast changes the state and call reads it', async () => {
  const got = await inside(async () => {
    const [ok, pid] = BasicServer.start(ItemAccumulator, ['apples']);
    assert.is(BasicServer.cast(pid, ['add', 'oranges']), 'ok');
    return [ok, await BasicServer.call(pid, 'listItems')];
  });
  assert.equal(got, ['ok', ['oranges', 'apples']]);
});

test('a name registers the server; stop runs terminate with the last state and ends it', async () => {
  const got = await inside(async () => {
    const [, pid] = BasicServer.start(ItemAccumulator, [], { name: 'acc' });
    assert.ok(whereis('acc')!.equals(pid));
    BasicServer.cast('acc', ['add', 'figs']);
    const ref = monitor(pid);
    assert.is(BasicServer.stop('acc'), 'ok');
    const down = await receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
    return [down[4], whereis('acc')];
  });
  assert.equal(got, ['normal', undefined]);
  assert.equal(lastStates, [['figs']]);
});

test('stop with a reason ends the server with it; startLink passes it on to the caller', async () => {
  const got = await inside(async () => {
    trapExit(true);
    const [, pid] = BasicServer.startLink(ItemAccumulator, []);
    BasicServer.stop(pid, 'enough');
    return receive(['EXIT', pid, _], { after: 1000 });
  });
  assert.is(got[2], 'enough');
});

test("init returning ['stop', reason] ends the process with that reason", async () => {
  const got = await inside(async () => {
    const [, pid] = BasicServer.start({ init: () => ['stop', 'no_config'] });
    const ref = monitor(pid);
    return receive(['DOWN', ref, 'process', pid, _], { after: 1000 });
  });
  assert.is(got[4], 'no_config');
});

test('other messages are dropped and the loop goes on', async () => {
  const got = await inside(async () => {
    const [, pid] = BasicServer.start(ItemAccumulator, ['kiwis']);
    send(pid, 'noise');
    send(pid, ['who knows', 1]);
    return [await BasicServer.call(pid, 'listItems'), isAlive(pid)];
  });
  assert.equal(got, [['kiwis'], true]);
});

test('the same module runs under GenServer unchanged', async () => {
  const got = await inside(async () => {
    const pid = await GenServer.start(ItemAccumulator, ['pears']);
    GenServer.cast(pid, ['add', 'plums']);
    return GenServer.call(pid, 'listItems');
  });
  assert.equal(got, ['plums', 'pears']);
});

test('without a unique ref, a stray reply in the mailbox is taken for the answer', async () => {
  const got = await inside(async () => {
    const [, pid] = BasicServer.start(ItemAccumulator, ['real']);
    send(self(), ['reply', 'stray']);
    return BasicServer.call(pid, 'listItems');
  });
  assert.is(got, 'stray');
});

test.run();
