/**
 * @module repl/evaluator
 * What happens to one input: Node's own evaluator, wrapped.
 *
 * - TypeScript goes through esbuild first (`transform.ts`); an unfinished input asks for
 *   the next line, as Node does.
 * - A result that is a promise is awaited, the idea repl-extra brings: the wrapper puts
 *   it on the context under a hidden name and evaluates `await <name>` with the default
 *   evaluator again. Node's top-level-await path then holds typed-ahead keys, Ctrl+C
 *   cancels the wait, and a rejection ends as any error does. A spinner shows meanwhile.
 * - A declaration binds what the prompt shows: its right-hand side is awaited too
 *   (`redeclare.ts` writes `x = await __playgroundBind(...)`). The binder defined here
 *   passes any other value through; a promise whose wait Ctrl+C cancelled never binds,
 *   even if it settles later.
 * - The prompt counter counts evaluated inputs as iex does: a value (even `undefined`)
 *   moves it on; an error, an empty line or a line that continues an input does not.
 * - Errors print short and red (`errors.ts`) and the prompt comes back.
 * - An input whose value is undefined and that printed nothing itself (`const x = 1`)
 *   shows a dim `undefined`, so that a learner sees it ran; one that printed (`flush()`,
 *   `h()`) shows only what it printed.
 * - Hooks (`onEval`) see every finished evaluation just before the next prompt is drawn,
 *   so a lesson can print its step text between the result and the prompt.
 *
 * Node's default evaluator reports a thrown error or a rejected `await` on the REPL's
 * domain instead of calling back, so the end of an evaluation is known from two places:
 * the callback and the domain's 'error' event (the domain comes from `adapter.ts`).
 */
import { Interface } from 'node:readline';
import type { REPLServer } from 'node:repl';
import type { Context } from 'node:vm';
import repl from 'repl-extra';
import { ExitSignal, isThenable } from '../process/index.ts';
import { guardEval, type ReplParts } from './adapter.ts';
import type { Colors } from './colors.ts';
import { formatError } from './errors.ts';
import type { Screen } from './screen.ts';
import { BIND } from './redeclare.ts';
import type { Transformed } from './transform.ts';

/** One finished evaluation, as hooks see it. */
export interface EvalEvent {
  /** The input as typed, all its lines. */
  input: string;
  ok: boolean;
  value?: unknown;
  error?: unknown;
  /** The prompt number it was typed at. */
  count: number;
}

export type EvalHook = (event: EvalEvent) => void;

type Callback = (err: Error | null, value?: unknown) => void;
type EvalFn = (code: string, context: Context, file: string, cb: Callback) => void;
type CompleterFn = (line: string, cb: (err: Error | null, value?: unknown) => void) => void;
type Server = Omit<REPLServer, 'completer'> & {
  eval: EvalFn;
  completer: CompleterFn;
};

/** How many results `v(n)` can reach back (iex keeps a history of the same kind). */
const KEPT_RESULTS = 100;

/** Handed to the REPL's writer in place of undefined when the input showed nothing at all. */
export const NOTHING_SHOWN: unique symbol = Symbol('nothing shown');

/** The prompt of a line that continues an unfinished input. */
const CONTINUE = '... ';

/** The hidden context name an auto-awaited promise waits under. */
const PENDING = '__playgroundPending';

export interface EvaluatorOptions {
  colors: Colors;
  /** The prompt text for counter `n`. */
  prompt(n: number): string;
  /** `exit(reason)` was called at the prompt: the shell process ends with `reason`. */
  onExit(reason: unknown): void;
  /** Ctrl+C cancelled an evaluation (a receive it was waiting in must not take the next message). */
  onInterrupt(): void;
  /** The process's SIGINT listener, kept out of the way of each evaluation (see `guardEval`); null when the REPL has none. */
  sigint: (() => void) | null;
}

