/**
 * rpc latency: 20k sequential `rpc.call`s of a trivial function from a process on this
 * node to another node (a separate OS process), each timed on its own. The function's
 * source travels each time and is compiled once there. Prints `rpc_call_p50_us` and
 * `rpc_call_p99_us` (Erlang's `:erpc.call` is the yardstick).
 */
import { startCluster } from '../test/support/cluster.ts';
import { startPeers, timedCalls } from './support/nodes.ts';
import * as rpc from '../src/rpc.ts';
import { percentile, report } from './report.ts';

const N = 20_000;
const c = await startCluster();
try {
  const [node] = (await startPeers(c, ['callee'])) as [string];
  const me = await c.local('caller');
  if (!(await me.connect(node))) throw new Error('could not connect to the peer');
  const timed = () => timedCalls(me.runtime, N, () => rpc.call(node, () => 1));
  await timed(); // warm-up: both nodes' compilers, not the steady state
  const samples = await timed();
  report('rpc_call_p50_us', Number(percentile(samples, 50).toFixed(1)), 'us');
  report('rpc_call_p99_us', Number(percentile(samples, 99).toFixed(1)), 'us');
} finally {
  await c.stop();
}
