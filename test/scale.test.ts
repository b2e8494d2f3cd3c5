/**
 * Fifty real nodes on one machine (the size of a big workshop, on loopback): they find
 * each other by gossip, form a full mesh, and every node is greeted by each of the 49
 * others exactly once: no greeting doubled, none missing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';

const N = 50;
/** Nodes started at once: enough to overlap their start-up, few enough not to starve two cores. */
const BATCH = 10;
let c: Cluster;

test.before(async () => {
  c = await startCluster();
});
test.after(async () => {
  await c.stop();
});

test(`${N} nodes form a full mesh and each is greeted by every other exactly once`, async () => {
  const names = Array.from({ length: N }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < N; i += BATCH) {
    const batch = names.slice(i, i + BATCH).map((n) => ['--sname', n, '--heartbeat', '500']);
    nodes.push(...(await c.startAll(batch, { timeout: 60_000 })));
  }
  await Promise.all(
    nodes.map((node) => exactly(() => node.count('Hello world from'), N - 1, { what: `greetings on ${node.name}`, timeout: 60_000, quiet: 1500 })),
  );
  for (const node of nodes) {
    const from = [...node.output.matchAll(/Hello world from (\S+)/g)].map((m) => m[1]);
    assert.is(new Set(from).size, N - 1, `${node.name} was greeted by 49 different nodes`);
    assert.not.ok(from.includes(node.name), `${node.name} did not greet itself`);
  }
  // Every node lists the 49 others.
  for (const node of nodes) {
    const since = node.mark();
    node.send('list().length');
    await eventually(() => assert.match(node.output.slice(since), new RegExp(`(^|> )${N - 1}\\n`, 'm')), { timeout: 20_000 });
  }
});

test.run();
