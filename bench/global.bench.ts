/**
 * global names and the heal of a netsplit, on three nodes (this one and two separate OS
 * processes on loopback):
 * - `global_register_ms`: `global.register` of a fresh name, from the call until it
 *   resolves 'yes', which is once all three nodes have it in their tables (p50 of 50).
 * - `heal_converge_ms`: a partition cuts this node from the other two; a name held on
 *   their side is taken again on this one; from `heal()` until pg and global agree on
 *   all three nodes (asked with `rpc.multicall` in a loop): p50 of 10.
 */
import * as pg from '../src/pg.ts';
import * as global from '../src/global.ts';
import * as rpc from '../src/rpc.ts';
import { heal, partition } from '../src/node/partition.ts';
import { distServices } from '../src/app/dist-services.ts';
import { receive, spawn, send } from '../src/process/index.ts';
import { startCluster } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';
import { on, startPeers } from './support/nodes.ts';

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

const cluster = await startCluster();
try {
  const a = await cluster.local('bencha', { tickTime: 10_000 });
  const [b, c] = (await startPeers(cluster, ['benchb', 'benchc'])) as [string, string];
  const nodes = [a.name, b, c];

  const [registerMs, healMs] = await on(a.runtime, async () => {
    pg.startScope();
    for (const spec of distServices()) spec.start();
    for (const n of [b, c]) if (!(await a.connect(n))) throw new Error(`cannot connect to ${n}`);
    await until('global syncs', async () => (await global.register('warm', spawn(() => receive()))) === 'yes');

    const register: number[] = [];
    for (let i = 0; i < 60; i++) {
      const pid = spawn(() => receive());
      const t0 = performance.now();
      if ((await global.register(`r${i}`, pid)) !== 'yes') throw new Error('register failed');
      if (i >= 10) register.push(performance.now() - t0);
    }

    pg.join('hc', spawn(() => receive()));
    for (const n of [b, c]) send(['bench', n], ['join', 'hc']);
    await until('pg has three members', () => pg.getMembers('hc').length === 3);
    let last = '';
    const agreed = async (name: string) => {
      const [views, bad] = await rpc.multicall(nodes, (n: string) => {
        const p = global.whereis(n);
        return `${pg.getMembers('hc').length} ${p && p.node + '/' + p.id}`;
      }, name);
      last = JSON.stringify([views, bad]);
      return bad.length === 0 && views.every((v) => v === views[0] && String(v).startsWith('3 ') && !String(v).endsWith('undefined'));
    };
    const heals: number[] = [];
    for (let i = 0; i < 11; i++) {
      const name = `hc${i}`;
      await rpc.call(b, (n: string) => global.register(n, spawn(() => receive())), name);
      await until('the name reaches this node', () => global.whereis(name) !== undefined);
      partition([a.name], [b, c]);
      await until('the cut', () => a.list().length === 0 && global.whereis(name) === undefined && pg.getMembers('hc').length === 1);
      if ((await global.register(name, spawn(() => receive()))) !== 'yes') throw new Error('no conflict to resolve');
      const t0 = performance.now();
      heal();
      await until('convergence', () => agreed(name)).catch((err) => {
        throw new Error(`${err.message}; last views ${last}`);
      });
      if (i > 0) heals.push(performance.now() - t0);
    }
    return [percentile(register, 50), percentile(heals, 50)];
  });
  report('global_register_ms', Number(registerMs.toFixed(3)), 'ms');
  report('heal_converge_ms', Number(healMs.toFixed(2)), 'ms');
} finally {
  await cluster.stop();
}
