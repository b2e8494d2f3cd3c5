/**
 * @module test/support/skip
 * A test that cannot run here says so, and never counts as passed: it is registered
 * as skipped (uvu totals it under `Skipped:`, and `.ci/run` prints that total) and a
 * line `SKIP <name>: <why>` goes to stdout. Decide before registering, with a probe
 * that gives the reason or nothing: a library that does not load, `erl` not on the
 * PATH, no right to create network namespaces (`namespacesUnavailable()` in netns.ts).
 *
 * @example
 * testOrSkip(commandMissing('erl'), 'a playground node joins an iex cluster', async () => {
 *   ...
 * })
 */
import { accessSync, constants } from 'node:fs';
import { test as uvuTest, type Callback, type Test } from 'uvu';

/** `suite(name, fn)` when `why` is empty; otherwise a visible SKIP of that test. */
export function testOrSkip<T>(why: string | null | undefined, name: string, fn: Callback<T>, suite: Test<T> = uvuTest as Test<T>): void {
  if (!why) return suite(name, fn);
  console.log(`SKIP ${name}: ${why}`);
  suite.skip(name, fn);
}

/** Why the command `name` cannot be used here (not on the PATH), or null when it can. */
export function commandMissing(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.some((dir) => isExecutable(`${dir}/${name}`)) ? null : `${name} is not installed (not on the PATH)`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
