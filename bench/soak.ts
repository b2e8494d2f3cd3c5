/**
 * The soak: `npm run soak -- --nodes 50 --minutes 10`. Real playgrounds on loopback
 * (gossip, `--heartbeat 500`), their own port mapper and home. Once they have met, for
 * the given minutes: every few seconds one node of the first half is killed with kill -9
 * and started again under its name (the second half is never killed: their memory is
 * the one watched); the next kill waits until the new one has met everyone (so every
 * instance of every node is in the mesh once), the pace a mesh of this size allows.
 * All along:
 * - the restarted node is greeted by each live node exactly once, and each live node by
 *   it exactly once;
 * - at the end (after a quiet window): every live node lists every other; pg membership
 *   (one shell per node in the group `soak`) agrees everywhere; each node's greetings
 *   from each peer are exactly one per instance of that peer it lived alongside (none
 *   lost, none doubled); the memory of the nodes never killed stays flat (resident size
 *   at the first quarter of the run and at the end, median over them).
 * Prints one JSON line, `{"nodes", "minutes", "kills", ..., "ok"}`, and exits 0 when ok.
 * Only loopback; every node and the port mapper are stopped by PID at the end.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HOST, startCluster, type NodeProcess } from '../test/support/cluster.ts';
import { sleep } from '../test/support/eventually.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '50' }, minutes: { type: 'string', default: '10' }, interval: { type: 'string', default: '2000' } } });
const N = Number(values.nodes);
const MINUTES = Number(values.minutes);
const INTERVAL_MS = Number(values.interval);
/** Memory may grow this much (resident size, median over the nodes never killed) and still be flat. */
const FLAT = 0.15;
const FLAGS = ['--heartbeat', '500'];
const BATCH = 10;

interface Instance {
  node: NodeProcess;
  /** How many greetings from each peer this instance must have: one per instance of it met. */
  expected: Map<string, number>;
}

const c = await startCluster({ env: { PLAYGROUND_EPMD_IDLE_MS: '60000' } });
const names = Array.from({ length: N }, (_, i) => `s${String(i + 1).padStart(2, '0')}@${HOST}`);
const live = new Map<string, Instance>();
const survivors = new Set(names);
const problems: string[] = [];
const started = Date.now();
let kills = 0;
let summary: Record<string, unknown> = {};
try {
  for (let i = 0; i < N; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const nodes = await c.startAll(batch.map((n) => ['--sname', n.split('@')[0]!, ...FLAGS]), { timeout: 120_000 });
    nodes.forEach((node, j) => live.set(batch[j]!, { node, expected: new Map() }));
  }
  for (const [name, inst] of live) for (const peer of names) if (peer !== name) inst.expected.set(peer, 1);
  await met([...live.keys()], 120_000);
  for (const inst of live.values()) inst.node.send("pg.join('soak', self())");

  const soakStart = Date.now();
  const deadline = soakStart + MINUTES * 60_000;
  const victims = names.slice(0, Math.max(1, Math.floor(N / 2)));
  let early: Map<string, number> | null = null;
  while (Date.now() < deadline) {
    if (early === null && Date.now() > soakStart + (deadline - soakStart) / 4) early = rssOf(survivors);
    const victim = victims[Math.floor(Math.random() * victims.length)]!;
    survivors.delete(victim);
    await live.get(victim)!.node.kill('SIGKILL');
    kills++;
    const node = await c.start(['--sname', victim.split('@')[0]!, ...FLAGS], { timeout: 60_000 });
    const inst: Instance = { node, expected: new Map(names.filter((p) => p !== victim).map((p) => [p, 1])) };
    live.set(victim, inst);
    for (const [name, other] of live) if (name !== victim) other.expected.set(victim, (other.expected.get(victim) ?? 0) + 1);
    await met([victim], 60_000);
    node.send("pg.join('soak', self())");
    await sleep(INTERVAL_MS);
  }
  early ??= rssOf(survivors);

  // The end: a quiet window, then everything checked at once.
  await sleep(3000);
  const greetings = checkGreetings();
  const lists = await askAll('list().length');
  const meshOk = [...lists.values()].every((v) => v === String(N - 1));
  if (!meshOk) problems.push(`list().length: ${[...lists].filter(([, v]) => v !== String(N - 1)).map(([n, v]) => `${n}=${v}`).join(', ')}`);
  const members = await askAll("JSON.stringify(getMembers('soak').map((p) => p.node).sort())");
  const want = JSON.stringify([...names].sort());
  const pgOk = [...members.values()].every((v) => v === `'${want}'`);
  if (!pgOk) problems.push(`pg 'soak' disagrees on ${[...members].filter(([, v]) => v !== `'${want}'`).map(([n]) => n).join(', ')}`);
  const before = median([...survivors].map((n) => early!.get(n)!));
  const late = median([...rssOf(survivors).values()]);
  const growth = survivors.size === 0 ? 0 : late / before - 1;
  if (growth > FLAT) problems.push(`the memory of the nodes never killed grew by ${(growth * 100).toFixed(1)}%`);
  summary = {
    nodes: N,
    minutes: MINUTES,
    kills,
    restarts: kills,
    survivors: survivors.size,
    mesh_ok: meshOk,
    pg_ok: pgOk,
    greetings_checked: greetings.checked,
    greetings_lost: greetings.lost,
    greetings_doubled: greetings.doubled,
    survivor_rss_mb_start: Math.round(before / 1024),
    survivor_rss_mb_end: Math.round(late / 1024),
    survivor_rss_growth_pct: Number((growth * 100).toFixed(1)),
    seconds: Math.round((Date.now() - started) / 1000),
    problems,
    ok: problems.length === 0,
  };
} catch (err) {
  problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  summary = { nodes: N, minutes: MINUTES, kills, problems, ok: false };
} finally {
  await c.stop();
}
process.stdout.write(JSON.stringify(summary) + '\n');
process.exitCode = summary.ok ? 0 : 1;

