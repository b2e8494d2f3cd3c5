/**
 * A two-node session, as two people at two terminals would have it: two playground
 * processes with piped stdin, driven line by line, talking through the real protocol.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { names } from '../src/erlang/epmd/index.ts';
import { startCluster, HOST, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import { ask } from './support/prompt.ts';


let c: Cluster;
let alice: NodeProcess;
let bob: NodeProcess;
const ALICE = `alice@${HOST}`;
const BOB = `bob@${HOST}`;

test.before(async () => {
  c = await startCluster();
  alice = await c.start(['--sname', 'alice', '--discovery', 'none', '--no-greet']);
  bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet']);
  await alice.waitFor(/\)1> $/);
  await bob.waitFor(/\)1> $/);
});

test.after(async () => {
  await c.stop();
});

test("names() lists the port mapper's names with their ports", async () => {
  const out = await ask(alice, '(await names()).map(([name]) => name).sort()');
  assert.is(out, "[ 'alice', 'bob' ]\n");
});

test('connect, then list() on both sides', async () => {
  assert.is(await ask(alice, 'list()'), '[]\n');
  assert.is(await ask(alice, `await connect('${BOB}')`), 'true\n');
  assert.is(await ask(alice, 'list()'), `[ '${BOB}' ]\n`);
  assert.is(await ask(bob, 'list()'), `[ '${ALICE}' ]\n`);
});

test("a message sent to the remote shell's pid waits in its mailbox until flush()", async () => {
  assert.is(await ask(alice, "register('ashell', self())"), 'true\n');
  await ask(bob, `send(['ashell', '${ALICE}'], self())`);
  const bobShell = await ask(alice, 'const bobShell = await receive(); bobShell');
  assert.match(bobShell, /^#PID<[1-9]\d*\.\d+\.0>\n$/); // a pid of another node
  await ask(alice, "send(bobShell, ['hello from', node()])");
  await ask(alice, "send(bobShell, 'and again')");
  await eventually(async () => assert.is(await ask(bob, 'processInfo(self()).messageQueueLen'), '2\n'));
  assert.is(await ask(bob, 'flush()'), `[ 'hello from', '${ALICE}' ]\n'and again'\n'ok'\n`);
  assert.is(await ask(bob, 'flush()'), "'ok'\n");
});

test("a pid of the other node: node(pid) names its node, isAlive, processInfo and i ask that node", async () => {
  await ask(bob, "const worker = spawn(async function worker() { register('worker', self()); await receive('stop') })");
  await ask(bob, `send(['ashell', '${ALICE}'], worker)`);
  await ask(alice, 'const cp = await receive()');
  assert.is(await ask(alice, 'node(cp)'), `'${BOB}'\n`);
  const printed = (await ask(alice, 'cp')).trim();
  assert.is(await ask(alice, `pid('${printed}').equals(cp)`), 'true\n', 'a pid seen on screen can be named');
  assert.is(await ask(alice, 'node()'), `'${ALICE}'\n`);
  assert.is(await ask(alice, 'isAlive(cp)'), 'true\n');
  assert.is(await ask(alice, 'processInfo(cp).then((info) => info.registeredName)'), "'worker'\n");
  const table = await ask(alice, 'i(cp)');
  assert.match(table, /^Registered name +worker$/m);
  assert.match(table, /^Initial call +worker$/m, table);
  assert.match(table, /^Status +waiting$/m);
  await ask(bob, "send('worker', 'stop')");
  await eventually(async () => assert.is(await ask(alice, 'isAlive(cp)'), 'false\n'));
  assert.match(await ask(alice, 'i(cp)'), /^#PID<[1-9]\d*\.\d+\.0> is not alive\n$/);
});

test("a name declared from a remote spawn holds the pid it shows, so send(pid, ...) works on the next line", async () => {
  const shown = await ask(alice, `const pid = spawn('${BOB}', async () => { const [from, text] = await receive(); send(from, text.toUpperCase()) })`);
  assert.match(shown, /^#PID<[1-9]\d*\.\d+\.0>\n$/);
  assert.is(await ask(alice, 'typeof pid.then'), "'undefined'\n", 'the name holds the pid, not a promise of it');
  assert.match(await ask(alice, "send(pid, [self(), 'hi'])"), /^\[ #PID<0\.\d+\.0>, 'hi' \]\n$/);
  assert.is(await ask(alice, 'await receive(_, 5000)'), "'HI'\n");
  // Several declarators, each awaited before the next: the second sees the first's pid.
  assert.is(await ask(alice, `const a = spawn('${BOB}', () => {}), b = node(a)`), `'${BOB}'\n`);
  // A plain assignment binds the same way.
  await ask(alice, `later = rpc.call('${BOB}', () => 6 * 7)`);
  assert.is(await ask(alice, 'later'), '42\n');
});

test('GenServer.call to a server on the other node shows the reply at the prompt', async () => {
  await ask(alice, "const Stack = { init: (items) => ['ok', items], handleCall: (req, _from, items) => ['reply', items[0], items.slice(1)] }");
  assert.match(await ask(alice, "await GenServer.start(Stack, ['hello', 'world'], { name: 'stack' })"), /^#PID<0\.\d+\.0>\n$/);
  assert.is(await ask(bob, `GenServer.call(['stack', '${ALICE}'], 'pop')`), "'hello'\n");
  assert.is(await ask(bob, `GenServer.call(['stack', '${ALICE}'], 'pop')`), "'world'\n");
});

test('pg.join on one node shows in getMembers on the other', async () => {
  assert.is(await ask(alice, "pg.join('room', self())"), "'ok'\n");
  await eventually(async () => assert.is(await ask(bob, "getMembers('room').length"), '1\n'));
  assert.match(await ask(bob, "getMembers('room')"), /^\[ #PID<[1-9]\d*\.\d+\.0> \]\n$/);
  assert.is(await ask(bob, "pg.getLocalMembers('room')"), '[]\n');
});

test('PubSub: a message published on one node reaches a subscriber shell on the other', async () => {
  assert.is(await ask(bob, "PubSub.subscribe('user.created')"), "'ok'\n");
  await ask(bob, 'flush()');
  await eventually(async () => {
    await ask(alice, "PubSub.publish('user.created', ['user', { id: 1 }])");
    assert.match(await ask(bob, 'flush()'), /^\[ 'user', \{ id: 1 \} \]\n/);
  });
});

test('.exit on one node: the other sees it go at once, and its name is freed', async () => {
  alice.send('.exit');
  const timer = setTimeout(() => alice.child.kill('SIGKILL'), 5000);
  const { code } = await alice.exited;
  clearTimeout(timer);
  assert.is(code, 0);
  await eventually(async () => assert.is(await ask(bob, 'list()'), '[]\n'), { timeout: 3000 });
  assert.is(await ask(bob, "getMembers('room').length"), '0\n');
  const reply = await names(c.epmdPort);
  assert.not.ok(reply.names.some(([n]) => n === 'alice'));
});

test.run();
