/**
 * @module test/support/eventually
 * Waiting on events, never on the clock alone:
 * - `eventually(check)`: bounded retry for assertions about eventually-consistent state
 *   (discovery, pg, nodedown): runs `check` until it stops throwing, and rethrows its
 *   last error once `timeout` ms pass.
 * - `exactly(read, n)`: an exact count. It waits until `read()` reaches `n` (failing at
 *   once should it go past), then holds a quiet window in which the count must not
 *   move: a late extra fails the test instead of arriving after it passed.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeout = 5000, interval = 20 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await sleep(interval);
  }
}

export interface ExactlyOptions {
  /** What is counted, for the failure message. */
  what?: string;
  /** How long the count may take to reach `expected` (ms). */
  timeout?: number;
  /** How long it must then stay at `expected` (ms): longer than any retry or heartbeat that could add one. */
  quiet?: number;
}

export async function exactly(
  read: () => number,
  expected: number,
  { what = 'the count', timeout = 10_000, quiet = 500 }: ExactlyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (let n = read(); n !== expected; n = read()) {
    if (n > expected) throw new Error(`${what}: expected exactly ${expected}, got ${n}`);
    if (Date.now() > deadline) throw new Error(`${what}: expected ${expected} within ${timeout} ms, got ${n}`);
    await sleep(10);
  }
  const end = Date.now() + quiet;
  while (Date.now() < end) {
    await sleep(Math.min(20, Math.max(1, end - Date.now())));
    const n = read();
    if (n !== expected) throw new Error(`${what}: reached ${expected}, then ${n} within the next ${quiet} ms (a late extra)`);
  }
}
