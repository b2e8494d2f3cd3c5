/**
 * The netsplit soak: `npm run soak:netsplit -- --nodes 4 --cycles 40 --load 2`. Real
 * playgrounds on loopback (gossip every 100 ms, as the netsplit test), their own port
 * mapper and home. Each cycle cuts the cluster in two at random from a random node,
 * heals it from another after a random pause (sometimes before the cut has reached
 * every node); now and then a link flaps just before the cut (discovery dials it again
 * as the cut arrives), now and then the cut reaches a node of the partitioner's side late
 * (`delay` on their link), after the far side has closed its links to it (the order of
 * the failures first seen in the netsplit test), and now and then one node is stopped for a moment
 * around the cut or the heal (SIGSTOP, then SIGCONT), so that frames and dials arrive in orders a quiet machine
 * seldom shows. After each heal the full mesh must form within a generous bound and
 * then stay whole for a quiet window, with no partition left anywhere.
 *
 * `--load N` runs N busy loops beside the nodes (each stops by itself after the run's
 * time limit, and is killed by PID at the end). The run stops at the first cycle that
 * fails, printing every node's `list()` and what it logged, or after `--cycles`
 * cycles or `--minutes` minutes, whichever comes first. Prints one JSON line,
 * `{"nodes", "cycles", "failed", "heal_to_mesh_ms_p50", "heal_to_mesh_ms_max", "ok"}`,
 * and exits 0 when ok. Only loopback; every process is stopped by PID at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startCluster, type NodeProcess } from '../test/support/cluster.ts';
import { ask } from '../test/support/prompt.ts';
import { sleep } from '../test/support/eventually.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '4' },
    cycles: { type: 'string', default: '30' },
    minutes: { type: 'string', default: '5' },
    load: { type: 'string', default: '0' },
  },
});
const N = Math.min(8, Math.max(3, Number(values.nodes)));
const CYCLES = Number(values.cycles);
const DEADLINE = Date.now() + Number(values.minutes) * 60_000;
const FLAGS = ['--discovery', 'gossip', '--heartbeat', '100', '--no-greet'];
/** How long a heal may take to give the full mesh back: three setup times (7 s each). */
const MESH_BOUND = 21_000;
/** How long the mesh must then stay whole. */
const QUIET = 1500;

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const pause = (max: number) => sleep(Math.floor(Math.random() * max));

