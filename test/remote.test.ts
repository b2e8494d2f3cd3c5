/**
 * Running code on other nodes, on real nodes at their real prompts: spawn with a node
 * (plain, linked, monitored), rpc.call/cast/multicall with their errors, a function that
 * captures a variable refused before sending, and a definition shared with the nodes
 * connected now and with one that connects later.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, HOST, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import { ask } from './support/prompt.ts';

let c: Cluster;
let alice: NodeProcess;
let bob: NodeProcess;
const BOB = `bob@${HOST}`;
const ALICE = `alice@${HOST}`;

test.before(async () => {
  c = await startCluster();
  alice = await c.start(['--sname', 'alice', '--discovery', 'none', '--no-greet']);
  bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet']);
  await alice.waitFor(/\)1> $/);
  assert.is(await ask(alice, `await connect('${BOB}')`), 'true\n');
});

test.after(async () => {
  await c.stop();
});

test('spawn with a node runs the function there, with the helpers in scope', async () => {
  const since = bob.mark();
  const out = await ask(alice, `await spawn('${BOB}', (greeting) => console.log(greeting, 'from', node()), 'hello')`);
  assert.match(out, /^#PID<[1-9]\d*\.\d+\.\d+>\n$/);
  await bob.waitFor(`hello from ${BOB}`, { since });
});

test('spawnMonitor with a node: the DOWN carries the real reason, even for an instant crash', async () => {
  await ask(alice, `const [p1, r1] = await spawnMonitor('${BOB}', () => { throw new Error('at once') })`);
  const down = await ask(alice, "const d1 = await receive(['DOWN', r1, _, _, _]); [d1[3].node, d1[4].message]");
  assert.is(down, `[ '${BOB}', 'at once' ]\n`);
});

test('spawnLink with a node: the remote exit reaches the linked caller', async () => {
  const out = await ask(
    alice,
    `await new Promise((done) => spawn(async () => { trapExit(true); await spawnLink('${BOB}', () => exit('bye')); done(await receive(['EXIT', _, _])) }))`,
  );
  assert.match(out, /\[ 'EXIT', #PID<[1-9]\d*\.\d+\.\d+>, 'bye' \]/);
});

test('a function that captures a variable is refused before sending, naming it', async () => {
  await ask(alice, 'const secret = 42');
  const out = await ask(alice, `await spawn('${BOB}', () => console.log(secret + 1))`);
  assert.match(out, /\*\* \(CodeError\) spawn\("bob@[^"]+", fn\): the function uses secret from this side/);
  assert.match(out, /Pass it as an argument/);
  assert.is(await ask(alice, `await rpc.call('${BOB}', (s) => s + 1, secret)`), '43\n');
});

test('bad input at the prompt: a non-function, a bad node name; the node is unharmed', async () => {
  assert.match(await ask(alice, `await spawn('${BOB}', 42)`), /expects a function to run on the other node\. Got: 42/);
  assert.match(await ask(alice, "await spawn('no-at-sign', () => 1)"), /is not a node name/);
  assert.match(await ask(alice, `await rpc.call('${BOB}', () => () => 1)`), /the result cannot be sent back/);
  assert.is(await ask(alice, '1 + 1'), '2\n');
});

test('rpc.call gives the result, awaiting a promise there', async () => {
  assert.is(await ask(alice, `await rpc.call('${BOB}', () => node())`), `'${BOB}'\n`);
  assert.is(await ask(alice, `await rpc.call('${BOB}', (ms) => new Promise((r) => setTimeout(() => r(ms), ms)), 20)`), '20\n');
});

test('a remote throw comes back as a remote error with the remote frames', async () => {
  const out = await ask(alice, `await rpc.call('${BOB}', function failing() { throw new TypeError('bad thing') })`);
  assert.match(out, `** (RpcError) remote error on ${BOB}: TypeError: bad thing`);
  assert.match(out, /\(remote\) at failing \(sent-code:\d+:\d+\)/);
});

test('rpc.call to an unreachable node is nodedown, and a slow one times out', async () => {
  assert.match(await ask(alice, `await rpc.call('nobody@${HOST}', () => 1)`), /RpcError\) rpc to nobody@\S+: the node cannot be reached \(badrpc, nodedown\)/);
  const out = await ask(alice, `await rpc.call('${BOB}', () => new Promise(() => {}), rpc.timeout(100))`);
  assert.match(out, /no answer within 100 ms/);
  assert.is(await ask(alice, `(await rpc.call('${BOB}', () => processes().length)) < 40`), 'true\n');
});

test('rpc.multicall gives the results and the bad nodes, as Erlang does', async () => {
  const out = await ask(alice, `await rpc.multicall(['${ALICE}', '${BOB}', 'nobody@${HOST}'], () => node())`);
  assert.is(out.replace(/\s+/g, ' ').trim(), `[ [ '${ALICE}', '${BOB}' ], [ 'nobody@${HOST}' ] ]`);
});

test('rpc.cast runs without waiting', async () => {
  const since = bob.mark();
  assert.is(await ask(alice, `rpc.cast('${BOB}', () => console.log('cast arrived'))`), 'true\n');
  await bob.waitFor('cast arrived', { since });
});

test('share: a GenServer module typed at one prompt starts on another, and on a node that connects later', async () => {
  await ask(alice, "const Stack = { init: (items) => ['ok', items], handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest] }");
  const since = bob.mark();
  assert.is(await ask(alice, 'share({ Stack })'), "[ 'Stack' ]\n");
  await bob.waitFor(`Stack shared by ${ALICE}`, { since });
  assert.match(await ask(bob, "await GenServer.start(Stack, ['hello'], { name: 'stack' })"), /#PID<0\.\d+\.0>/);
  assert.is(await ask(alice, `await GenServer.call(['stack', '${BOB}'], 'pop')`), "'hello'\n");

  const carol = await c.start(['--sname', 'carol', '--discovery', 'none', '--no-greet']);
  assert.match(await ask(carol, `await connect('${BOB}')`), /^true$/m);
  await carol.waitFor(`Stack shared by ${ALICE}`);
  await eventually(async () => assert.is(await ask(carol, 'typeof Stack'), "'object'\n"), { timeout: 5000 });
  assert.match(await ask(carol, "await GenServer.start(Stack, ['again'])"), /#PID<0\.\d+\.0>/);
});

test("h() documents the new helpers, and `global` still reaches Node's own globals", async () => {
  assert.match(await ask(alice, "h('rpc.call')"), /rpc\.call\(node, fn, \.\.\.args, rpc\.timeout\(ms\)\?\)/);
  assert.match(await ask(alice, 'h()'), /Netsplits on purpose[\s\S]*partition\(sideA, sideB\?\)/);
  assert.match(await ask(alice, 'h(disconnect)'), /partition\(\[node\(\)\]\)/);
  assert.is(await ask(alice, 'global.setTimeout === setTimeout && typeof global.register'), "'function'\n");
});

test.run();
