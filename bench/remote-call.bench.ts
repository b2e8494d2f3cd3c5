/**
 * Remote GenServer call latency: 20k sequential calls from a process on this node to the
 * greeter of another node (a separate OS process), addressed as `['greeter', node]`,
 * each timed on its own. Prints `remote_call_p50_us` and `remote_call_p99_us`.
 */
import { startCluster, PEER } from '../test/support/cluster.ts';
import { GenServer } from '../src/index.ts';
import { timedCalls } from './support/nodes.ts';
import { percentile, report } from './report.ts';

const N = 20_000;
const c = await startCluster();
try {
  const peer = await c.start(['--sname', 'callee', '--discovery', 'none'], { script: PEER });
  const me = await c.local('caller');
  if (!(await me.connect(peer.name!))) throw new Error('could not connect to the peer');
  const server: [string, string] = ['greeter', peer.name!];
  const timed = () => timedCalls(me.runtime, N, () => GenServer.call(server, 'greetings'), 20_000);
  await timed(); // warm-up: both nodes' compilers, not the steady state
  const samples = await timed();
  report('remote_call_p50_us', Number(percentile(samples, 50).toFixed(1)), 'us');
  report('remote_call_p99_us', Number(percentile(samples, 99).toFixed(1)), 'us');
} finally {
  await c.stop();
}
