import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as PubSub from '../src/pubsub/index.ts';
import * as pg from '../src/pg.ts';
import { exit, flush, receive, self, send, spawn, TIMEOUT } from '../src/process/index.ts';
import type { Node } from '../src/node/index.ts';
import { _, type Pid } from '../src/term.ts';
import { inProcess, startCluster, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';

/** Runs `fn` in a process of `node` and gives back its result. */
const on = <T>(node: Node, fn: () => T | Promise<T>): Promise<T> => inProcess(node.runtime, fn);

/** A subscriber of `topic` on `node` that forwards what it gets to `to`, tagged with its node. */
function subscriber(node: Node, to: Pid, topic: string, pubsub = 'PubSub'): Promise<Pid> {
  return on(node, () =>
    spawn(async () => {
      PubSub.subscribe(topic, pubsub);
      send(to, ['subscribed', self()]);
      for (;;) send(to, ['got', node.name, await receive()]);
    }),
  );
}

/**
 * Takes exactly `n` deliveries `['got', node, msg]`, as sorted "node msg" strings: fails
 * if they do not all come, or if one more comes within `quiet` ms after the last.
 */
async function collect(n: number, quiet = 300): Promise<string[]> {
  const got: string[] = [];
  const text = (m: [string, string, unknown]) => `${m[1].split('@')[0]} ${JSON.stringify(m[2])}`;
  while (got.length < n) {
    const m = await receive(['got', _, _], { after: 5000 });
    if (m === TIMEOUT) throw new Error(`expected ${n} deliveries, got ${got.length}: ${got.join(', ')}`);
    got.push(text(m));
  }
  const extra = await receive(['got', _, _], { after: quiet });
  if (extra !== TIMEOUT) throw new Error(`a delivery more than the ${n} expected: ${text(extra)} after ${got.join(', ')}`);
  return got.sort();
}

const Local = suite<{ c: Cluster; a: Node; b: Node; d: Node; test: Node }>('PubSub on in-process nodes');

Local.before(async (ctx) => {
  ctx.c = await startCluster();
  ctx.a = await ctx.c.local('psa', { tickTime: 2000 });
  ctx.b = await ctx.c.local('psb', { tickTime: 2000 });
  ctx.d = await ctx.c.local('psd', { tickTime: 2000 });
  for (const n of [ctx.a, ctx.b, ctx.d]) {
    await on(n, async () => {
      pg.startScope();
      await PubSub.start();
      await PubSub.start({ name: 'other' });
    });
  }
  assert.ok(await ctx.a.connect(ctx.b.name));
  assert.ok(await ctx.a.connect(ctx.d.name));
  await eventually(() => on(ctx.a, () => assert.is(pg.getMembers(['PubSub', 'PubSub']).length, 3)));
  await eventually(() => on(ctx.b, () => assert.is(pg.getMembers(['PubSub', 'PubSub']).length, 3)));
  await eventually(() => on(ctx.d, () => assert.is(pg.getMembers(['PubSub', 'PubSub']).length, 3)));
});

Local.after(async (ctx) => {
  await ctx.c?.stop();
});

Local('publish reaches subscribers on every node, once each', async ({ a, b, d }) => {
  const got = await on(a, async () => {
    const me = self();
    await subscriber(a, me, 'news');
    await subscriber(b, me, 'news');
    await subscriber(b, me, 'news');
    await subscriber(d, me, 'sport');
    for (let i = 0; i < 4; i++) await receive(['subscribed', _]);
    PubSub.publish('news', 'hello');
    return collect(3);
  });
  assert.equal(got, ['psa "hello"', 'psb "hello"', 'psb "hello"']);
});

Local('a publish sends exactly one message to each other node', async ({ a, b, d }) => {
  await on(a, async () => {
    const me = self();
    for (let i = 0; i < 20; i++) await subscriber(b, me, 'fan');
    for (let i = 0; i < 20; i++) await subscriber(d, me, 'fan');
    for (let i = 0; i < 40; i++) await receive(['subscribed', _]);
    const before = a.stats();
    PubSub.publish('fan', 1);
    PubSub.publish('fan', 2);
    const after = a.stats();
    assert.is(after[b.name]!.sent - before[b.name]!.sent, 2);
    assert.is(after[d.name]!.sent - before[d.name]!.sent, 2);
    assert.is((await collect(80)).length, 80);
  });
});

Local('broadcastFrom skips the sender; localBroadcast and directBroadcast stay on one node', async ({ a, b, d }) => {
  const got = await on(a, async () => {
    const me = self();
    const local = await subscriber(a, me, 'room');
    await subscriber(b, me, 'room');
    await subscriber(d, me, 'room');
    for (let i = 0; i < 3; i++) await receive(['subscribed', _]);
    PubSub.broadcastFrom(local, 'room', 'from-a');
    PubSub.localBroadcast('room', 'only-a');
    PubSub.directBroadcast(d.name, 'room', 'only-d');
    return collect(4);
  });
  assert.equal(got, ['psa "only-a"', 'psb "from-a"', 'psd "from-a"', 'psd "only-d"']);
});

Local('unsubscribe removes every subscription of the caller to that topic', async ({ a }) => {
  await on(a, async () => {
    PubSub.subscribe('twice');
    PubSub.subscribe('twice');
    PubSub.subscribe('kept');
    PubSub.publish('twice', 't');
    assert.equal(flush(), ['t', 't']);
    PubSub.unsubscribe('twice');
    PubSub.publish('twice', 'gone');
    PubSub.publish('kept', 'k');
    assert.is(await receive('gone', { after: 200 }), TIMEOUT);
    assert.equal(flush(), ['k']);
  });
});

Local('subscribers that exit are removed', async ({ a, b }) => {
  await on(a, async () => {
    const me = self();
    const pid = await subscriber(b, me, 'mortal');
    await receive(['subscribed', _]);
    assert.is(await on(b, () => PubSub.subscribers('mortal').length), 1);
    await on(b, () => exit(pid, 'kill'));
    await eventually(() => on(b, () => assert.is(PubSub.subscribers('mortal').length, 0)));
  });
});

Local('instances are independent', async ({ a, b }) => {
  const got = await on(a, async () => {
    const me = self();
    await subscriber(b, me, 't', 'other');
    await subscriber(b, me, 't');
    for (let i = 0; i < 2; i++) await receive(['subscribed', _]);
    PubSub.instance('other').publish('t', 'other-only');
    return collect(1);
  });
  assert.equal(got, ['psb "other-only"']);
});

Local('bad input is refused clearly', async ({ a }) => {
  await on(a, () => {
    assert.throws(() => PubSub.publish('t', 1, 'missing'), /PubSub "missing" is not running on this node/);
    assert.throws(() => PubSub.subscribe(42 as never), /a topic is a string/);
  });
});

Local.run();

const Demo = suite<{ c: Cluster; nodes: NodeProcess[] }>('the three-node demo on real nodes');

Demo.before(async (ctx) => {
  ctx.c = await startCluster();
});

Demo.after(async (ctx) => {
  await ctx.c?.stop();
});

/** Typed at a prompt: `n` processes that subscribe to `topic` and print what they receive. */
const subscribers = (n: number, topic: string) =>
  `for (let i = 0; i < ${n}; i++) spawn(async () => { PubSub.subscribe('${topic}'); for (;;) console.log(\`\${self()} got \${JSON.stringify(await receive())}\`) })`;

Demo('alice, bob and carol get exactly their share', async ({ c }) => {
  const flags = ['--discovery', 'none', '--no-greet'];
  const alice = await c.start(['--sname', 'alice', ...flags]);
  const bob = await c.start(['--sname', 'bob', ...flags]);
  const carol = await c.start(['--sname', 'carol', ...flags]);
  alice.send(`await connect('${bob.name}')`);
  alice.send(`await connect('${carol.name}')`);
  alice.send(subscribers(1, 'user.created'));
  alice.send(subscribers(1, 'user.updated'));
  bob.send(subscribers(5, 'user.created'));
  carol.send(subscribers(2, 'user.updated'));
  // Every node sees all three PubSub servers before anything is published.
  for (const n of [alice, bob, carol]) {
    await eventually(async () => {
      const since = n.mark();
      n.send(`getMembers(['PubSub', 'PubSub']).length`);
      await n.waitFor(/\d+\n/, { since, timeout: 2000 });
      assert.match(n.output.slice(since), /^3$/m);
    }, { timeout: 10_000, interval: 50 });
  }
  const john = 'got ["user",{"id":1,"name":"John"}]';
  const johnny = 'got ["user",{"id":1,"name":"Johnny"}]';
  alice.send(`PubSub.publish('user.created', ['user', { id: 1, name: 'John' }])`);
  bob.send(`PubSub.publish('user.updated', ['user', { id: 1, name: 'Johnny' }])`);
  // Each count waits for its share, then must hold still: an extra delivery fails.
  await Promise.all([
    exactly(() => alice.count(john), 1, { what: 'John on alice' }),
    exactly(() => alice.count(johnny), 1, { what: 'Johnny on alice' }),
    exactly(() => bob.count(john), 5, { what: 'John on bob' }),
    exactly(() => carol.count(johnny), 2, { what: 'Johnny on carol' }),
  ]);
  // By now a message sent to the wrong node would have come by the same way.
  assert.is(bob.count('Johnny'), 0);
  assert.is(carol.count('"John"'), 0);
});

Demo.run();
