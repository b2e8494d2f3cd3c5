/**
 * Cluster-wide names on real nodes: register/whereis/send/unregister seen from every
 * node, `['global', name]` for GenServer start and call, names that vanish with their
 * process and with their node, and a register race between three nodes that exactly one
 * wins, a hundred times over, with every node agreeing on the winner.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, HOST, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import { ask } from './support/prompt.ts';

let c: Cluster;
let alice: NodeProcess;
let bob: NodeProcess;
let carol: NodeProcess;
const [ALICE, BOB, CAROL] = ['alice', 'bob', 'carol'].map((n) => `${n}@${HOST}`) as [string, string, string];
const FLAGS = ['--discovery', 'none', '--no-greet'];

test.before(async () => {
  c = await startCluster();
  [alice, bob, carol] = (await c.startAll(['alice', 'bob', 'carol'].map((n) => ['--sname', n, ...FLAGS]))) as [NodeProcess, NodeProcess, NodeProcess];
  assert.is(await ask(alice, `await connect('${BOB}') && await connect('${CAROL}')`), 'true\n');
  await eventually(async () => assert.is(await ask(bob, 'list().length'), '2\n'));
});

test.after(async () => {
  await c.stop();
});

test('register, whereis, send and unregister, seen from every node', async () => {
  assert.is(await ask(alice, "await global.register('shell', self())"), "'yes'\n");
  assert.is(await ask(bob, "await global.register('shell', self())"), "'no'\n");
  const where = "(({ node, id }) => node + '/' + id)(global.whereis('shell'))";
  assert.is(await ask(carol, where), await ask(alice, where));
  await ask(carol, "global.send('shell', ['hi', node()])");
  assert.is(await ask(alice, "await receive(['hi', _], { after: 5000 })"), `[ 'hi', '${CAROL}' ]\n`);
  assert.is(await ask(bob, "global.registered().includes('shell')"), 'true\n');
  assert.is(await ask(carol, "global.unregister('shell')"), "'ok'\n");
  await eventually(async () => assert.is(await ask(alice, "String(global.whereis('shell'))"), "'undefined'\n"));
  assert.match(await ask(bob, "global.send('shell', 1)"), /GlobalError\) no process is registered globally as "shell"/);
});

test("['global', name] starts a GenServer that any node calls; the name goes with the process", async () => {
  await ask(bob, "const Echo = { init: () => ['ok', null], handleCall: (req, _from, s) => ['reply', [req, node()], s] }");
  assert.match(await ask(bob, "await GenServer.start(Echo, null, { name: ['global', 'echo'] })"), /#PID<0\.\d+\.0>/);
  assert.is(await ask(carol, "await GenServer.call(['global', 'echo'], 'ping')"), `[ 'ping', '${BOB}' ]\n`);
  const again = await ask(alice, "await GenServer.start({ init: () => ['ok', 1] }, null, { name: ['global', 'echo'] }).catch((e) => e.reason[0])");
  assert.is(again, "'already_started'\n");
  await ask(bob, "await GenServer.stop(['global', 'echo'])");
  await eventually(async () => assert.is(await ask(alice, "String(global.whereis('echo'))"), "'undefined'\n"));
  assert.match(await ask(carol, "await GenServer.call(['global', 'echo'], 'ping').catch((e) => e.code)"), /'ERR_NOPROC'/);
});

test('a Supervisor takes a global name too', async () => {
  assert.match(await ask(carol, "await Supervisor.start([], { strategy: 'one_for_one', name: ['global', 'top'] })"), /#PID/);
  await eventually(async () => assert.match(await ask(alice, "String(global.whereis('top'))"), /#PID<\d+\.\d+\.0>/));
});

test("a node's names vanish everywhere when it goes down", async () => {
  const dave = await c.start(['--sname', 'dave', ...FLAGS]);
  await ask(dave, `await connect('${ALICE}')`);
  await eventually(async () => assert.is(await ask(carol, 'list().length'), '3\n'));
  assert.is(await ask(dave, "await global.register('dave', self())"), "'yes'\n");
  assert.is(await ask(carol, "global.registered().includes('dave')"), 'true\n');
  await dave.kill();
  await eventually(async () => assert.is(await ask(carol, "global.registered().includes('dave')"), 'false\n'));
  assert.is(await ask(alice, "String(global.whereis('dave'))"), "'undefined'\n");
});

test('three nodes race to register one name: exactly one wins, a hundred times, and all agree', async () => {
  const race = [
    'const racers = [node(), ...list()];',
    'let wins = [];',
    'for (let i = 0; i < 100; i++) {',
    '  const [answers, bad] = await rpc.multicall(racers, async (i) => {',
    '    const pid = spawn(() => receive());',
    "    return [await global.register('race' + i, pid), String(pid)]",
    '  }, i);',
    "  wins.push(answers.filter(([a]) => a === 'yes').length + bad.length * 10)",
    '};',
    'wins.every((n) => n === 1)',
  ].join(' ');
  const raced = await ask(alice, race, 60_000);
  assert.match(raced, /true\n$/, raced);
  const view = "(() => { const all = []; for (let i = 0; i < 100; i++) { const p = global.whereis('race' + i); all.push(p && p.node + '/' + p.id) }; return all.join(',') })()";
  const seen = await Promise.all([alice, bob, carol].map((n) => ask(n, view)));
  assert.ok(!seen[0]!.includes('undefined'), seen[0]);
  assert.is(seen[1], seen[0]);
  assert.is(seen[2], seen[0]);
});

test('bad input is one line, the node unharmed', async () => {
  assert.match(await ask(alice, "await global.register('', self())"), /GlobalError\) global.register expects a non-empty string name/);
  assert.match(await ask(alice, "await global.register('x', 'not a pid')"), /expects a pid/);
  assert.is(await ask(alice, 'list().length'), '2\n');
});

test.run();
