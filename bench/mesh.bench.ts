/**
 * A cluster of fifty forming at once: fifty nodes (separate OS processes, no prompt) are
 * launched with discovery held back; once every one is up (listening and registered),
 * all are released together and gossip on loopback; the clock runs from the release
 * until the last node lists the 49 others. Launching is not timed: on two cores, fifty
 * launches cost seconds of CPU by themselves (`repl_ready_direct_ms` is that figure).
 * Prints `mesh_50_nodes_ms`.
 */
import { startCluster, type NodeProcess } from '../test/support/cluster.ts';
import { Workshop } from '../src/index.ts';
import { report } from './report.ts';

const N = 50;
const BATCH = 10;
const c = await startCluster();
try {
  const nodes: NodeProcess[] = [];
  const opts = { script: 'bench/support/workshop-peer.ts', ready: /^up$/m, timeout: 60_000, env: { BENCH_ROLE: 'mesh', BENCH_EXPECT: String(N - 1) } };
  for (let i = 0; i < N; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ['--sname', `m${i + j}`, '--heartbeat', '500', '--no-greet']);
    nodes.push(...(await c.startAll(batch, opts)));
  }
  const t0 = Workshop.preciseNow();
  for (const node of nodes) node.send('go');
  const done = await Promise.all(nodes.map((node) => node.waitFor(/full [\d.]+/, { timeout: 30_000 })));
  const last = Math.max(...done.map((line) => Number(line.split(' ')[1])));
  report('mesh_50_nodes_ms', Math.round(last - t0), 'ms');
} finally {
  await c.stop();
}
