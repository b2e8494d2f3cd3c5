/**
 * rpc latency: 10k sequential `rpc.call`s (after 2k to warm up) of a trivial function from a process on this
 * node to another node (a separate OS process), each timed on its own. The function's
 * source travels each time and is compiled once there. Prints `rpc_call_p50_us` and
 * `rpc_call_p99_us` (Erlang's `:erpc.call` is the yardstick).
 */
import { startCluster } from '../test/support/cluster.ts';
import { startPeers, timedCalls } from './support/nodes.ts';
import * as rpc from '../src/rpc.ts';
import { percentile, report } from './report.ts';

const N = 10_000;
const c = await startCluster();
try {
  const [node] = (await startPeers(c, ['callee'])) as [string];
  const me = await c.local('caller');
  if (!(await me.connect(node))) throw new Error('could not connect to the peer');
  const call = () => rpc.call(node, () => 1);
  await timedCalls(me.runtime, 2000, call); // warm-up: both nodes' compilers, not the steady state
  const samples = await timedCalls(me.runtime, N, call);
  report('rpc_call_p50_us', Number(percentile(samples, 50).toFixed(1)), 'us');
  report('rpc_call_p99_us', Number(percentile(samples, 99).toFixed(1)), 'us');
} finally {
  await c.stop();
}
