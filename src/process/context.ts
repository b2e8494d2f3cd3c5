/**
 * @module process/context
 * Which process is running right now, so that `self()` works anywhere in a process:
 * in its first synchronous step, after every `await`, and in promise callbacks it set up.
 *
 * Two ways to know it, chosen once at load time by what this Node.js offers:
 *
 * - **Context frames** (Node 24 and later; Node 22 with `--experimental-async-context-frame`).
 *   `AsyncLocalStorage` rides on V8's continuation-preserved data: every `await` and
 *   `.then` carries the frame it was set up in, at no cost per promise. A process's
 *   body runs in `storage.run(process, ...)`. Timer and socket callbacks set up by a
 *   process run as that process too. An `await` of a queued message costs about 40 ns
 *   here against about 60 ns with promise hooks: most of `local_send_msgs_per_s`.
 * - **Promise hooks** (older Node.js, where `AsyncLocalStorage` is built on async hooks
 *   and costs more than these hooks). Every promise made by `then` or `await` while a
 *   process runs (a promise with a parent: the only kind whose reactions run the
 *   process's code) is stamped with that process, and so is every promise made while
 *   the process starts; whenever a reaction runs, `current` is the process stamped on
 *   its promise. The promises of `Promise.resolve` and `new Promise`, one per receive,
 *   go unstamped: a property store fewer per message. Timer and socket callbacks carry
 *   no process here.
 *
 * Code outside any process sees null either way; helpers that need a process there
 * (the REPL's shell) use the runtime's default process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import { isThenable } from './process.ts';

/**
 * What a process looks like to this module: the promise its body returned (while it
 * runs), and what to do when that promise settles.
 */
export interface Owner {
  body: Promise<unknown> | undefined | null;
  bodySettled(body: Promise<unknown>): void;
}

/**
 * True when `AsyncLocalStorage` is built on context frames. The async-hooks build has
 * `_propagate` (Node 20 to 24 with `--no-async-context-frame`); the frame build does not.
 */
const FRAMES = !('_propagate' in AsyncLocalStorage.prototype);

/** Set when frames carry the process; null when promise hooks do. */
const storage = FRAMES ? new AsyncLocalStorage<Owner>() : null;
/** With promise hooks: the running process. */
let current: Owner | null = null;

/** The running process, or null when code runs outside any process. */
export function running(): unknown {
  return storage === null ? current : (storage.getStore() ?? null);
}

/**
 * Runs `fn(...args)` as `owner` (its first synchronous step) and returns what it
 * returned. When that is a promise, `owner.body` is set to it and `owner.bodySettled`
 * is called once it settles.
 */
export function start(owner: Owner, fn: Function, args: readonly unknown[]): unknown {
  return storage === null ? startHooked(owner, fn, args) : storage.run(owner, startFramed, owner, fn, args);
}

/** Which of the two ways this Node.js uses. */
export const contextKind: 'frames' | 'hooks' = FRAMES ? 'frames' : 'hooks';

// With frames

function startFramed(owner: Owner, fn: Function, args: readonly unknown[]): unknown {
  const result = args.length === 0 ? fn() : fn(...args);
  if (isThenable(result)) {
    owner.body = result as Promise<unknown>;
    result.then(bodySettled, bodySettled);
  }
  return result;
}

/**
 * Shared, not a closure per process: it runs in the owner's frame, so the frame says
 * whose body settled. (A closure per spawn would also cost a call to the name-keeping
 * helper the TypeScript loader adds: measured, 4% of a spawn.)
 */
function bodySettled(): void {
  const owner = storage!.getStore()!;
  owner.bodySettled(owner.body!);
}

// With promise hooks

const OWNER = Symbol('otp.process');
const SETTLED_EARLY = Symbol('otp.settledEarly');
type Stamped = { [OWNER]?: Owner; [SETTLED_EARLY]?: true };

function startHooked(owner: Owner, fn: Function, args: readonly unknown[]): unknown {
  const previous = current;
  current = owner;
  let result: unknown;
  try {
    result = args.length === 0 ? fn() : fn(...args);
  } finally {
    current = previous;
  }
  if (isThenable(result)) {
    if ((result as Stamped)[SETTLED_EARLY]) owner.bodySettled(result as Promise<unknown>);
    else owner.body = result as Promise<unknown>;
  }
  return result;
}

if (storage === null) {
  promiseHooks.onInit(function stamp(promise: Promise<unknown> & Stamped, parent: Promise<unknown> | undefined) {
    if (current === null) return;
    if (parent !== undefined || current.body === undefined) promise[OWNER] = current;
  });
  promiseHooks.onBefore(function enter(promise: Promise<unknown> & Stamped) {
    current = promise[OWNER] ?? null;
  });
  promiseHooks.onAfter(function leave() {
    current = null;
  });
  // Watching the body through the settle hook, rather than with `body.then(...)`, spares
  // every idle process two closures, a derived promise and a reaction: a third of its memory.
  promiseHooks.onSettled(function settled(promise: Promise<unknown> & Stamped) {
    const owner = promise[OWNER];
    if (owner === undefined) return;
    if (owner.body === promise) owner.bodySettled(promise);
    else if (owner.body === undefined) promise[SETTLED_EARLY] = true;
  });
}
