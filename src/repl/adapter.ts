/**
 * @module repl/adapter
 * The parts of Node's REPL and readline that the playground uses beyond their documented
 * API, gathered here and checked once when a prompt starts, so that a Node release that
 * moves one of them costs a warning, not a broken prompt.
 *
 * What is used, and what for (checked on Node 20, 22, 24 and 26):
 *
 * | part                                   | what for                                           |
 * | -------------------------------------- | -------------------------------------------------- |
 * | `server._domain` (to Node 24)          | a thrown error or a rejected `await` ends there, not in the eval callback (evaluator.ts) |
 * | `server._userErrorHandler` (Node 26)   | the same errors, where the REPL has no domain: its `handleError` option, set after start |
 * | the 'line' listener named `onLine`     | the input queue hands the REPL one line at a time (input.ts) |
 * | the 'close' listener named `emitExit`  | the end of piped input waits for the lines still queued |
 * | `server.lines.level`                   | cleared with the buffered command after an error   |
 * | `server.prevRows`, `server.paused`     | lines printed above the prompt redraw it (screen.ts) |
 * | `server._ttyWrite`, readline's own `_ttyWrite` | keys typed while an `await` is pending show as typed (typeahead.ts) |
 * | `server.history` entries               | one history shared by concurrent nodes, multi-line entries whole (history.ts) |
 * | `server.closed`                        | input has ended: a prompt is written by hand (Node 24 cannot draw one then) |
 *
 * Where the versions differ, the difference is named here: from Node 24 readline edits a
 * multi-line input as one line (and keeps it whole in its history, its lines in reverse
 * order joined by `\r`); 20 and 22 see one line at a time, so the history is mended after
 * the input.
 *
 * Node's SIGINT watchdog (`breakEvalOnSigint`, which lets Ctrl+C break `while (true) {}`)
 * is documented, but how it ends is not: it leaves SIGINT to Node's own handler, which
 * exits at the next signal. Under `npx tsx` that next signal always comes: tsx's
 * launcher waits 30 ms for the node to report a Ctrl+C, passes it on when it did not
 * (the watchdog took it), and kills the node when that one goes unreported too (the
 * watchdog of a new evaluation took it). `guardEval` puts the process's own SIGINT
 * listener back after every evaluation, and keeps it away during one (a listener present
 * while the watchdog runs would make Node drop the watchdog's handler); after Ctrl+C
 * broke an evaluation, `reportInterrupt` raises SIGINT once more, so that the launcher
 * hears of it at once and passes nothing on.
 *
 * When a part is missing the prompt runs plain: Node's own REPL with the helpers, and one
 * warning naming what is off.
 */
import { EventEmitter } from 'node:events';
import type { REPLServer } from 'node:repl';
import { Interface } from 'node:readline';

type Listener = (...args: unknown[]) => void;
type Key = { name?: string; ctrl?: boolean; meta?: boolean; shift?: boolean; sequence?: string };
export type TtyWrite = (data: string | undefined, key: Key | undefined) => void;

/**
 * The error channel of Node's default evaluator (a `node:domain` Domain, or its stand-in
 * on Node 26): 'error' comes with the error, and on Node 26 with `true` when a callback
 * left behind threw it (a domain marks such an error `domainThrown` instead).
 */
export interface EvalDomain extends NodeJS.EventEmitter {
  bind<T extends Function>(fn: T): T;
}

interface Private {
  _domain?: EvalDomain;
  _userErrorHandler?: (err: unknown) => 'ignore' | 'print' | 'unhandled';
  lines?: { level?: unknown[] };
  lastError?: unknown;
  prevRows?: number;
  paused?: boolean;
  history?: string[];
  historyManager?: unknown;
  closed?: boolean;
  _ttyWrite?: TtyWrite;
}

/** What the playground takes from one REPL server. */
export interface ReplParts {
  readonly domain: EvalDomain;
  /** The REPL's own line handler, removed from 'line' so the input queue calls it. */
  readonly onLine: Listener;
  /** The REPL's own end-of-input handler, removed from 'close' for the same reason. */
  readonly emitExit: Listener;
  /** Readline edits a multi-line input as one line and keeps it whole in history (Node 24). */
  readonly multilineEditing: boolean;
  /** Drops a half-typed multi-line input after an error, as Ctrl+C does. */
  resetBuffer(err?: unknown): void;
  /** The prompt was drawn again by hand: readline must not move up to clear old rows. */
  forgetRows(): void;
  /** Whether readline has paused its input (the REPL does while the history loads); unset counts as not. */
  paused(): boolean;
  /** Whether readline has closed (its input ended), though queued lines may still run. */
  closed(): boolean;
  /**
   * Routes terminal keys through `route` first: it returns true when it handled the key
   * itself. `edit` is readline's own line editing, without the REPL's buffering of keys
   * while an evaluation is pending.
   */
  interceptKeys(route: (data: string | undefined, key: Key, edit: TtyWrite) => boolean): void;
  /** History entries, newest first, one string each (line breaks as `\n`). */
  history(): string[];
  setHistory(entries: string[]): void;
}

