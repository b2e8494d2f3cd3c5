/**
 * @module genserver/call-timers
 * The timeouts of pending calls, kept by one shared timer instead of one timer per call.
 *
 * A call almost always gets its reply long before its 5 s are up, so creating and
 * cancelling a Node timer for each one is the most expensive part of a fast call. Here
 * a call only records its deadline; a single timer, armed for the earliest deadline,
 * wakes the callers whose time is up by putting `[CALL_TIMEOUT, ref]` in their
 * mailbox, which their receive matches like a reply.
 *
 * Invariants:
 * - The timer is referenced (keeps Node running) exactly while some call waits, so a
 *   pending call is never dropped by an idle event loop, and a finished one never
 *   holds a script open.
 * - The timer never fires later than the earliest deadline; it may fire early (Node's
 *   clock is coarser than `performance.now()`), and then simply re-arms.
 */
import type { Process } from '../process/index.ts';
import type { Ref } from '../term.ts';

/** Tags the message that tells a caller its time is up; no other message can carry it. */
export const CALL_TIMEOUT: unique symbol = Symbol('GenServer.call timeout');

/** One waiting call. */
export interface CallWait {
  readonly proc: Process;
  readonly ref: Ref;
  readonly deadline: number;
}

const waits = new Set<CallWait>();
let timer: NodeJS.Timeout | null = null;
/** When the timer fires (a `performance.now()` time). */
let firesAt = Infinity;

/** Starts the clock on a call made by `proc` under `ref`; returns what `stopWaiting` takes. */
export function startWaiting(proc: Process, ref: Ref, timeout: number): CallWait {
  const wait: CallWait = { proc, ref, deadline: performance.now() + timeout };
  waits.add(wait);
  if (timer === null || wait.deadline < firesAt) arm(wait.deadline);
  else if (waits.size === 1) timer.ref();
  return wait;
}

/** The call got its answer: forget its deadline. */
export function stopWaiting(wait: CallWait): void {
  waits.delete(wait);
  if (waits.size === 0 && timer !== null) timer.unref();
}

// Internals

function arm(deadline: number): void {
  if (timer !== null) clearTimeout(timer);
  firesAt = deadline;
  timer = setTimeout(fire, Math.max(1, Math.ceil(deadline - performance.now())));
}

function fire(): void {
  timer = null;
  firesAt = Infinity;
  const now = performance.now();
  let next = Infinity;
  for (const wait of waits) {
    if (wait.deadline <= now) {
      waits.delete(wait);
      if (wait.proc.alive) wait.proc.push([CALL_TIMEOUT, wait.ref]);
    } else if (wait.deadline < next) {
      next = wait.deadline;
    }
  }
  if (next !== Infinity) arm(next);
}
