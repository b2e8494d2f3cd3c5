/**
 * Remote send throughput: one process on this node sends to a process on another node
 * (a separate OS process) over the real connection; the clock stops when the receiver
 * has counted every message (its report comes back after the last one, in order).
 *
 * remote_send_msgs_per_s      200k small messages
 * remote_send_1kb_msgs_per_s  100k messages carrying 1 KB each
 * Each is the median of three bursts.
 */
import { startCluster, inProcess, PEER } from '../test/support/cluster.ts';
import { _, receive, send, self, TIMEOUT } from '../src/index.ts';
import { percentile, report } from './report.ts';

const c = await startCluster();
try {
  const peer = await c.start(['--sname', 'sink', '--no-greet', '--discovery', 'none'], { script: PEER });
  const me = await c.local('bench');
  if (!(await me.connect(peer.name!))) throw new Error('could not connect to the peer');

  /** One timed burst of `n` messages; resolves with messages per second. */
  function burst(n: number, payload: unknown): Promise<number> {
    return inProcess(me.runtime, async () => {
      const dest: [string, string] = ['sink', peer.name!];
      // The sink counts cumulatively: ask where it stands first.
      send(dest, ['report', self()]);
      const before = (await receive(['report', _, _], { after: 5000 })) as [string, number, number];
      const start = performance.now();
      for (let i = 0; i < n; i++) send(dest, ['seq', before[1] + i, payload]);
      send(dest, ['report', self()]);
      const after = await receive(['report', _, _], { after: 60_000 });
      if (after === TIMEOUT) throw new Error('the sink did not report');
      const [, count, outOfOrder] = after as [string, number, number];
      if (count - before[1] !== n || outOfOrder !== before[2]) throw new Error(`sink got ${count - before[1]} of ${n}`);
      return n / ((performance.now() - start) / 1000);
    }, 90_000);
  }

  /** The median of three bursts (the machine is shared; one burst is noisy). */
  async function run(metric: string, n: number, payload: unknown): Promise<void> {
    const rates = [await burst(n, payload), await burst(n, payload), await burst(n, payload)];
    report(metric, Math.round(percentile(rates, 50)), 'msgs/s');
  }

  await burst(50_000, null); // warm-up, not reported
  await run('remote_send_msgs_per_s', 200_000, null);
  await run('remote_send_1kb_msgs_per_s', 100_000, Buffer.alloc(1024, 7));
} finally {
  await c.stop();
}
