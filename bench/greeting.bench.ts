/**
 * Joining a cluster: with two nodes up, a third is launched as `node --import tsx
 * playground --sname ...`; the clock runs from the launch until it prints its first
 * greeting. Five rounds (each newcomer is stopped before the next); prints the median
 * as `greeting_ms`.
 */
import { startCluster } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';

const ROUNDS = 5;
const c = await startCluster();
try {
  const alice = await c.start(['--sname', 'alice']);
  const bob = await c.start(['--sname', 'bob']);
  await alice.waitFor('Hello world from bob');
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const newcomer = await c.start(['--sname', `newcomer${i}`], { ready: /Hello world from/, timeout: 10_000 });
    samples.push(performance.now() - t0);
    await newcomer.kill();
  }
  report('greeting_ms', Math.round(percentile(samples, 50)), 'ms');
} finally {
  await c.stop();
}
