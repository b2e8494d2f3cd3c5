/**
 * Workshops across real hosts: network namespaces on one bridge (test/support/netns.ts),
 * each a laptop with its own address, port mapper and nodes, running real playgrounds.
 * - A whole workshop morning, twice: where broadcast passes, and where the switch drops
 *   it (as venue Wi-Fi does). Everyone joins with --join; the teacher's roster lists
 *   every attendee, follows one playing a lesson with --auto, and marks gone the one
 *   that left and the one killed with kill -9; say reaches every prompt; a raised hand
 *   shows until cleared; a wrong cookie and a short name are refused and named on both
 *   sides; a teacher restart re-forms the cluster.
 * - --discovery lan behind address translation (a broadcast's source rewritten to a
 *   gateway, as Podman does) and where only the subnet's broadcast passes.
 * - The port mapper answers look-ups from the network, and nothing else.
 * A machine that cannot make namespaces or nftables rules says SKIP.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { startCluster, type Cluster, type NodeProcess } from './support/cluster.ts';
import { createLan, namespacesUnavailable, nftUnavailable, type Host, type Lan } from './support/netns.ts';
import { exactly } from './support/eventually.ts';
import { testOrSkip } from './support/skip.ts';

const FAST = ['--heartbeat', '200'];
const WAIT = { timeout: 30_000 };
const why = namespacesUnavailable() ?? nftUnavailable();

const wrap = (h: Host) => ['ip', 'netns', 'exec', h.ns];
const at = (name: string, h: Host) => `${name}@${h.address}`;
const roster = (line: string) => `[workshop] ${line}`;
const prompt = /playground\([^)]+\)\d+> /;

let c: Cluster;
let lan: Lan | null = null;
/** The namespaces this file's tests made, each removed after its test. */
const made: string[] = [];

test.before.each(async () => {
  c = await startCluster({ cookie: 'workshop' });
});
test.after.each(async () => {
  await c.stop();
  if (lan) made.push(...lan.namespaces);
  lan?.remove();
  lan = null;
});

/** A node on `host`, ready once its prompt shows: its node boots behind the prompt (`up()` waits for that). */
function startOn(host: Host, args: string[], env: Record<string, string> = {}): Promise<NodeProcess> {
  return c.start(args, { wrap: wrap(host), ready: prompt, env, timeout: 30_000 });
}

/**
 * Waits until `node`'s node is up, and so registered with its host's port mapper: input
 * waits for the node, so the prompt's answer to `node()` comes after.
 */
async function up(node: NodeProcess): Promise<void> {
  assert.match(await typeAt(node, 'node()'), `'${node.name}'`);
}

/** Types `line` at `node` and resolves with what it printed up to its next prompt. */
async function typeAt(node: NodeProcess, line: string): Promise<string> {
  const since = node.mark();
  node.send(line);
  await node.waitFor(prompt, { since, ...WAIT });
  return node.output.slice(since);
}

