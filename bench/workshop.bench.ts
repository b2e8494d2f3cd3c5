/**
 * A workshop's roster on loopback: a teacher node (no prompt, its roster open) and
 * attendees joining it with --join.
 * - `workshop_join_ms`: thirty attendee nodes (no prompt) are launched a few at a time;
 *   each stamps the moment it is up (listening and registered) and then starts its
 *   rendezvous; the teacher stamps the moment its roster first lists it. p95 of the 30.
 * - `roster_update_ms`: a real playground attendee plays the genserver lesson with
 *   --auto; for each step that passes, from the moment its member sends the new
 *   standing until the teacher's roster has it. Median over the lesson's 14 steps.
 * Every stamp is `Workshop.preciseNow()`, comparable between processes of one machine.
 */
import { startCluster, type NodeProcess } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';

const ATTENDEES = 30;
const BATCH = 5;
const PEER = 'bench/support/workshop-peer.ts';
const TEACHER = 'teacher@127.0.0.1';
const FAST = ['--discovery', 'none', '--no-greet', '--heartbeat', '200'];

const c = await startCluster();
try {
  const teacher = await c.start(['--name', TEACHER, ...FAST], { script: PEER, ready: 'teacher ready', env: { BENCH_ROLE: 'teacher' } });
  const stamp = (node: NodeProcess, pattern: RegExp) => Number(pattern.exec(node.output)![1]);

  const join: number[] = [];
  for (let i = 0; i < ATTENDEES; i += BATCH) {
    const names = Array.from({ length: BATCH }, (_, j) => `a${i + j}@127.0.0.1`);
    const nodes = await c.startAll(
      names.map((n) => ['--name', n, '--join', TEACHER, ...FAST]),
      { script: PEER, ready: /^up [\d.]+$/m, timeout: 60_000, env: { BENCH_ROLE: 'attendee' } },
    );
    for (const [j, node] of nodes.entries()) {
      const listed = new RegExp(`^listed ${names[j]!.replace(/\./g, '\\.')} ([\\d.]+)$`, 'm');
      await teacher.waitFor(listed, { timeout: 20_000 });
      join.push(stamp(teacher, listed) - stamp(node, /^up ([\d.]+)$/m));
    }
  }
  report('workshop_join_ms', Number(percentile(join, 95).toFixed(1)), 'ms');

  const player = 'player@127.0.0.1';
  const play = await c.start(['--name', player, '--join', TEACHER, ...FAST, '--lesson', 'genserver', '--auto', '--auto-delay', '100'], {
    ready: null,
  });
  const { code } = await play.exited;
  if (code !== 0) throw new Error(`the lesson did not pass:\n${play.output}`);
  const updates = [...teacher.output.matchAll(new RegExp(`^standing ${player.replace(/\./g, '\\.')} (\\d+) ([\\d.]+) ([\\d.]+)$`, 'gm'))];
  const samples = updates.filter((m) => Number(m[1]) > 0).map((m) => Number(m[3]) - Number(m[2]));
  if (samples.length < 10) throw new Error(`only ${samples.length} step updates reached the roster:\n${teacher.output}`);
  report('roster_update_ms', Number(percentile(samples, 50).toFixed(2)), 'ms');
} finally {
  await c.stop();
}