export class Evaluator {
  /** The number the next evaluated input gets. */
  count = 1;
  /** Values by prompt number, for `v(n)` (the last KEPT_RESULTS). */
  readonly results = new Map<number, unknown>();
  /** Set whenever an evaluation starts; the input queue reads and clears it. */
  started = false;
  /** Called when an evaluation ends (`null`: it asked for more input or was empty). */
  onSettled: (event: EvalEvent | null) => void = () => {};
  /** The input being evaluated, and how many lines the screen had printed when it began. */
  private current: { input: string; token: number; printed: number } | null = null;
  private seq = 0;
  private completing = false;
  /** Set when the prompt is drawn, so a result the REPL did not follow with a prompt gets one. */
  private prompted = false;
  /** The last input was unfinished: the next line continues it. */
  private continuing = false;
  private readonly hooks = new Set<EvalHook>();
  private readonly finished: EvalEvent[] = [];
  /** How many waits Ctrl+C has cancelled: a binding begun before one of them never lands. */
  private interrupts = 0;
  private readonly server: Server;
  /** TypeScript to JavaScript; set once esbuild has loaded (input waits for that). */
  transform: ((input: string) => Transformed) | null = null;

  constructor(
    server: REPLServer,
    private readonly parts: ReplParts,
    private readonly screen: Screen,
    private readonly opts: EvaluatorOptions,
  ) {
    this.server = server as unknown as Server;
  }

  /** Takes over the server's eval, completer, prompt drawing and error printing. */
  install(): void {
    const server = this.server;
    const evaluator = this;
    const nodeEval = server.eval;
    const sigint = this.opts.sigint;
    const defaultEval: EvalFn = sigint === null ? nodeEval : (...args) => guardEval(sigint, () => nodeEval(...args));
    server.eval = this.parts.domain.bind(
      function playgroundEval(code: string, context: Context, file: string, cb: Callback) {
        evaluator.evaluate(defaultEval, code, context, file, cb);
      },
    );

    // Completion and preview evaluate expressions too: those are left alone.
    const complete = server.completer;
    server.completer = function playgroundComplete(line, cb) {
      evaluator.completing = true;
      try {
        complete.call(server, line, cb);
      } finally {
        evaluator.completing = false;
      }
    };

    const displayPrompt = server.displayPrompt;
    server.displayPrompt = function playgroundPrompt(preserveCursor?: boolean) {
      evaluator.runHooks();
      if (evaluator.parts.closed()) {
        // Input ended (piped input the queue still feeds): readline cannot prompt any
        // more (Node 24 throws), but the transcript still shows each prompt.
        server.output.write(evaluator.continuing ? CONTINUE : server.getPrompt());
      } else if (evaluator.continuing && !server.terminal) {
        // One mark for a continued line on every Node (24 has its own, '| ').
        Interface.prototype.setPrompt.call(server, CONTINUE);
        server.prompt(preserveCursor);
      } else {
        // A line begun while the last input ran keeps its cursor where it was.
        displayPrompt.call(server, preserveCursor || (server as { line?: string }).line !== '');
      }
      evaluator.prompted = true;
      evaluator.screen.atPrompt = true;
    };

    this.parts.domain.removeAllListeners('error');
    this.parts.domain.on('error', function playgroundError(err: unknown, later?: boolean) {
      evaluator.failed(err, later === true);
    });
    server.setPrompt(this.opts.prompt(this.count));
  }

