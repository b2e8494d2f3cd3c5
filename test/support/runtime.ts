/**
 * @module test/support/runtime
 * A fresh runtime per test, and a way to run test code inside one of its processes.
 */
import { Runtime, inProcess, setDefaultRuntime, type LogLevel } from '../../src/process/index.ts';

export interface TestRuntime {
  rt: Runtime;
  logs: Array<[LogLevel, string]>;
  /**
   * Runs `fn` as a process of this runtime and settles with what it returns or throws;
   * one still running after `timeout` ms (a `receive()` that never matches) is killed
   * and the test fails with `ERR_TIMEOUT`, instead of hanging the whole run.
   */
  run<T>(fn: () => T | Promise<T>, timeout?: number): Promise<T>;
}

export function testRuntime(node?: string): TestRuntime {
  const logs: Array<[LogLevel, string]> = [];
  const rt = new Runtime({ node, log: (level, text) => logs.push([level, text]) });
  setDefaultRuntime(rt);
  return { rt, logs, run: (fn, timeout = 5000) => inProcess(fn, { runtime: rt, timeout }) };
}