export type Adapted = { ok: true; parts: ReplParts } | { ok: false; missing: string[] };

/**
 * Checks `server` for every part above and takes them. The listeners are taken only when
 * nothing is missing, so a plain prompt keeps Node's behaviour whole.
 */
export function adapt(server: REPLServer): Adapted {
  const s = server as unknown as Private;
  const missing: string[] = [];
  // Node 26 dropped the domain: every error of an evaluation goes to `_handleError`,
  // which hands it to the `handleError` option first; one that answers 'ignore' takes it.
  const handled = s._domain === undefined && '_userErrorHandler' in s;
  const domain = handled ? errorChannel() : s._domain;
  if (!domain || typeof domain.bind !== 'function' || typeof domain.on !== 'function') missing.push('the evaluation domain (_domain)');
  const onLine = listenerNamed(server, 'line', 'onLine');
  if (!onLine) missing.push("the REPL's 'line' listener (onLine)");
  const emitExit = listenerNamed(server, 'close', 'emitExit');
  if (!emitExit) missing.push("the REPL's 'close' listener (emitExit)");
  if (!s.lines || typeof s.lines !== 'object') missing.push('the input nesting (lines.level)');
  if (!Array.isArray(s.history)) missing.push('the history (history)');
  const edit = (Interface.prototype as unknown as Private)._ttyWrite;
  if (server.terminal && (typeof s._ttyWrite !== 'function' || typeof edit !== 'function')) missing.push('the key handler (_ttyWrite)');
  if (missing.length > 0 || !domain || !onLine || !emitExit) return { ok: false, missing };

  server.removeListener('line', onLine);
  server.removeListener('close', emitExit);
  if (handled) {
    // An error thrown later by a callback that an evaluation left behind (a timer, say)
    // comes the same way, from Node's capture of uncaught exceptions, which tells the
    // monitor first. The domain marked such errors (`domainThrown`); this says so with
    // the event's second argument.
    const NONE = Symbol('none');
    let uncaught: unknown = NONE;
    const monitor = (err: unknown) => void (uncaught = err);
    process.on('uncaughtExceptionMonitor', monitor);
    server.once('exit', () => process.off('uncaughtExceptionMonitor', monitor));
    s._userErrorHandler = (err) => {
      const later = err === uncaught;
      uncaught = NONE;
      domain.emit('error', err, later);
      return 'ignore';
    };
  }
  // Node 24 keeps its history in a manager, an entry's lines reversed and joined by '\r'.
  const multilineEditing = s.historyManager !== undefined;
  const fromNode = (e: string) => (multilineEditing ? e.split('\r').reverse().join('\n') : e);
  const toNode = (e: string) => (multilineEditing ? e.split('\n').reverse().join('\r') : e);
  const parts: ReplParts = {
    domain,
    onLine,
    emitExit,
    multilineEditing,
    resetBuffer(err) {
      server.clearBufferedCommand();
      s.lines!.level = [];
      if (err !== undefined) s.lastError = err;
    },
    forgetRows() {
      s.prevRows = 0;
    },
    paused: () => s.paused === true,
    closed: () => s.closed === true,
    interceptKeys(route) {
      const replWrite = s._ttyWrite!;
      const own = (data: string | undefined, key: Key | undefined) => edit!.call(server, data, key);
      s._ttyWrite = function playgroundKeys(data, key) {
        if (!route(data, key ?? {}, own)) replWrite.call(server, data, key);
      };
    },
    history: () => s.history!.map(fromNode),
    setHistory(entries) {
      s.history = entries.map(toNode);
    },
  };
  return { ok: true, parts };
}

/**
 * Runs one call of Node's default evaluator with the process's SIGINT listener out of
 * the way, and puts it back after, which also gives SIGINT back to that listener once
 * the watchdog is done with it (see the module doc).
 */
export function guardEval(listener: () => void, run: () => void): void {
  process.removeListener('SIGINT', listener);
  try {
    run();
  } finally {
    process.removeListener('SIGINT', listener);
    process.on('SIGINT', listener);
  }
}

/**
 * An evaluation was broken by Ctrl+C: raises SIGINT again, after the listener is back
 * (see the module doc), for a launcher that waits to hear of it. Harmless without one.
 */
export function reportInterrupt(): void {
  process.nextTick(() => process.kill(process.pid, 'SIGINT'));
}

/** Where errors go on a REPL without a domain: the same events, and nothing to bind. */
function errorChannel(): EvalDomain {
  return Object.assign(new EventEmitter(), { bind: <T extends Function>(fn: T): T => fn });
}

function listenerNamed(server: REPLServer, event: string, name: string): Listener | undefined {
  return server.listeners(event).find((fn) => fn.name === name) as Listener | undefined;
}
