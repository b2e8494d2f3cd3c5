/**
 * @module test/support/eventually
 * Bounded retry for assertions about eventually-consistent state (discovery, pg, nodedown):
 * runs `check` until it stops throwing, and rethrows its last error once `timeout` ms pass.
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
