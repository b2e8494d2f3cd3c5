/**
 * @module process/context
 * Which process is running right now, so that `self()` works anywhere in a process:
 * in its first synchronous step, after every `await`, and in promise callbacks it set up.
 *
 * Invariant: every promise created while a process runs is stamped with that process,
 * and whenever a promise reaction (an `await` continuation or a `.then` callback) runs,
 * `current` is the process stamped on its promise. This is the job AsyncLocalStorage
 * does, done with V8's promise hooks directly: on Node 20 that keeps message passing
 * about twice as fast as AsyncLocalStorage, and stamps a field instead of an async
 * resource. Timer and socket callbacks carry no process; helpers that need one there
 * (the REPL's shell) use the runtime's default process.
 */
import { promiseHooks } from 'node:v8';

const OWNER = Symbol('otp.process');

/** The running process, or null when code runs outside any process. */
export let current: unknown = null;

type Stamped = { [OWNER]?: unknown };

promiseHooks.onInit(function stamp(promise: Promise<unknown>) {
  if (current !== null) (promise as Stamped)[OWNER] = current;
});
promiseHooks.onBefore(function enter(promise: Promise<unknown>) {
  current = (promise as Stamped)[OWNER] ?? null;
});
promiseHooks.onAfter(function leave() {
  current = null;
});

/** Runs `fn` synchronously as `owner`; promises it creates carry `owner` on. */
export function runAs<T>(owner: unknown, fn: () => T): T {
  const previous = current;
  current = owner;
  try {
    return fn();
  } finally {
    current = previous;
  }
}
