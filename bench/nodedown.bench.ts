/**
 * Failure detection: a peer node (a separate OS process) is killed with SIGKILL; the
 * clock runs from the kill until this node's `['nodedown', peer]` message arrives.
 * Five rounds with a fresh peer each; prints the median as `nodedown_ms`.
 */
import { startCluster, inProcess, PEER } from '../test/support/cluster.ts';
import { monitorNodes, receive, TIMEOUT } from '../src/index.ts';
import { percentile, report } from './report.ts';

const ROUNDS = 5;
const c = await startCluster();
try {
  const me = await c.local('watcher');
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const peer = await c.start(['--sname', `victim${i}`, '--discovery', 'none', '--no-greet'], { script: PEER });
    const ms = await inProcess(me.runtime, async () => {
      monitorNodes(true);
      if (!(await me.connect(peer.name!))) throw new Error(`could not connect to ${peer.name}`);
      await receive(['nodeup', peer.name], { after: 5000 });
      const t0 = performance.now();
      peer.child.kill('SIGKILL');
      const down = await receive(['nodedown', peer.name], { after: 10_000 });
      if (down === TIMEOUT) throw new Error('no nodedown within 10 s');
      return performance.now() - t0;
    });
    samples.push(ms);
    await peer.exited;
  }
  report('nodedown_ms', Number(percentile(samples, 50).toFixed(2)), 'ms');
} finally {
  await c.stop();
}
