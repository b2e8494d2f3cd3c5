/**
 * A workshop on one machine (loopback; the multi-host morning is workshop-lan.test.ts):
 * how the roster reads, an attendee who arrives before the teacher, mistakes at the
 * command line, bad input to the room's servers, and help() where there is no room.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rosterLine, rosterTable, duration } from '../src/repl/roster-table.ts';
import { makeColors } from '../src/repl/colors.ts';
import type { Workshop } from '../src/index.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { exactly } from './support/eventually.ts';

type Attendee = Workshop.Attendee;
type Standing = Workshop.Standing;

const NOW = 1_000_000;
const plain = makeColors(false);
let c: Cluster;

test.before.each(async () => {
  c = await startCluster();
});
test.after.each(async () => {
  await c.stop();
});

const standing = (s: Partial<Standing>): Standing => ({
  lesson: 'pubsub', step: 4, steps: 14, title: 'pg across nodes', onStepMs: 0, hints: 0, error: null, hand: null, handMs: 0, sentAt: 0, ...s,
});
const row = (node: string, r: Partial<Attendee> = {}): Attendee => ({
  node, status: 'here', since: NOW - 5000, standing: null, stepSince: NOW - 130_000, handSince: NOW - 20_000, reason: null, ...r,
});

test('the roster table: hands first (oldest first), then here, refused, gone; steps, times, hints and notes', () => {
  const rows = [
    row('dan@10.0.0.10', { status: 'gone', since: NOW - 240_000, standing: standing({ step: 2 }) }),
    row('ann@10.0.0.7', { standing: standing({ step: 14, hints: 2 }) }),
    row('eve@10.0.0.11', { status: 'refused', reason: 'wrong cookie' }),
    row('cat@10.0.0.9', { standing: standing({ hand: 'stuck on pg', hints: 1, error: 'ReferenceError: x is not defined' }), handSince: NOW - 60_000 }),
    row('bob@10.0.0.8', { standing: standing({ hand: '', lesson: null, steps: 0, step: 0 }), handSince: NOW - 90_000 }),
    row('ben@10.0.0.8'),
  ];
  const lines = rosterTable(rows, NOW, plain, 200, 'teacher@10.0.0.5');
  assert.is(lines[0], 'workshop · 4 here, 1 gone, 1 refused · 2 hands up · workshop.close() hides this');
  assert.match(lines[1]!, /^ {3}node +lesson +step +on step +hints +last error$/);
  const body = lines.slice(2);
  assert.equal(body.map((l) => /\S+@\S+/.exec(l)![0]), ['bob@10.0.0.8', 'cat@10.0.0.9', 'ann@10.0.0.7', 'ben@10.0.0.8', 'eve@10.0.0.11', 'dan@10.0.0.10']);
  assert.match(body[0]!, /^✋ bob@10\.0\.0\.8 +- +hand up 1m 30s$/);
  assert.match(body[1]!, /^✋ cat@10\.0\.0\.9 +pubsub +5\/14 pg across nodes +2m 10s +1 +"stuck on pg" · ReferenceError: x is not defined$/);
  assert.match(body[2]!, /^ {3}ann@10\.0\.0\.7 +pubsub +done +2$/);
  assert.match(body[3]!, /^ {3}ben@10\.0\.0\.8 +-$/);
  assert.match(body[4]!, /^ {3}eve@10\.0\.0\.11 +- +refused: wrong cookie$/);
  assert.match(body[5]!, /^ {3}dan@10\.0\.0\.10 +pubsub +3\/14 pg across nodes +gone 4m 00s ago +0$/);
  // Cut to the terminal's width, with an ellipsis.
  for (const line of rosterTable(rows, NOW, plain, 60, 'teacher@10.0.0.5')) assert.ok(line.length <= 60, line);
  assert.match(rosterTable([], NOW, plain, 200, 'teacher@10.0.0.5')[2]!, /no other node in the cluster yet: attendees join with --join teacher@10\.0\.0\.5/);
});

test('the piped roster: one line per row, without the times that change by themselves', () => {
  assert.is(rosterLine(row('ben@10.0.0.8')), 'ben@10.0.0.8: joined');
  assert.is(rosterLine(row('ben@10.0.0.8', { standing: standing({ lesson: null }) })), 'ben@10.0.0.8: no lesson yet');
  assert.is(
    rosterLine(row('cat@10.0.0.9', { standing: standing({ hints: 1, error: 'TypeError: x', hand: 'help' }) })),
    'cat@10.0.0.9: pubsub 5/14, hints 1, last error: TypeError: x, hand up: "help"',
  );
  assert.is(rosterLine(row('dan@10.0.0.10', { status: 'gone', standing: standing({ step: 14 }) })), 'dan@10.0.0.10: gone (was at pubsub done)');
  assert.is(rosterLine(row('eve@10.0.0.11', { status: 'refused', reason: 'wrong cookie' })), 'eve@10.0.0.11: refused: wrong cookie');
  assert.equal([duration(999), duration(59_999), duration(61_000), duration(3_720_000)], ['0s', '59s', '1m 01s', '1h 02m']);
});

test('an attendee who arrives before the teacher says once why it waits, then joins when the teacher comes', async () => {
  const ann = await c.start(['--name', 'ann@127.0.0.1', '--join', 'teacher@127.0.0.1', '--discovery', 'none', '--heartbeat', '300']);
  await ann.waitFor("cannot join through teacher@127.0.0.1 yet: this machine's port mapper does not know teacher@127.0.0.1");
  // Several attempts (the backoff reaches 300 ms): still one line.
  await exactly(() => ann.count('cannot join through'), 1, { what: 'waiting lines', quiet: 1500 });
  const teacher = await c.start(['--name', 'teacher@127.0.0.1', '--discovery', 'none', '--workshop'], { ready: 'roster open on' });
  await ann.waitFor('[info] joined the cluster through teacher@127.0.0.1');
  await teacher.waitFor('[workshop] ann@127.0.0.1: no lesson yet');
  await exactly(() => ann.count('joined the cluster'), 1, { what: 'joined lines', quiet: 600 });
  assert.is(ann.count('cannot join through'), 1);
});

test('mistakes on the command line: --join without a name, a long name without dots', async () => {
  const join = await c.run(['--join', 'teacher@10.0.0.5']);
  assert.is(join.code, 2);
  assert.match(join.output, /^playground: --join needs a named node: give --name ann@<your address> \(or --sname ann on one machine\)\n$/);
  const dotless = await c.run(['--name', 'bob@vm']);
  assert.is(dotless.code, 2);
  assert.match(dotless.output, /--name bob@vm: a long name's host is an address or a host name with dots \(--name bob@10\.0\.0\.7\); for a node on this machine only, use --sname bob/);
});

test('bad input to the room: a malformed progress cast and a forged standing change nothing, and the nodes go on', async () => {
  const teacher = await c.start(['--name', 'teacher@127.0.0.1', '--discovery', 'none', '--workshop'], { ready: 'roster open on' });
  const ann = await c.start(['--name', 'ann@127.0.0.1', '--join', 'teacher@127.0.0.1', '--discovery', 'none']);
  await teacher.waitFor('[workshop] ann@127.0.0.1: no lesson yet');
  ann.send("GenServer.cast(['workshop_member', 'ann@127.0.0.1'], ['progress', ['step', 'x', -1]]); GenServer.cast('workshop_member', 'nonsense')");
  ann.send("PubSub.publish('workshop:progress', ['attendee', 'mallory@127.0.0.1', { step: 'a lot' }]); PubSub.publish('workshop:progress', 42)");
  ann.send("help('after the garbage')");
  await teacher.waitFor('[workshop] ann@127.0.0.1: no lesson yet, hand up: "after the garbage"');
  assert.not.match(teacher.output, /mallory/);
  assert.not.match(teacher.output + ann.output, /\[error\]/);
  const since = teacher.mark();
  teacher.send('workshop.rows().then((rows) => rows.map((r) => r.node))');
  await teacher.waitFor("[ 'ann@127.0.0.1' ]", { since });
});

test('a hand raised before pg has named any roster reaches the roster that called the roll, until that roster is gone', async () => {
  // A node that has just joined hears the roll call before pg tells it of the rosters. Here
  // a process of ann's calls the roll and is in no pg group, so pg never names it.
  const ann = await c.start(['--sname', 'ann', '--discovery', 'none']);
  ann.send("const fake = spawn(async () => { for (;;) { const m = await receive(); console.log('the roster heard', m[0], m[2].hand) } })");
  ann.send("send('workshop_member', ['rollcall', fake])");
  await ann.waitFor('the roster heard attendee null');
  const since = ann.mark();
  ann.send("'watching: ' + await GenServer.call('workshop_member', ['hand', 'stuck at once'])");
  await ann.waitFor("'watching: 1'", { since });
  await ann.waitFor('the roster heard attendee stuck at once', { since });
  ann.send("exit(fake, 'kill')");
  const after = ann.mark();
  ann.send("'watching: ' + await GenServer.call('workshop_member', ['hand', null])");
  await ann.waitFor("'watching: 0'", { since: after });
  assert.not.match(ann.output, /\[error\]/);
});

test('help() and workshop() on a node that is not distributed say what is needed', async () => {
  const lone = await c.start(['--discovery', 'none'], { ready: /playground\(1\)> / });
  lone.send('help()');
  await lone.waitFor('Raising a hand needs a named node: start it with --name <name>@<address> (or --sname <name> on one machine).');
  lone.send('workshop()');
  await lone.waitFor('A workshop needs a named node');
});

test.run();
