/**
 * @module process/context
 * Which process is running right now, so that `self()` works anywhere in a process:
 * in its first synchronous step, after every `await`, and in promise callbacks it set up.
 *
 * Invariant: every promise made by `then` or `await` while a process runs (a promise
 * with a parent: the only kind whose reactions run the process's code) is stamped with
 * that process, and so is every promise made while the process starts (its body among
 * them); whenever a promise reaction (an `await` continuation or a `.then` callback)
 * runs, `current` is the process stamped on its promise. The promises of
 * `Promise.resolve` and `new Promise`, one per receive, go unstamped: a property store
 * fewer per message. This is the job AsyncLocalStorage
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

promiseHooks.onInit(function stamp(promise: Promise<unknown>, parent: Promise<unknown> | undefined) {
  if (current === null) return;
  if (parent !== undefined || (current as Owner).body === undefined) (promise as Stamped)[OWNER] = current;
});
promiseHooks.onBefore(function enter(promise: Promise<unknown>) {
  current = (promise as Stamped)[OWNER] ?? null;
});
promiseHooks.onAfter(function leave() {
  current = null;
});

/**
 * What a process looks like to this module: the promise its body returned (while it
 * runs), and what to do when that promise settles. Watching the body through the
 * settle hook, rather than with `body.then(...)`, spares every idle process two
 * closures, a derived promise and a reaction: a third of its memory.
 */
export interface Owner {
  body: Promise<unknown> | undefined | null;
  bodySettled(body: Promise<unknown>): void;
}

const SETTLED_EARLY = Symbol('otp.settledEarly');

promiseHooks.onSettled(function settled(promise: Promise<unknown>) {
  const owner = (promise as Stamped)[OWNER] as Owner | undefined;
  if (owner === undefined) return;
  if (owner.body === promise) owner.bodySettled(promise);
  else if (owner.body === undefined) (promise as { [SETTLED_EARLY]?: true })[SETTLED_EARLY] = true;
});

/**
 * Hands `body` (what the process function returned) to `owner`: `bodySettled` is
 * called once it settles, at once if it settled while the function was still running.
 */
export function watchBody(owner: Owner, body: Promise<unknown>): void {
  if ((body as { [SETTLED_EARLY]?: true })[SETTLED_EARLY]) owner.bodySettled(body);
  else owner.body = body;
}

/** Makes `owner` the running process and returns the one it replaced. */
export function swapCurrent(owner: unknown): unknown {
  const previous = current;
  current = owner;
  return previous;
}