  /** Calls `hook` after every evaluation; returns a function that stops it. */
  onEval(hook: EvalHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** True while an input is being evaluated (an await may be pending). */
  get busy(): boolean {
    return this.current !== null;
  }

  /** The prompt the next input is typed at. */
  get prompt(): string {
    return this.opts.prompt(this.count);
  }

  // Internals

  private evaluate(defaultEval: EvalFn, code: string, context: Context, file: string, cb: Callback): void {
    if (this.completing) return defaultEval(code, context, file, cb);
    this.started = true;
    if (!/\S/.test(code)) {
      this.onSettled(null);
      return cb(null);
    }
    const token = ++this.seq;
    this.current = { input: code, token, printed: this.screen.printed };
    const js: Transformed = this.transform?.(code) ?? { kind: 'code', code };
    this.continuing = js.kind === 'unfinished';
    if (js.kind === 'unfinished') {
      this.current = null;
      this.onSettled(null);
      return cb(new repl.Recoverable(js.error));
    }
    if (js.kind === 'refused') return this.failed(js.error);
    // Each time: REPLs of one process may share a context (the global one).
    Object.defineProperty(context, BIND, { value: (value: unknown) => this.bind(value), configurable: true, enumerable: false });
    defaultEval(js.code, context, file, (err, value) => this.evaluated(token, err, value, defaultEval, context, file, cb));
    if (this.current?.token === token) this.screen.startWait();
  }

  private evaluated(
    token: number,
    err: Error | null,
    value: unknown,
    defaultEval: EvalFn,
    context: Context,
    file: string,
    cb: Callback,
  ): void {
    const current = this.current;
    if (current === null || current.token !== token) return;
    if (err) {
      if (err instanceof repl.Recoverable) {
        this.continuing = true;
        this.current = null;
        this.onSettled(null);
      }
      return cb(err);
    }
    if (isThenable(value)) {
      Object.defineProperty(context, PENDING, { value, configurable: true, writable: true, enumerable: false });
      return defaultEval(`await ${PENDING}\n`, context, file, (err2, value2) => {
        delete (context as Record<string, unknown>)[PENDING];
        this.evaluated(token, err2, value2, defaultEval, context, file, cb);
      });
    }
    this.screen.endWait();
    this.current = null;
    const event: EvalEvent = { input: current.input, ok: true, value, count: this.count };
    this.results.set(this.count, value);
    this.results.delete(this.count - KEPT_RESULTS);
    this.count++;
    this.server.setPrompt(this.opts.prompt(this.count));
    this.finished.push(event);
    this.onSettled(event);
    this.prompted = false;
    cb(null, value === undefined && this.screen.printed === current.printed ? NOTHING_SHOWN : value);
    // Node 24 draws no prompt after a result once the input has ended (piped input that
    // the queue still feeds): draw it, as 20 and 22 do.
    if (!this.prompted && this.parts.closed()) this.server.displayPrompt();
  }

  /** The domain's 'error': an evaluation failed, or code it left behind threw later. */
  private failed(err: unknown, later = false): void {
    // Thrown by a callback that code typed earlier left behind (a timer, an event), not
    // by the evaluation under way: Node's domain marks those (see `adapter.ts`).
    let thrownLater = later;
    if (typeof err === 'object' && err !== null) {
      thrownLater ||= (err as { domainThrown?: unknown }).domainThrown === true;
      delete (err as { domain?: unknown }).domain;
      delete (err as { domainThrown?: unknown }).domainThrown;
    }
    const text = formatError(err, this.opts.colors);
    const current = this.current;
    if (current === null || thrownLater) {
      this.screen.print(text);
      return;
    }
    this.current = null;
    this.screen.endWait();
    delete (this.server.context as Record<string, unknown>)[PENDING];
    this.server.output.write(text + '\n');
    if (err instanceof ExitSignal) this.opts.onExit(err.reason);
    if ((err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      this.interrupts++;
      this.opts.onInterrupt();
    }
    this.parts.resetBuffer(err);
    const event: EvalEvent = { input: current.input, ok: false, error: err, count: this.count };
    this.finished.push(event);
    this.onSettled(event);
    this.server.displayPrompt();
  }

  /** A declaration's right-hand side, as its name will hold it: see `redeclare.ts`. */
  private bind(value: unknown): unknown {
    if (!isThenable(value)) return value;
    const interrupts = this.interrupts;
    return Promise.resolve(value).then((settled) => (this.interrupts === interrupts ? settled : new Promise(() => {})));
  }

  private runHooks(): void {
    if (this.finished.length === 0) return;
    for (const event of this.finished.splice(0)) {
      for (const hook of this.hooks) {
        try {
          hook(event);
        } catch (err) {
          this.server.output.write(formatError(err, this.opts.colors) + '\n');
        }
      }
    }
  }
}

