/**
 * Tracing across real nodes: three playground processes (alice, bob, carol) driven
 * line by line through their prompts. Traces of processes and servers of other nodes
 * print at the prompt that asked; a flood on another node stops at its limit; seqTrace
 * follows a call to another node and a PubSub publish to three, lane by lane and arrow
 * by arrow; a traced process's node going down ends its trace and says so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, HOST, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';
import { ask } from './support/prompt.ts';

let c: Cluster;
let alice: NodeProcess;
let bob: NodeProcess;
let carol: NodeProcess;
const BOB = `bob@${HOST}`;
const CAROL = `carol@${HOST}`;

const ECHO = "register('echo', spawn(async function echo() { for (;;) { const [from, x] = await receive(); send(from, ['echo', x]) } }))";
const ACCUMULATOR = "const ItemAccumulator = { init: (items) => ['ok', items], handleCall: (_req, _from, items) => ['reply', items, items], handleCast: ([, item], items) => ['noreply', [item, ...items]] }";
const CLIENT = "const Client = { init(topic) { PubSub.subscribe(topic); return ['ok', 0] }, handleInfo(msg, n) { return ['noreply', n + 1] }, handleCall(_req, _from, n) { return ['reply', n, n] } }";

/** Each arrow of the diagram `d` at `node`'s prompt, as `from@node -> to@node: label`. */
async function arrowsOf(node: NodeProcess, d: string): Promise<string[]> {
  const at = (l: string) => `${d}.lanes[${l}].label + '@' + ${d}.lanes[${l}].node.split('@')[0]`;
  const out = await ask(node, `JSON.stringify(${d}.arrows.map((a) => ${at('a.from')} + ' -> ' + ${at('a.to')} + ': ' + a.label))`);
  return JSON.parse(eval(out)) as string[];
}

const remotePid = String.raw`#PID<[1-9]\d*\.\d+\.0>`;

/**
 * Waits until `node` has printed `text` (above its prompt) and drawn the prompt again
 * after it, so that the next line typed there is not answered by that redrawn prompt.
 */
function settled(node: NodeProcess, text: RegExp | string, since: number, timeout = 10_000): Promise<string> {
  const source = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
  return node.waitFor(new RegExp(`${source}[\\s\\S]*\\)\\d+> $`), { since, timeout });
}

test.before(async () => {
  c = await startCluster();
  [alice, bob, carol] = (await c.startAll(['alice', 'bob', 'carol'].map((n) => ['--sname', n, '--discovery', 'none', '--no-greet']))) as [NodeProcess, NodeProcess, NodeProcess];
  for (const n of [alice, bob, carol]) await n.waitFor(/\)1> $/);
  assert.is(await ask(alice, `await connect('${BOB}') && await connect('${CAROL}')`), 'true\n');
  await eventually(async () => assert.is(await ask(bob, 'list().length'), '2\n'));
});

test.after(async () => {
  await c.stop();
});

test('a process of another node, traced: its messages print at the prompt that asked, not its own', async () => {
  await ask(bob, ECHO);
  const bobMark = bob.mark();
  assert.is(await ask(alice, `await dbg.messages(['echo', '${BOB}'], 4)`), "'ok'\n");
  const since = alice.mark();
  await ask(alice, `send(['echo', '${BOB}'], [self(), 'hi'])`);
  await settled(alice, /! \[ 'echo', 'hi' \]/, since);
  const printed = alice.output.slice(since);
  assert.match(printed, new RegExp(`^\\(${remotePid}\\) << \\[ #PID<0\\.\\d+\\.0>, 'hi' \\]$`, 'm'));
  assert.match(printed, new RegExp(`^\\(${remotePid}\\) #PID<0\\.\\d+\\.0> ! \\[ 'echo', 'hi' \\]$`, 'm'));
  assert.not.match(bob.output.slice(bobMark), /<<| ! /);
  await ask(alice, 'dbg.stop()');
});

test('a flood on another node stops at its limit, and both prompts go on answering', async () => {
  await ask(bob, "const sink = spawn(() => {}); register('flood', spawn(async function flood() { await receive(); for (let i = 0; i < 1e6; i++) send(sink, i) }))");
  const since = alice.mark();
  assert.is(await ask(alice, `await dbg.messages(['flood', '${BOB}'], 10, { receive: false })`), "'ok'\n");
  await ask(alice, `send(['flood', '${BOB}'], 'go')`);
  await settled(alice, /stopped at its limit \(10 events\)/, since, 30_000);
  await eventually(async () => assert.is(await ask(bob, "whereis('flood') === undefined"), 'true\n'), { timeout: 30_000 });
  assert.is(await ask(bob, '1 + 1'), '2\n');
  assert.is(await ask(alice, '1 + 1'), '2\n');
  await exactly(() => alice.output.slice(since).split('\n').filter((l) => / ! \d+$/.test(l)).length, 10, { what: 'send lines' });
});

