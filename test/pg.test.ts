import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as pg from '../src/pg.ts';
import { exit, processInfo, receive, self, send, spawn, whereis, TIMEOUT } from '../src/process/index.ts';
import type { Node } from '../src/node/index.ts';
import { Pid, _ } from '../src/term.ts';
import { inProcess, startCluster, type Cluster } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';

/** Runs `fn` in a process of `node` and gives back its result. */
const on = <T>(node: Node, fn: () => T | Promise<T>): Promise<T> => inProcess(node.runtime, fn);

/** A process on `node` that waits forever (until killed). */
const idle = (node: Node) => on(node, () => spawn(() => receive('never')));

const members = (node: Node, group: unknown) => on(node, () => pg.getMembers(group).map(String).sort());

const Local = suite<{ c: Cluster; a: Node; b: Node; d: Node }>('pg on three in-process nodes');

Local.before(async (ctx) => {
  ctx.c = await startCluster();
  ctx.a = await ctx.c.local('pga', { tickTime: 2000 });
  ctx.b = await ctx.c.local('pgb', { tickTime: 2000 });
  ctx.d = await ctx.c.local('pgd', { tickTime: 2000 });
  for (const n of [ctx.a, ctx.b, ctx.d]) await on(n, () => pg.startScope());
  assert.ok(await ctx.a.connect(ctx.b.name));
  assert.ok(await ctx.a.connect(ctx.d.name));
});

Local.after(async (ctx) => {
  await ctx.c?.stop();
});

Local('a join on one node shows on the others; leave removes it', async ({ a, b, d }) => {
  const pid = await idle(b);
  assert.is(await on(b, () => pg.join('workers', pid)), 'ok');
  await eventually(async () => assert.equal(await members(a, 'workers'), [String(pid)]));
  await eventually(async () => assert.equal(await members(d, 'workers'), [String(pid)]));
  assert.equal(await on(a, () => pg.getLocalMembers('workers')), []);
  assert.is(await on(b, () => pg.leave('workers', pid)), 'ok');
  assert.is(await on(b, () => pg.leave('workers', pid)), 'not_joined');
  await eventually(async () => assert.equal(await members(a, 'workers'), []));
  assert.equal(await on(a, () => pg.whichGroups()), []);
});

Local('a pid joined twice is listed twice and leaves once at a time', async ({ a, b }) => {
  const pid = await idle(b);
  await on(b, () => pg.join('twice', [pid, pid]));
  await eventually(async () => assert.is((await members(a, 'twice')).length, 2));
  await on(b, () => pg.leave('twice', pid));
  await eventually(async () => assert.is((await members(a, 'twice')).length, 1));
});

Local('groups are any term compared by value', async ({ a, b }) => {
  const pid = await idle(a);
  await on(a, () => pg.join(['hermes', 'PubSub'], pid));
  await eventually(async () => assert.equal(await members(b, ['hermes', 'PubSub']), [String(pid)]));
  assert.ok((await on(b, () => pg.whichGroups())).some((g) => JSON.stringify(g) === '["hermes","PubSub"]'));
  assert.equal(await on(a, () => pg.whichLocalGroups()), [['hermes', 'PubSub']]);
});

Local('members leave when their process exits', async ({ a, b }) => {
  const pid = await idle(b);
  await on(b, () => pg.join('mortal', [pid, pid]));
  await eventually(async () => assert.is((await members(a, 'mortal')).length, 2));
  await on(b, () => exit(pid, 'kill'));
  await eventually(async () => assert.equal(await members(a, 'mortal'), []));
  assert.equal(await members(b, 'mortal'), []);
});

Local('only local pids can join', async ({ a, b }) => {
  const remote = await idle(b);
  await on(a, () => {
    assert.throws(() => pg.join('x', remote), /only local processes can join/);
    assert.throws(() => pg.join('x', 'nope' as never), /expects pids/);
  });
});

Local('monitor(group) reports joins and leaves', async ({ a, b }) => {
  const pid = await idle(b);
  const events = await on(a, async () => {
    const [ref, current] = pg.monitor('watched');
    assert.equal(current, []);
    await on(b, () => pg.join('watched', pid));
    const joined = await receive([ref, 'join', 'watched', _], { after: 2000 });
    await on(b, () => exit(pid, 'kill'));
    const left = await receive([ref, 'leave', 'watched', _], { after: 2000 });
    pg.demonitor(ref);
    return [joined[3].map(String), left[3].map(String)];
  });
  assert.equal(events, [[String(pid)], [String(pid)]]);
});

Local('a subscription ends with its subscriber', async ({ a }) => {
  const scopeInfo = () => on(a, () => processInfo(whereis('pg')!)!.monitors.length);
  const before = await scopeInfo();
  const subscriber = await on(a, () => spawn(() => { pg.monitorScope(); return receive('never'); }));
  await eventually(async () => assert.is(await scopeInfo(), before + 1));
  await on(a, () => exit(subscriber, 'kill'));
  await eventually(async () => assert.is(await scopeInfo(), before));
});

