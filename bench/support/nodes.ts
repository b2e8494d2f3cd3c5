/**
 * What several benchmarks share: peer nodes as separate OS processes (`peer.ts`), a
 * function run as a process of a runtime, and a call timed many times over in one.
 */
import type { Cluster } from '../../test/support/cluster.ts';
import { inProcess, type Runtime } from '../../src/process/index.ts';

/** Starts `names` as bench peers of `cluster`; resolves with their full node names. */
export async function startPeers(cluster: Cluster, names: string[]): Promise<string[]> {
  const peers = await Promise.all(names.map((n) => cluster.start(['--sname', n], { script: 'bench/support/peer.ts', ready: 'ready' })));
  return peers.map((p) => p.name!);
}

/** Runs `fn` as a process of `rt`. */
export function on<T>(rt: Runtime, fn: () => Promise<T>): Promise<T> {
  return inProcess(fn, { runtime: rt });
}

/** Times `n` sequential awaits of `call` in a process of `rt`: one sample in us each. */
export function timedCalls(rt: Runtime, n: number, call: () => Promise<unknown>, timeout = 30_000): Promise<number[]> {
  return inProcess(async () => {
    const samples = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await call();
      samples[i] = (performance.now() - t0) * 1000;
    }
    return samples;
  }, { runtime: rt, timeout });
}
