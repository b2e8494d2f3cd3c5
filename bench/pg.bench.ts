/**
 * pg and PubSub across real nodes (separate OS processes on loopback):
 * - `pg_convergence_ms`: a process joins a group on node B; how long until node A's
 *   table (what getMembers reads) has it. B stamps the group name with the time of
 *   the join, and A notes the time its scope announces the member: median of 50.
 * - `pubsub_deliveries_per_s`: three nodes with 1000 subscribers of one topic each;
 *   A publishes 1000 messages; time until all 3,000,000 deliveries are done.
 */
import { _, pg, PubSub, receive, self, send, spawn, TIMEOUT } from '../src/index.ts';
import { startCluster } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';
import { on, startPeers } from './support/nodes.ts';

const now = () => performance.timeOrigin + performance.now();

const cluster = await startCluster();
try {
  const a = await cluster.local('bencha', { tickTime: 10_000 });
  const [b, c] = (await startPeers(cluster, ['benchb', 'benchc'])) as [string, string];

  const convergence = await on(a.runtime, async () => {
    pg.startScope();
    await PubSub.start();
    for (const n of [b, c]) if (!(await a.connect(n))) throw new Error(`cannot connect to ${n}`);
    const [ref] = pg.monitorScope();
    const samples: number[] = [];
    for (let i = 0; i < 60; i++) {
      send(['bench', b], ['join', ['bench', i, now()]]);
      const [, , group] = await receive([ref, 'join', ['bench', i, _], _], { after: 5000 });
      if (i >= 10) samples.push(now() - (group as [string, number, number])[2]);
    }
    return percentile(samples, 50);
  });
  report('pg_convergence_ms', Number(convergence.toFixed(3)), 'ms');

  const SUBS = 1000;
  const MSGS = 1000;
  const rate = await on(a.runtime, async () => {
    const me = self();
    for (const n of [b, c]) send(['bench', n], ['subscribe', me, 'bench', SUBS, MSGS]);
    // The local thousand, counted the same way.
    let full = 0;
    for (let i = 0; i < SUBS; i++) {
      spawn(async () => {
        PubSub.subscribe('bench');
        for (let got = 0; got < MSGS; got++) await receive();
        send(me, 'full');
      });
    }
    for (let i = 0; i < 2; i++) {
      if ((await receive(['ready', _], { after: 10_000 })) === TIMEOUT) throw new Error('peers did not subscribe');
    }
    const start = performance.now();
    for (let i = 0; i < MSGS; i++) PubSub.publish('bench', i);
    for (;;) {
      const msg = await receive(_, { after: 30_000 });
      if (msg === TIMEOUT) throw new Error(`only ${full} of ${3 * SUBS} subscribers got every message`);
      if (msg === 'full') full++;
      else if (!Array.isArray(msg) || msg[0] !== 'done') throw new Error(`unexpected ${String(msg)}`);
      else full += SUBS;
      if (full === 3 * SUBS) break;
    }
    return (3 * SUBS * MSGS) / ((performance.now() - start) / 1000);
  });
  report('pubsub_deliveries_per_s', Math.round(rate), 'deliveries/s');
} finally {
  await cluster.stop();
}