// Internals

/** Waits until each of `fresh` has been greeted by every live node, and has greeted each. */
async function met(fresh: string[], timeout: number): Promise<void> {
  const until = Date.now() + timeout;
  for (;;) {
    const missing = fresh.flatMap((name) => {
      const inst = live.get(name)!;
      return names.filter((peer) => peer !== name && (count(inst, peer) < inst.expected.get(peer)! || count(live.get(peer)!, name) < live.get(peer)!.expected.get(name)!));
    });
    if (missing.length === 0) return;
    if (Date.now() > until) throw new Error(`${fresh.join(', ')} did not meet ${missing.slice(0, 5).join(', ')} within ${timeout} ms`);
    await sleep(50);
  }
}

function count(inst: Instance, from: string): number {
  return inst.node.count(`Hello world from ${from}\n`);
}

/** Every live node's greetings from every peer against what it must have. */
function checkGreetings(): { checked: number; lost: number; doubled: number } {
  let checked = 0;
  let lost = 0;
  let doubled = 0;
  for (const [name, inst] of live) {
    for (const [peer, want] of inst.expected) {
      const got = count(inst, peer);
      checked++;
      if (got < want) lost += want - got;
      if (got > want) doubled += got - want;
      if (got !== want) problems.push(`${name} was greeted ${got} times by ${peer}, expected ${want}`);
    }
  }
  return { checked, lost, doubled };
}

/** Types `expr` at every live node; resolves with the line each printed as its value. */
async function askAll(expr: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const prompt = /playground\([^)]+\)\d+> /g;
  await Promise.all(
    [...live].map(async ([name, inst]) => {
      const since = inst.node.mark();
      inst.node.send(expr);
      await inst.node.waitFor(/\n?playground\([^)]+\)\d+> /, { since, timeout: 30_000 });
      const shown = inst.node.output.slice(since).replace(prompt, '\n').split('\n');
      out.set(name, shown.map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('[')) ?? '');
    }),
  );
  return out;
}

/** The resident size (KiB) of each of `nodes`. */
function rssOf(nodes: Set<string>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const n of nodes) sizes.set(n, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${live.get(n)!.node.pid}/status`, 'utf8'))![1]));
  return sizes;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
