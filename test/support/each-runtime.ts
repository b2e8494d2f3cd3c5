/**
 * @module test/support/each-runtime
 * A fresh runtime for every test of a file (the default one while it runs), shut down
 * after it, and `inside(fn)`: runs `fn` as a process of that runtime, bounded in time.
 */
import { test } from 'uvu';
import type { LogLevel, Runtime } from '../../src/process/index.ts';
import { testRuntime, type TestRuntime } from './runtime.ts';
import { inProcess } from './cluster.ts';

export interface EachRuntime {
  readonly rt: Runtime;
  /** What the runtime logged during the current test. */
  readonly logs: Array<[LogLevel, string]>;
  inside<T>(fn: () => Promise<T> | T, timeout?: number): Promise<T>;
}

export function eachTestRuntime(): EachRuntime {
  let t: TestRuntime;
  test.before.each(() => {
    t = testRuntime();
  });
  test.after.each(() => {
    t.rt.shutdown();
  });
  return {
    get rt() {
      return t.rt;
    },
    get logs() {
      return t.logs;
    },
    inside: (fn, timeout = 5000) => inProcess(t.rt, fn, timeout),
  };
}
