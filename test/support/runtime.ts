/**
 * @module test/support/runtime
 * A fresh runtime per test, and a way to run test code inside one of its processes.
 */
import { Runtime, setDefaultRuntime, spawn, type LogLevel } from '../../src/process/index.ts';

export interface TestRuntime {
  rt: Runtime;
  logs: Array<[LogLevel, string]>;
  /** Runs `fn` as a process of this runtime and settles with what it returns or throws. */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
}

export function testRuntime(node?: string): TestRuntime {
  const logs: Array<[LogLevel, string]> = [];
  const rt = new Runtime({ node, log: (level, text) => logs.push([level, text]) });
  setDefaultRuntime(rt);
  const run = <T>(fn: () => T | Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      spawn(async function testBody() {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        }
      });
    });
  return { rt, logs, run };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