for (const variant of ['broadcast passes', 'the switch drops broadcast'] as const) {
  testOrSkip(why, `a workshop on five hosts (${variant}): join, roster, lesson, say, hands, mistakes, kill -9, teacher restart`, async () => {
    lan = createLan(5);
    if (variant === 'the switch drops broadcast') lan.dropBroadcast();
    const [T, A, B, C, D] = lan.hosts as [Host, Host, Host, Host, Host];
    const teacherName = at('teacher', T);
    const teacherArgs = ['--name', teacherName, '--discovery', 'lan', ...FAST, '--workshop'];
    const attendee = (name: string, h: Host, ...more: string[]) => ['--name', at(name, h), '--discovery', 'lan', '--join', teacherName, ...FAST, ...more];

    let teacher = await startOn(T, teacherArgs);
    await teacher.waitFor('roster open on', WAIT);
    const [ann, ben, cat] = await Promise.all([startOn(A, attendee('ann', A)), startOn(B, attendee('ben', B)), startOn(C, attendee('cat', C))]);
    const attendees = [ann!, ben!, cat!];

    // The roster lists all three as each member answers the roll call.
    for (const [name, h] of [['ann', A], ['ben', B], ['cat', C]] as const) await teacher.waitFor(roster(`${at(name, h)}: no lesson yet`), WAIT);
    // A full mesh: each attendee is greeted by the teacher and the two others, once each.
    for (const node of attendees) {
      await node.waitFor(`joined the cluster through ${teacherName}`, WAIT);
      await exactly(() => node.count('Hello world from'), 3, { what: `greetings on ${node.name}`, timeout: 20_000, quiet: 800 });
    }

    // say reaches every attendee's prompt, once.
    await typeAt(teacher, "workshop.say('Welcome! Start with lesson(\\'hello-world\\')')");
    for (const node of attendees) {
      await node.waitFor(`[info] ${teacherName} says: Welcome! Start with lesson('hello-world')`, WAIT);
      await exactly(() => node.count(`${teacherName} says:`), 1, { what: `says on ${node.name}`, quiet: 300 });
    }

    // A raised hand shows in the roster until the teacher clears it.
    assert.match(await typeAt(cat!, "help('stuck on step 3')"), /Your hand is up \("stuck on step 3"\): the teacher sees it in the roster/);
    await teacher.waitFor(roster(`${at('cat', C)}: no lesson yet, hand up: "stuck on step 3"`), WAIT);
    const cleared = teacher.mark();
    await typeAt(teacher, "workshop.clear('cat')");
    await cat!.waitFor(`${teacherName} saw your raised hand and lowered it`, WAIT);
    await teacher.waitFor(roster(`${at('cat', C)}: no lesson yet`), { since: cleared, ...WAIT });

    // An attendee playing a lesson: its steps move in the roster, in order; at the end it leaves, marked gone.
    const dan = await startOn(D, attendee('dan', D, '--lesson', 'genserver', '--auto', '--auto-delay', '50'));
    const gone = roster(`${at('dan', D)}: gone (was at genserver done)`);
    await teacher.waitFor(gone, WAIT);
    // From the moment dan joined (its first steps may pass before), every step shows, in order.
    const seen = [...new Set([...teacher.output.matchAll(/\[workshop\] dan@10\.232\.0\.5: genserver (\d+\/14|done)/g)].map((m) => m[1]))];
    const all = [...Array.from({ length: 14 }, (_, i) => `${i + 1}/14`), 'done'];
    assert.equal(seen, all.slice(all.length - seen.length), 'the steps seen are the last ones of the lesson, in order');
    assert.ok(seen.length >= 5, `the step moved in the roster: ${seen.join(' ')}`);
    assert.is((await dan.exited).code, 0, dan.output);

    // Mistakes, said on both sides: a wrong cookie, and a short name in a long-name cluster.
    const eve = await startOn(C, attendee('eve', C), { PLAYGROUND_COOKIE: 'not-the-workshop-cookie' });
    await eve.waitFor(`[warning] ${teacherName} refused this node: its cookie is not this node's`, WAIT);
    await teacher.waitFor(`[warning] connection attempt from ${at('eve', C)} rejected: wrong cookie`, WAIT);
    await teacher.waitFor(roster(`${at('eve', C)}: refused: wrong cookie`), WAIT);
    const fay = await startOn(B, ['--sname', 'fay', '--join', teacherName, ...FAST]);
    await fay.waitFor(`${teacherName} refused this node: this node has a short name and it a long one`, WAIT);
    await teacher.waitFor(/\[warning\] refused fay@\S+: fay@\S+ has a short name and this node a long one; .*--name fay@<its address>/, WAIT);
    await exactly(() => eve.count('refused this node') + fay.count('refused this node'), 2, { what: 'refusal lines on eve and fay', quiet: 1000 });
    await eve.kill();
    await fay.kill();

    // kill -9 of an attendee: marked gone, not dropped.
    await ben!.kill();
    await teacher.waitFor(roster(`${at('ben', B)}: gone`), WAIT);

    // The teacher's node restarts: the attendees join again, and the new roster lists them.
    await teacher.kill();
    for (const node of [ann!, cat!]) await node.waitFor(`lost ${teacherName}; joining again`, WAIT);
    teacher = await startOn(T, teacherArgs);
    for (const [name, h] of [['ann', A], ['cat', C]] as const) await teacher.waitFor(roster(`${at(name, h)}: no lesson yet`), WAIT);
    const listed = await typeAt(teacher, 'list().sort()');
    assert.match(listed, new RegExp(`\\[ '${at('ann', A)}', '${at('cat', C)}' \\]`));
    assert.match(await typeAt(ann!, 'list().sort()'), new RegExp(`\\[ '${at('cat', C)}', '${teacherName}' \\]`));
    if (variant === 'the switch drops broadcast') assert.ok(lan.dropped() > 0, 'the switch dropped the announcements');
    for (const node of [teacher, ann!, cat!]) assert.ok(node.alive, `${node.name} still runs`);
  });
}

testOrSkip(why, 'a flapping Wi-Fi link: the attendee shows gone while it is away, and joins again by itself when it is back', async () => {
  lan = createLan(2);
  const [T, A] = lan.hosts as [Host, Host];
  const teacherName = at('teacher', T);
  const quick = ['--discovery', 'none', '--tick-time', '1000', '--heartbeat', '300'];
  const teacher = await startOn(T, ['--name', teacherName, ...quick, '--workshop']);
  const ann = await startOn(A, ['--name', at('ann', A), '--join', teacherName, ...quick]);
  await teacher.waitFor(roster(`${at('ann', A)}: no lesson yet`), WAIT);
  const [away, lost] = [teacher.mark(), ann.mark()];
  lan.unplug(A);
  await teacher.waitFor(roster(`${at('ann', A)}: gone`), { since: away, ...WAIT });
  await ann.waitFor(`lost ${teacherName}; joining again`, { since: lost, ...WAIT });
  lan.plug(A);
  await ann.waitFor(`joined the cluster through ${teacherName}`, { since: lost, ...WAIT });
  await teacher.waitFor(roster(`${at('ann', A)}: no lesson yet`), { since: away, ...WAIT });
  await teacher.waitFor(`Hello world from ${at('ann', A)}`, { since: away, ...WAIT });
});

