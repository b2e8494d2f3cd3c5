/**
 * Local process figures: message passing, spawning, and memory per idle process.
 * Prints one JSON line per metric.
 */
import { Runtime, setDefaultRuntime, spawn, send, receive } from '../src/index.ts';
import { report } from './report.ts';

setDefaultRuntime(new Runtime());

async function localSend(n: number): Promise<number> {
  return new Promise((resolve) => {
    spawn(async () => {
      const receiver = spawn(async () => {
        for (let i = 0; i < n; i++) await receive();
        resolve(performance.now() - start);
      });
      const start = performance.now();
      for (let i = 0; i < n; i++) send(receiver, i);
    });
  });
}

function spawnWaiting(n: number): { ms: number; pids: unknown[] } {
  const pids = new Array(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) pids[i] = spawn(waiter);
  return { ms: performance.now() - start, pids };
}

async function waiter() {
  await receive();
}

function heapAfterGc(): number {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed;
}

// Warm-up so the figures measure steady state, not the compiler.
await localSend(100_000);
spawnWaiting(20_000).pids.forEach((pid) => send(pid as never, 'stop'));
await new Promise((r) => setTimeout(r, 10));

const N = 1_000_000;
const best = Math.min(await localSend(N), await localSend(N));
report('local_send_msgs_per_s', Math.round(N / (best / 1000)), 'msgs/s');

const S = 100_000;
const before = heapAfterGc();
const first = spawnWaiting(S);
const after = heapAfterGc();
report('process_memory_bytes', Math.round((after - before) / S), 'bytes');
let bestMs = first.ms;
for (const pid of first.pids) send(pid as never, 'stop');
// Best of three rounds: the figure is the runtime's, not a busy neighbour's.
for (let round = 0; round < 2; round++) {
  await new Promise((r) => setTimeout(r, 20));
  heapAfterGc();
  const { ms, pids } = spawnWaiting(S);
  bestMs = Math.min(bestMs, ms);
  for (const pid of pids) send(pid as never, 'stop');
}
report('spawn_per_s', Math.round(S / (bestMs / 1000)), 'processes/s');