const c = await startCluster();
const burners: ChildProcess[] = [];
const stopped = new Set<NodeProcess>();
const healTimes: number[] = [];
let cycles = 0;
let failed: string | null = null;
try {
  for (let i = 0; i < Number(values.load); i++) burners.push(burn(DEADLINE + 60_000 - Date.now()));
  const names = Array.from({ length: N }, (_, i) => `n${i + 1}`);
  const nodes = await c.startAll(names.map((n) => ['--sname', n, ...FLAGS]), { timeout: 60_000 });
  await wholeMesh(nodes, 30_000);
  while (cycles < CYCLES && Date.now() < DEADLINE && failed === null) {
    cycles++;
    const shuffled = [...nodes].sort(() => Math.random() - 0.5);
    const cut = 1 + Math.floor(Math.random() * (N - 1));
    const sideA = shuffled.slice(0, cut).map((n) => n.name!);
    const sideB = shuffled.slice(cut).map((n) => n.name!);
    const hiccup = Math.random() < 0.5 ? pick(nodes) : null;
    const when = Math.random() < 0.5 ? 'cut' : 'heal';
    if (hiccup && when === 'cut') freeze(hiccup);
    const awake = nodes.filter((n) => n !== hiccup);
    const [partitioner, a, b] = [...awake].sort(() => Math.random() - 0.5) as [NodeProcess, NodeProcess, NodeProcess];
    const line = `partition(${JSON.stringify(sideA)}, ${JSON.stringify(sideB)}).id`;
    // Half the time a link flaps as the cut comes: discovery dials it again within 100 ms.
    const flap = Math.random() < 0.5 ? ask(a, `disconnect('${b.name}')`) : null;
    // Half the time the cut reaches one node of the partitioner's side late (a slow link),
    // after the far side has already closed its links to it.
    const near = (sideA.includes(partitioner.name!) ? sideA : sideB).filter((n) => n !== partitioner.name && n !== hiccup?.name);
    const slow = near.length > 0 && Math.random() < 0.5;
    if (slow) await ask(partitioner, `delay('${pick(near)}', ${60 + Math.floor(Math.random() * 120)})`);
    await Promise.all([flap, pause(100).then(() => ask(partitioner, line))]);
    await pause(300);
    if (hiccup) thaw(hiccup);
    // A heal typed before a slowed cut has reached its node is overtaken by it (the cut
    // then holds there alone): after a slow link, the heal waits for the cut everywhere.
    if (slow) await cutEverywhere(nodes);
    if (hiccup && when === 'heal') freeze(hiccup);
    const healer = pick(nodes.filter((n) => n !== hiccup));
    const t0 = Date.now();
    await ask(healer, 'heal()');
    await pause(400);
    if (hiccup) thaw(hiccup);
    try {
      await wholeMesh(nodes, MESH_BOUND);
      healTimes.push(Date.now() - t0);
      await sleep(QUIET);
      await wholeMesh(nodes, 0);
    } catch (err) {
      failed = `cycle ${cycles} (${sideA.join(',')} | ${sideB.join(',')}, heal by ${healer.name}, ${hiccup ? `${hiccup.name} stopped at the ${when}` : 'no stop'}): ${(err as Error).message}`;
      for (const n of nodes) console.error(`--- ${n.name}: what it logged ---\n${logLines(n).slice(-40).join('\n')}`);
    }
  }
} finally {
  for (const n of stopped) thaw(n);
  for (const b of burners) b.kill('SIGKILL');
  await c.stop();
}
healTimes.sort((a, b) => a - b);
const ok = failed === null && cycles > 0;
console.log(JSON.stringify({
  nodes: N, cycles, load: Number(values.load), failed,
  heal_to_mesh_ms_p50: healTimes[Math.floor(healTimes.length / 2)] ?? null, heal_to_mesh_ms_max: healTimes.at(-1) ?? null, ok,
}));
process.exit(ok ? 0 : 1);

/** Waits until every node lists every other and knows no partition; throws with each node's view after `bound` ms. */
async function wholeMesh(nodes: NodeProcess[], bound: number): Promise<void> {
  const deadline = Date.now() + bound;
  for (;;) {
    const line = "list().sort().join(' ') + ' | partitions: ' + partitions().length";
    const views = await Promise.all(nodes.map(async (n) => [n.name!, (await ask(n, line, 30_000)).trim().replace(/^'|'$/g, '')] as const));
    const whole = views.every(([name, v]) => {
      const list = v.split(' | ')[0]!.split(' ').filter(Boolean);
      return v.endsWith('partitions: 0') && list.length === nodes.length - 1 && !list.includes(name);
    });
    if (whole) return;
    if (Date.now() >= deadline) throw new Error(`not a full mesh after ${bound} ms: ${views.map(([n, v]) => `${n}: ${v}`).join('; ')}`);
    await sleep(100);
  }
}

/** The lines a node logged above its prompt (its answers to this script left out). */
function logLines(n: NodeProcess): string[] {
  return n.output.split('\n').map((l) => l.replace(/^(playground\([^)]*\)\d+> )+/, '')).filter((l) => /^\S*\[(info|warning|error|debug)\]/.test(l));
}

/** Waits until every node knows of the partition (bounded by the mesh bound). */
async function cutEverywhere(nodes: NodeProcess[]): Promise<void> {
  const deadline = Date.now() + MESH_BOUND;
  while (Date.now() < deadline) {
    const counts = await Promise.all(nodes.map((n) => ask(n, 'partitions().length', 30_000)));
    if (counts.every((c) => c.trim() !== '0')) return;
    await sleep(50);
  }
  throw new Error(`the partition did not reach every node within ${MESH_BOUND} ms`);
}

function freeze(n: NodeProcess): void {
  process.kill(n.pid, 'SIGSTOP');
  stopped.add(n);
}

function thaw(n: NodeProcess): void {
  process.kill(n.pid, 'SIGCONT');
  stopped.delete(n);
}

/** A busy loop that ends by itself after `ms`. */
function burn(ms: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${Math.max(0, ms)}; while (Date.now() < end);`], { stdio: 'ignore' });
}