testOrSkip(why, 'lan behind address translation: nodes connect to the address an announcement carries, not its rewritten source', async () => {
  lan = createLan(3);
  const [A, B, C] = lan.hosts as [Host, Host, Host];
  for (const h of lan.hosts) lan.rewriteBroadcastSource(h, c.discoveryPort);
  const nodes = await Promise.all(
    [['ann', A], ['ben', B], ['cat', C]].map(([n, h]) => startOn(h as Host, ['--name', at(n as string, h as Host), '--discovery', 'lan', ...FAST])),
  );
  for (const node of nodes) await exactly(() => node.count('Hello world from'), 2, { what: `greetings on ${node.name}`, timeout: 20_000, quiet: 800 });
  for (const node of nodes) assert.not.match(node.output, new RegExp(lan.gateway.replace(/\./g, '\\.')), 'nobody dialled the gateway');
});

testOrSkip(why, "lan where only each network's own broadcast passes (255.255.255.255 dropped)", async () => {
  lan = createLan(2);
  lan.dropLimitedBroadcast();
  const [A, B] = lan.hosts as [Host, Host];
  const ann = await startOn(A, ['--name', at('ann', A), '--discovery', 'lan', ...FAST]);
  const ben = await startOn(B, ['--name', at('ben', B), '--discovery', 'lan', ...FAST]);
  await ann.waitFor(`Hello world from ${at('ben', B)}`, WAIT);
  await ben.waitFor(`Hello world from ${at('ann', A)}`, WAIT);
  assert.ok(lan.dropped() > 0, 'the limited broadcasts were sent, and dropped');
});

testOrSkip(why, 'the port mapper answers look-ups from the network, and only look-ups; connect finds a node through its host', async () => {
  lan = createLan(2);
  const [A, B] = lan.hosts as [Host, Host];
  const ann = await startOn(A, ['--name', at('ann', A), '--discovery', 'none']);
  const ben = await startOn(B, ['--name', at('ben', B), '--discovery', 'none']);
  await up(ann);
  // From B's namespace, epmd requests to A's port mapper over the bridge: the reply's bytes.
  const ask = (request: Buffer) => {
    const script = mapperClient(A.address, c.epmdPort, request);
    return execFileSync('ip', ['netns', 'exec', B.ns, process.execPath, '-e', script], { timeout: 10_000 }).toString().trim();
  };
  const portPlease = (alive: string) => epmd(Buffer.concat([Buffer.from([122]), Buffer.from(alive)]));
  const reply = ask(portPlease('ann'));
  const found = Buffer.from(reply, 'hex');
  assert.equal([found[0], found[1]], [119, 0], `PORT2_RESP, found (the reply: ${reply || 'nothing'})`);
  assert.is(found.subarray(12 + 3 + 2).toString(), 'otp-playground@10.232.0.1', 'the playground mark, with the address');
  assert.is(ask(portPlease('nobody')), '7701', 'PORT2_RESP, unknown');
  const alive2 = Buffer.concat([Buffer.from([120, 0, 1, 77, 0, 0, 6, 0, 6, 0, 7]), Buffer.from('mallory'), Buffer.from([0, 0])]);
  assert.is(ask(epmd(alive2)), '', 'a registration from the network: closed, unanswered');
  assert.is(ask(epmd(Buffer.from([110]))), '', 'names from the network: closed, unanswered');
  assert.is(ask(portPlease('mallory')), '7701', 'nobody registered through the network');
  assert.match(await typeAt(ben, `await connect('${at('ann', A)}')`), /true/);
  await ann.waitFor(`Hello world from ${at('ben', B)}`, WAIT);
});

// Only this file's own: another test run on the machine may have its namespaces up now.
testOrSkip(why, 'no namespace is left behind', () => {
  assert.ok(made.length >= 5, `namespaces made: ${made.length}`);
  const listed = new Set(execFileSync('ip', ['netns', 'list']).toString().split('\n').map((l) => l.split(' ')[0]));
  assert.equal(made.filter((ns) => listed.has(ns)), []);
});

/** An epmd request: its u16 length, then the body. */
function epmd(body: Buffer): Buffer {
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

/** A one-shot client script: sends `request` to the port mapper at host:port and prints the reply's bytes in hex. */
function mapperClient(host: string, port: number, request: Buffer): string {
  const bytes = JSON.stringify(request.toString('hex'));
  return `const s=require('net').connect(${port},'${host}',()=>s.write(Buffer.from(${bytes},'hex')));const t=[];s.setTimeout(5000,()=>s.destroy());s.on('data',(d)=>t.push(d));s.on('error',(e)=>console.log('error',e.code));s.on('close',()=>console.log(Buffer.concat(t).toString('hex')))`;
}

test.run();