Local('demonitor ends the subscription and the scope\'s monitor on the subscriber: nothing leaks', async ({ a }) => {
  const scopeMonitors = () => on(a, () => processInfo(whereis('pg')!)!.monitors.length);
  const before = await scopeMonitors();
  const got = await on(a, async () => {
    const member = spawn(() => receive('never'));
    for (let i = 0; i < 3; i++) {
      const [ref] = pg.monitor('churn');
      assert.is(pg.demonitor(ref), true);
      assert.is(pg.demonitor(ref), false, 'a second demonitor finds nothing');
    }
    const [kept] = pg.monitor('churn');
    const [dropped] = pg.monitor('churn');
    pg.demonitor(dropped);
    pg.join('churn', member);
    const joined = await receive([kept, 'join', 'churn', _], { after: 2000 });
    // Only the live subscription hears of the join: none for the dropped one.
    const stray = await receive([dropped, _, _, _], { after: 200 });
    pg.demonitor(kept);
    exit(member, 'kill');
    return { joined, stray, monitoredBy: processInfo(self())!.monitoredBy.length };
  });
  assert.is.not(got.joined, TIMEOUT);
  assert.is(got.stray, TIMEOUT);
  assert.is(got.monitoredBy, 0, 'the scope no longer monitors the subscriber');
  assert.is(await scopeMonitors(), before, "the scope's monitors are back where they were");
});

Local('malformed messages to a scope, local or from another node, are logged and change nothing', async ({ a, b }) => {
  const pid = await idle(a);
  await on(a, () => pg.join('steady', pid));
  await eventually(async () => assert.equal(await members(b, 'steady'), [String(pid)]));
  const scope = await on(a, () => whereis('pg')!);
  const warnings: string[] = [];
  a.runtime.setLogger((level, text) => void (level === 'warning' && text.startsWith('pg scope') && warnings.push(text)));
  const garbage: unknown[] = [
    'hello', 42, null, [], ['join'], ['join', 'not a pid', 'steady', []], ['sync', scope, 'not groups'],
    ['sync', scope, [['steady', ['not a pid']]]], ['leave', scope, 'steady', [1, 2]], ['discover', 'x'],
    ['DOWN', 'not a ref', 'process', scope, 'normal'], ['nodeup', 7], ['unknown', 1],
  ];
  try {
    await on(b, () => garbage.forEach((m) => send(['pg', a.name], m)));
    await on(a, () => garbage.forEach((m) => send('pg', m)));
    await exactly(() => warnings.length, garbage.length * 2, { what: 'warnings of the scope' });
  } finally {
    a.runtime.setLogger((level, text) => console.log(`[${level}] ${text}`));
  }
  assert.match(warnings[0]!, /^pg scope "pg" ignored a malformed message: 'hello'$/);
  assert.ok(await on(a, () => whereis('pg')!.equals(scope)), 'the same scope process runs on');
  assert.equal(await members(a, 'steady'), [String(pid)]);
  assert.equal(await members(b, 'steady'), [String(pid)]);
  // And it still works: a new member shows on the other node.
  const next = await idle(a);
  await on(a, () => pg.join('steady', next));
  await eventually(async () => assert.equal(await members(b, 'steady'), [String(pid), String(next)].sort()));
});

Local('a node connecting late sees existing members', async ({ c, a }) => {
  const pid = await idle(a);
  await on(a, () => pg.join('early', pid));
  const late = await c.local('pglate', { tickTime: 2000 });
  await on(late, () => pg.startScope());
  assert.ok(await late.connect(a.name));
  await eventually(async () => assert.equal(await members(late, 'early'), [String(pid)]));
});

Local.run();

const Real = suite<{ c: Cluster }>('pg across real nodes');

Real.before(async (ctx) => {
  ctx.c = await startCluster();
});

Real.after(async (ctx) => {
  await ctx.c?.stop();
});

Real("a killed node's members vanish, and come back when it returns", async ({ c }) => {
  const me = await c.local('pgwatch', { tickTime: 2000 });
  await on(me, () => pg.startScope());
  const args = ['--sname', 'pgpeer', '--discovery', 'none', '--no-greet'];
  const peer = await c.start(args);
  assert.ok(await me.connect(peer.name!));
  peer.send(`pg.join('room', self())`);
  await eventually(async () => assert.is((await members(me, 'room')).length, 1), { timeout: 8000 });
  const [first] = await on(me, () => pg.getMembers('room'));
  assert.instance(first, Pid);
  await peer.kill();
  await eventually(async () => assert.equal(await members(me, 'room'), []), { timeout: 5000 });
  const again = await c.start(args);
  assert.ok(await me.connect(again.name!));
  again.send(`pg.join('room', self())`);
  await eventually(async () => assert.is((await members(me, 'room')).length, 1), { timeout: 8000 });
  const [second] = await on(me, () => pg.getMembers('room'));
  assert.not.ok(second!.equals(first), 'the member is the new incarnation, not the killed one');
});

Real.run();