test('sys on a GenServer of another node: trace lines here, getState, replaceState', async () => {
  await ask(bob, ACCUMULATOR);
  await ask(bob, "await GenServer.start(ItemAccumulator, [], { name: 'ItemAccumulator' })");
  const server = `['ItemAccumulator', '${BOB}']`;
  assert.is(await ask(alice, `await sys.trace(${server}, true)`), "'ok'\n");
  const since = alice.mark();
  await ask(alice, `GenServer.cast(${server}, ['add', 'apples'])`);
  await settled(alice, "*DBG* ItemAccumulator new state [ 'apples' ]", since);
  assert.match(alice.output.slice(since), /^\*DBG\* ItemAccumulator got cast \[ 'add', 'apples' \]$/m);
  assert.is(await ask(alice, `await sys.getState(${server})`), "[ 'apples' ]\n");
  assert.is(await ask(alice, `await sys.replaceState(${server}, (items) => [...items, 'pears'])`), "[ 'apples', 'pears' ]\n");
  assert.is(await ask(bob, "await sys.getState('ItemAccumulator')"), "[ 'apples', 'pears' ]\n");
  assert.is(await ask(alice, `await sys.trace(${server}, false)`), "'ok'\n");
  assert.is(await ask(alice, 'dbg.traces().length'), '0\n');
});

test('seqTrace of a call to another node: the request and the reply, lanes on two nodes', async () => {
  await ask(alice, `const d1 = await seqTrace(() => GenServer.call(['ItemAccumulator', '${BOB}'], 'listItems'))`);
  assert.equal(await arrowsOf(alice, 'd1'), [
    "self()@alice -> ItemAccumulator@bob: call 'listItems'",
    "ItemAccumulator@bob -> self()@alice: reply [ 'apples', 'pears' ]",
  ]);
  const drawn = (await ask(alice, 'd1')).split('\n');
  assert.equal(drawn[0]!.trim().split(/\s+/), ['self()', 'ItemAccumulator']);
  assert.equal(drawn[1]!.trim().split(/\s+/), ['alice', 'bob']);
});

test('seqTrace of a PubSub publish across three nodes: one message to each other node, then the fan-out there', async () => {
  for (const [node, n] of [[alice, 1], [bob, 2], [carol, 1]] as const) {
    await ask(node, CLIENT);
    await ask(node, `for (let i = 0; i < ${n}; i++) await GenServer.start(Client, 'news')`);
  }
  await eventually(async () => assert.is(await ask(alice, "getMembers(['PubSub', 'PubSub']).length"), '3\n'));
  await ask(alice, "const d2 = await seqTrace(() => PubSub.publish('news', 'hello'))");
  // The servers' own message (PubSub's protocol) as FORWARD: what matters here is who got one.
  const arrows = (await arrowsOf(alice, 'd2')).map((a) => a.replace(/<\d+\.\d+\.0>/g, 'client').replace(/\[ '\w+_to_local', 'news', 'hello'.*\]$/, 'FORWARD'));
  assert.equal([...arrows].sort(), [
    `PubSub.Adapter@bob -> client@bob: 'hello'`,
    `PubSub.Adapter@bob -> client@bob: 'hello'`,
    `PubSub.Adapter@carol -> client@carol: 'hello'`,
    'self()@alice -> PubSub.Adapter@bob: FORWARD',
    'self()@alice -> PubSub.Adapter@carol: FORWARD',
    `self()@alice -> client@alice: 'hello'`,
  ]);
  // Causal order: an adapter hands the message on only after it got it.
  for (const node of ['bob', 'carol']) {
    const got = arrows.findIndex((a) => a.endsWith(`PubSub.Adapter@${node}: FORWARD`));
    const gave = arrows.findIndex((a) => a.startsWith(`PubSub.Adapter@${node} ->`));
    assert.ok(got >= 0 && got < gave, arrows.join('\n'));
  }
  assert.is(await ask(alice, 'd2.lanes.length'), '7\n');
  const drawn = (await ask(alice, 'String(d2.toString(80))')).split('\n');
  assert.ok(drawn.every((line) => [...line].length <= 82), drawn.join('\n'));
  assert.match(await ask(alice, 'd2.mermaid()'), new RegExp(`participant L\\d as PubSub\\.Adapter \\(${CAROL}\\)`));
});

test('what cannot be traced on another node is a one-line error', async () => {
  assert.match(await ask(alice, `await dbg.messages(['nobody', '${BOB}'], 5)`), /^\*\* \(TraceError\) dbg\.messages: no process nobody on bob@\S+: it is not alive, or the name is not registered\n$/);
  const dead = (await ask(bob, 'String(spawn(() => {}))')).trim();
  assert.match(dead, /^'#PID<0\.\d+\.0>'$/);
  assert.match(await ask(alice, `await dbg.messages(['x', 'nobody@${HOST}'], 5)`), /^\*\* \(TraceError\) dbg\.messages: cannot reach nobody@\S+ to trace x on nobody@\S+\n$/);
  await ask(bob, "register('idle', spawn(async function idle() { await receive('never') }))");
  assert.match(await ask(alice, `await sys.getState(['idle', '${BOB}'], 300)`), /^\*\* \(GenServerError\) exited in: sys\.getState\(\[ 'idle', 'bob@\S+' \], 300\)\n {4}\*\* \(EXIT\) time out/);
  assert.is(await ask(alice, 'dbg.traces().length'), '0\n');
});

test("the node of a traced process going down ends its trace, and says so", async () => {
  await ask(carol, ECHO);
  assert.is(await ask(alice, `await dbg.messages(['echo', '${CAROL}'], 10)`), "'ok'\n");
  const since = alice.mark();
  await carol.kill();
  await settled(alice, `dbg: trace of echo on ${CAROL} stopped: ${CAROL} went down`, since);
  assert.is(await ask(alice, 'dbg.traces().length'), '0\n');
});

test.run();
