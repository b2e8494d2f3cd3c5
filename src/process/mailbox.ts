/**
 * @module process/mailbox
 * A process's message queue with Erlang's selective receive.
 *
 * Invariants:
 * - Messages stay in arrival order. `receive(pattern)` takes the first queued message
 *   that matches and leaves the others where they were.
 * - At most one receive waits at a time (a process is one flow of control). While it
 *   waits, no queued message matches it, so a new message either completes it at once
 *   or joins the queue.
 * - The queue (`queue.ts`) exists only while messages wait: an idle process holds none.
 * - A traced mailbox (`trace` set, see `trace.ts`) reports every message that arrives
 *   and every message taken out. Untraced, that costs one null check on each path.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';
import { match, type Pattern } from '../term.ts';
import { CodedError } from '../errors.ts';
import { Queue } from './queue.ts';

class Timeout {
  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return options.stylize('TIMEOUT', 'special');
  }
  toString(): string {
    return 'TIMEOUT';
  }
}

/** The type of `TIMEOUT` (a type only: the value itself is a frozen `Timeout`). */
declare const timeout: unique symbol;

/**
 * What `receive` gives when its `after` time runs out; no message can be this value.
 * Prints as `TIMEOUT`, which a symbol cannot; typed as a unique symbol all the same, so
 * that `x === TIMEOUT` narrows a union the way it always has.
 */
export const TIMEOUT: typeof timeout = Object.freeze(new Timeout()) as unknown as typeof timeout;

/** A receive that never completes: what a dead process waits on. */
const NEVER = new Promise<never>(() => {});

/** A second receive (or call) while one already waits. */
export class ReceiveError extends CodedError<'ERR_ALREADY_RECEIVING'> {}

/** What a traced mailbox reports to; implemented in `trace.ts`. */
export interface MailboxTrace {
  /** A message arrives: the trace notes it, then hands it on with `put`. */
  push(msg: unknown): void;
  /** A message left the queue for a receive or a flush. */
  taken(msg: unknown): void;
}

export class Mailbox {
  /** The messages waiting, oldest first; null when there are none. */
  private queue: Queue | null = null;
  /** The waiting receive, if any: its pattern (undefined takes anything), resolver and timer. */
  private wPattern: Pattern = undefined;
  private wResolve: ((msg: unknown) => void) | null = null;
  private wTimer: NodeJS.Timeout | null = null;
  alive = true;
  /** Set while the process is traced, or holds or is sent a sequential-trace token. */
  trace: MailboxTrace | null = null;

  /** Number of messages waiting. */
  get size(): number {
    return this.queue === null ? 0 : this.queue.count;
  }

  /** True while a receive waits for a message. */
  get waiting(): boolean {
    return this.wResolve !== null;
  }

  /** Puts `msg` in the mailbox, or hands it straight to a receive that waits for it. */
  push(msg: unknown): void {
    if (this.trace !== null) return this.trace.push(msg);
    this.put(msg);
  }

  /** `push` without the trace: true when `msg` went straight to a waiting receive. */
  put(msg: unknown): boolean {
    const resolve = this.wResolve;
    if (resolve !== null && (this.wPattern === undefined || safeMatch(this.wPattern, msg))) {
      this.wResolve = null;
      if (this.wTimer !== null) {
        clearTimeout(this.wTimer);
        this.wTimer = null;
      }
      resolve(msg);
      return true;
    }
    if (this.queue === null) this.queue = new Queue(msg);
    else this.queue.add(msg);
    return false;
  }

  /** Takes the first message matching `pattern`, waiting up to `after` ms (default: forever). */
  receive(pattern: Pattern, after: number): Promise<unknown> {
    if (!this.alive) return NEVER;
    if (this.find(pattern)) return Promise.resolve(this.take(pattern));
    if (after <= 0) return Promise.resolve(TIMEOUT);
    if (this.wResolve !== null) {
      return Promise.reject(
        new ReceiveError('ERR_ALREADY_RECEIVING', 'this process is already waiting in receive; await the first receive before starting another'),
      );
    }
    return new Promise((resolve) => {
      this.wPattern = pattern;
      this.wResolve = resolve;
      if (after !== Infinity) {
        this.wTimer = setTimeout(() => {
          this.wTimer = null;
          this.wResolve = null;
          resolve(TIMEOUT);
        }, after);
      }
    });
  }

  /**
   * Drops the waiting receive, if any, without completing it: whoever awaited it was
   * cancelled, so the next message must go to the next receive or stay queued.
   */
  cancelReceive(): void {
    if (this.wTimer !== null) clearTimeout(this.wTimer);
    this.wResolve = null;
    this.wTimer = null;
    this.wPattern = undefined;
  }

  /** Takes and returns every queued message. */
  drain(): unknown[] {
    const all = this.peek();
    this.queue = null;
    if (this.trace !== null) for (const msg of all) this.trace?.taken(msg);
    return all;
  }

  /** Queued messages, oldest first, without taking them. */
  peek(): unknown[] {
    return this.queue === null ? [] : this.queue.toArray();
  }

  /** Stops waiting for good: a pending receive never completes. */
  close(): void {
    this.alive = false;
    this.wResolve = null;
    if (this.wTimer !== null) {
      clearTimeout(this.wTimer);
      this.wTimer = null;
    }
    this.queue = null;
  }

  /** Removes the first queued message that matches, if any (used to drop a stale 'DOWN'). */
  remove(pattern: Pattern): boolean {
    if (!this.find(pattern)) return false;
    this.take(pattern);
    return true;
  }

  // Internals

  /** True when a message matches `pattern`; `take` then takes it. */
  private find(pattern: Pattern): boolean {
    const q = this.queue;
    if (q === null) return false;
    return pattern === undefined || q.find(safeMatch, pattern);
  }

  /** Takes the message `find` found: the oldest one when it had no pattern. */
  private take(pattern: Pattern): unknown {
    const q = this.queue!;
    const msg = pattern === undefined ? q.shift() : q.takeFound();
    if (q.count === 0) this.queue = null;
    if (this.trace !== null) this.trace.taken(msg);
    return msg;
  }
}

/** A guard that throws does not match: a typo in a pattern must not kill the receiver. */
function safeMatch(pattern: Pattern, msg: unknown): boolean {
  try {
    return match(pattern, msg);
  } catch {
    return false;
  }
}
