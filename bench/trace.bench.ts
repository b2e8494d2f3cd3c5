/**
 * What tracing costs:
 * - `trace_overhead_pct`: local message passing (as `local_send_msgs_per_s`: one process
 *   sends 1M messages to another) with one unrelated process under `dbg.messages`,
 *   against none; seven rounds of each, alternating, best of each. Near 0: a trace
 *   costs only the processes it watches.
 * - `seq_trace_render_ms`: `seqTrace` of a PubSub publish on three nodes (separate OS
 *   processes; 1 subscriber here, 2 and 1 on the others) and drawing it: from the call
 *   until the text is there. Median of 20.
 */
import { Runtime, receive, self, send, setDefaultRuntime, spawn, TIMEOUT } from '../src/process/index.ts';
import * as dbg from '../src/trace/dbg.ts';
import { seqTrace } from '../src/trace/seq.ts';
import * as pg from '../src/pg.ts';
import * as PubSub from '../src/pubsub/index.ts';
import { _ } from '../src/term.ts';
import { startCluster } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';
import { on, startPeers } from './support/nodes.ts';

/** ms for one process to send `n` messages to another that takes them all. */
function localSend(rt: Runtime, n: number): Promise<number> {
  return on(rt, () => new Promise<number>((resolve) => {
    const receiver = spawn(async () => {
      for (let i = 0; i < n; i++) await receive();
      resolve(performance.now() - start);
    });
    const start = performance.now();
    for (let i = 0; i < n; i++) send(receiver, i);
  }));
}

const rt = new Runtime({ log: () => {} });
setDefaultRuntime(rt);
const N = 1_000_000;
await localSend(rt, 100_000); // warm-up
let plain = Infinity;
let traced = Infinity;
for (let round = 0; round < 7; round++) {
  plain = Math.min(plain, await localSend(rt, N));
  const owner = spawn(async () => {
    const unrelated = spawn(() => receive());
    await dbg.messages(unrelated, 100);
    await receive('stop');
  });
  await new Promise((r) => setTimeout(r, 5));
  if (dbg.traces().length !== 1) throw new Error('the unrelated process is not traced');
  traced = Math.min(traced, await localSend(rt, N));
  send(owner, 'stop');
  await new Promise((r) => setTimeout(r, 5));
}
report('trace_overhead_pct', Number((((traced - plain) / plain) * 100).toFixed(1)), '%');

const cluster = await startCluster();
try {
  const a = await cluster.local('seqa', { tickTime: 10_000 });
  const peers = await startPeers(cluster, ['seqb', 'seqc']);
  const ms = await on(a.runtime, async () => {
    pg.startScope();
    await PubSub.start();
    const me = self();
    for (const [peer, n] of [[peers[0]!, 2], [peers[1]!, 1]] as const) {
      if (!(await a.connect(peer))) throw new Error(`cannot connect to ${peer}`);
      send(['bench', peer], ['subscribe', me, 'news', n, Infinity]);
      if ((await receive(['ready', _], { after: 10_000 })) === TIMEOUT) throw new Error(`${peer} did not subscribe`);
    }
    spawn(async () => {
      PubSub.subscribe('news');
      for (;;) await receive();
    });
    while (pg.getMembers(['PubSub', 'PubSub']).length < 3) await receive(_, { after: 10 });
    const samples: number[] = [];
    for (let i = 0; i < 25; i++) {
      const start = performance.now();
      const d = await seqTrace(() => PubSub.publish('news', i));
      const text = d.toString(100);
      const took = performance.now() - start;
      if (d.arrows.length !== 6 || !text.includes('PubSub.Adap')) throw new Error(`an incomplete diagram:\n${text}`);
      if (i >= 5) samples.push(took);
    }
    return percentile(samples, 50);
  });
  report('seq_trace_render_ms', Number(ms.toFixed(1)), 'ms');
} finally {
  await cluster.stop();
}
