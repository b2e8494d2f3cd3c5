/**
 * @module repl/input
 * Lines reach the evaluator one at a time, in order, each after the previous one has
 * finished, awaits included. Node's REPL alone does not do that for piped input: it
 * evaluates the next line while a promise is pending, and exits at the end of input with
 * a promise still pending. So a queue sits in front of the REPL's own 'line' listener
 * (`onLine`) and its 'close' listener (`emitExit`), both taken by `adapter.ts`:
 * `printf 'a\nb\n' | playground` evaluates `a`, then `b`, then exits.
 *
 * The queue also holds lines until the REPL is ready (`open()`: esbuild and the helpers
 * loaded after the prompt appeared), and lets a program type into the REPL
 * (`type(code)`), as a lesson playing itself does.
 */
import type { REPLServer } from 'node:repl';
import type { ReplParts } from './adapter.ts';
import type { EvalEvent, Evaluator } from './evaluator.ts';
import type { Screen } from './screen.ts';

interface Entry {
  line: string;
  /** Typed by a program (`type`), not read from the input: echoed after the prompt. */
  typed?: boolean;
  /** Entered while something ran (typed ahead): echoed after its prompt when it runs. */
  ahead?: boolean;
  /** Set on the last line of a typed input: resolved with its evaluation. */
  done?: (event: EvalEvent | null) => void;
}

export class InputQueue {
  private readonly entries: Entry[] = [];
  private busy = false;
  private scheduled = false;
  /** Promises the end of input waits for (`keepOpen`). */
  private holds = 0;
  private ready = false;
  private closing = false;
  private exited = false;
  private last: EvalEvent | null = null;
  private waiting: Entry | null = null;

  constructor(
    private readonly server: REPLServer,
    private readonly parts: ReplParts,
    private readonly evaluator: Evaluator,
    private readonly screen: Screen,
    /** Called with each input typed at the prompt (not by a program) once it has been evaluated. */
    private readonly entered: (input: string) => void = () => {},
  ) {}

  install(): void {
    const server = this.server;
    const queue = this;
    server.on('line', function queueLine(line: string) {
      queue.screen.atPrompt = false;
      const pending = queue.pending();
      // Only a terminal shows keys typed ahead (piped lines are not echoed at all).
      queue.entries.push({ line, ahead: server.terminal && pending });
      // A line typed at an idle prompt runs at once, as in Node's own REPL: the keys
      // after it (a pasted function's next lines) then continue it, not queue behind it.
      if (server.terminal && !pending) queue.feed();
      else queue.schedule();
    });
    server.on('close', function queueClose() {
      queue.closing = true;
      queue.schedule();
    });
    this.evaluator.onSettled = (event) => {
      if (event !== null) this.last = event;
      if (this.busy) this.settled();
    };
  }

  /** True while an input runs, or lines wait to run: a key typed now is typed ahead. */
  pending(): boolean {
    return this.busy || this.entries.length > 0 || !this.ready;
  }

  /** The lines typed ahead that wait to run, oldest first. */
  queued(): string[] {
    return this.entries.filter((e) => e.ahead).map((e) => e.line);
  }

  /** Lets queued lines through: the REPL is ready to evaluate. */
  open(): void {
    this.ready = true;
    this.schedule();
  }

  /**
   * Types `code` at the prompt as if the user had: it is echoed after the prompt, then
   * evaluated line by line. Resolves with the evaluation of its last line (null when
   * that line only continued an unfinished input).
   */
  type(code: string): Promise<EvalEvent | null> {
    const lines = code.replace(/\n$/, '').split('\n');
    return new Promise((resolve) => {
      lines.forEach((line, i) => this.entries.push(i === lines.length - 1 ? { line, typed: true, done: resolve } : { line, typed: true }));
      this.schedule();
    });
  }

  /**
   * Leaves now (close(), a signal): what is queued is dropped, a pending await is
   * cancelled, nothing holds the REPL open any more.
   */
  leave(): void {
    this.entries.length = 0;
    this.closing = true;
    this.holds = 0;
    if (this.evaluator.busy) this.server.emit('SIGINT');
    this.server.close();
    this.schedule();
  }

  /** The end of input does not close the REPL before `until` settles (a lesson playing itself). */
  keepOpen(until: Promise<unknown>): void {
    this.holds++;
    const release = () => {
      this.holds = Math.max(0, this.holds - 1);
      this.schedule();
    };
    until.then(release, release);
  }

  // Internals

  /**
   * Evaluates the next queued line, if the previous one has finished. One line per turn
   * of the event loop, as typing would: processes get to run between two lines.
   */
  private feed(): void {
    if (this.busy || !this.ready || this.exited) return;
    const entry = this.entries[0];
    if (entry === undefined) {
      if (this.closing && this.holds === 0) {
        this.exited = true;
        this.parts.emitExit.call(this.server);
      }
      return;
    }
    // Echoed while still queued: the lines typed ahead on screen include it until then.
    if (entry.typed || entry.ahead) this.screen.echo(this.evaluator.prompt, entry.line);
    this.entries.shift();
    this.busy = true;
    this.waiting = entry;
    this.last = null;
    this.evaluator.started = false;
    this.screen.atPrompt = false;
    this.parts.onLine.call(this.server, entry.line);
    // A REPL command (.help, .exit) or a line the REPL answered itself: no evaluation.
    if (!this.evaluator.started && this.busy) {
      if (!entry.typed) this.entered(entry.line);
      this.settled();
    }
  }

  private settled(): void {
    this.busy = false;
    if (this.last !== null && this.waiting && !this.waiting.typed) this.entered(this.last.input);
    this.finishEntry();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.feed();
    });
  }

  private finishEntry(): void {
    const entry = this.waiting;
    this.waiting = null;
    entry?.done?.(this.last);
  }

}
