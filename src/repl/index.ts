/**
 * @module repl
 * The playground's prompt: Node's own REPL (through repl-extra, which exports it) on a
 * live node, made to feel like iex.
 *
 * `startRepl` puts together: the evaluator (TypeScript, auto-await, the counter, short
 * errors: `evaluator.ts`), the input queue (piped input in order: `input.ts`), the screen
 * (lines above the prompt, the spinner: `screen.ts`), the shell process (`shell.ts`),
 * the helpers with their docs (`helpers.ts`, `docs.ts`, `help.ts`) and a workshop's
 * (`workshop.ts`).
 *
 * Whoever starts the REPL can add helpers (`context`), docs for them (`docs`) and dot
 * commands (`commands`), watch every evaluation (`onEval`), print above the prompt
 * (`print`) and type into it as a user would (`type`): that is how lessons plug in.
 *
 * @example
 * const repl = startRepl({ runtime });
 * repl.onEval((e) => { if (e.ok) console.log('evaluated', e.input) });
 * await repl.closed; // .exit, Ctrl+D, Ctrl+C twice, or the end of piped input
 */
import type { REPLServer } from 'node:repl';
import repl from 'repl-extra';
import { currentRuntime, setDefaultRuntime, type LogLevel, type Runtime } from '../process/index.ts';
import { inspect } from 'node:util';
import { NO_NODE, setPrintedLocalNode, type Pid } from '../term.ts';
import { makeColors, wantsColors, type Colors } from './colors.ts';
import { formatError } from './errors.ts';
import { Evaluator, type EvalEvent, type EvalHook } from './evaluator.ts';
import type { HelpDoc } from './help.ts';
import { openHistory } from './history.ts';
import { coreHelpers, type HelperEnv, type Helpers } from './helpers.ts';
import { InputQueue } from './input.ts';
import { provide } from '../code.ts';
import { Screen } from './screen.ts';
import { Shell } from './shell.ts';
import { workshopHelpers } from './workshop.ts';

export type { EvalEvent, EvalHook } from './evaluator.ts';
export type { HelpDoc } from './help.ts';
export type { Helpers } from './helpers.ts';

/** A dot command, as `REPLServer.defineCommand` takes it. */
export interface ReplCommand {
  help: string;
  action(this: REPLServer, rest: string): void;
}

export interface ReplOptions {
  /** The runtime the shell lives in (default: the current default runtime). */
  runtime?: Runtime;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Treat the streams as a terminal (default: whether the output is a TTY). */
  terminal?: boolean;
  /** Colour the output (default: a TTY and no NO_COLOR). */
  colors?: boolean;
  /** Where history is kept (terminal only); null keeps none. Default: `<home>/history`. */
  historyFile?: string | null;
  /** More helpers for the prompt, e.g. `lesson`. */
  context?: Helpers;
  /** Docs for those helpers, for `h()`. */
  docs?: HelpDoc[];
  /**
   * Helpers loaded after the prompt appears (input waits for them). Default: the OTP
   * behaviours, PubSub and udp (`modules.ts`). A test runner that loads modules as
   * CommonJS passes its own (a dynamic import would give it second copies).
   */
  later?: (env: HelperEnv) => Promise<Helpers>;
  /** More dot commands. */
  commands?: Record<string, ReplCommand>;
}

export interface Repl {
  readonly server: REPLServer;
  /** Resolves when input can be evaluated (esbuild and every helper loaded). */
  readonly ready: Promise<void>;
  /** Resolves when the REPL has ended: .exit, Ctrl+D, Ctrl+C twice, end of input, close(). */
  readonly closed: Promise<void>;
  /** The shell process's pid (it changes when the shell dies and is replaced). */
  shellPid(): Pid;
  /** Calls `hook` after every evaluation, before the next prompt; returns an unsubscribe. */
  onEval(hook: EvalHook): () => void;
  /** Types `code` as the user would; resolves with its evaluation. */
  type(code: string): Promise<EvalEvent | null>;
  /** Prints lines without disturbing the prompt. */
  print(text: string): void;
  /** Keeps the REPL open at the end of piped input until `until` settles. */
  keepOpen(until: Promise<unknown>): void;
  /** Adds helpers to the prompt (and `h()`), e.g. once a module has loaded. */
  define(helpers: Helpers, docs?: HelpDoc[]): void;
  /** Leaves now: queued input is dropped and a pending await cancelled. */
  close(): void;
}

/** Starts the REPL on `options.input`/`output` (stdin/stdout by default). */
export function startRepl(options: ReplOptions = {}): Repl {
  const rt = options.runtime ?? currentRuntime();
  setDefaultRuntime(rt);
  setPrintedLocalNode(rt.node);
  const output = options.output ?? process.stdout;
  const input = options.input ?? process.stdin;
  const terminal = options.terminal ?? Boolean((output as { isTTY?: boolean }).isTTY);
  const colorsOn = options.colors ?? wantsColors(output as { isTTY?: boolean });
  const colors = makeColors(colorsOn);
  const prompt = (n: number) => (rt.node === NO_NODE ? `playground(${n})> ` : `playground(${rt.node})${n}> `);

  const server = repl.start({
    input,
    output,
    terminal,
    prompt: prompt(1),
    useGlobal: true,
    ignoreUndefined: true,
    breakEvalOnSigint: true,
    useColors: colorsOn,
    writer: (value: unknown) => inspect(value, { colors: colorsOn, depth: 6, breakLength: 100, maxArrayLength: 200 }),
  });
  const screen = new Screen(server, terminal, colors.dim);
  screen.atPrompt = true;

  const shell = new Shell(rt, {
    restarted(text) {
      screen.print(colors.red(text));
      // A pending `await receive()` of the dead shell would wait forever: cancel it.
      if (evaluator.busy) server.emit('SIGINT');
    },
  });
  shell.start();

  const evaluator = new Evaluator(server, screen, {
    colors,
    prompt,
    onExit: (reason) => shell.exitFromPrompt(reason),
    onInterrupt: () => shell.cancelReceive(),
  });
  evaluator.install();
  const queue = new InputQueue(server, evaluator, screen);
  queue.install();

  const print = (text: string) => screen.print(text);
  const env: HelperEnv = {
    colors,
    print,
    result: (n) => evaluator.results.get(n),
    lastCount: () => evaluator.count - 1,
  };
  const helpers: Helpers = {};
  const docs: HelpDoc[] = [];
  const define = (more: Helpers, moreDocs: HelpDoc[] = []) => {
    Object.assign(helpers, more);
    provide(more);
    docs.push(...moreDocs);
    installGlobals(more);
  };
  define({ ...coreHelpers(env), ...workshopHelpers({ ...env, screen, output, terminal }), ...options.context });
  server.on('reset', () => installGlobals(helpers));
  for (const [name, command] of Object.entries(options.commands ?? {})) server.defineCommand(name, command);

  const plainLogger = (level: LogLevel, text: string) => output.write(`[${level}] ${text}\n`);
  rt.setLogger((level, text) => {
    if (level !== 'debug') print(formatLog(level, text, colors));
  });
  // On a terminal, what processes print with console.log goes above the prompt too.
  const releaseConsole = terminal && output === process.stdout ? screen.captureConsole() : null;
  const onUncaught = (err: unknown) => print(formatError(err, colors));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  server.once('exit', function playgroundExit() {
    shell.stop();
    rt.setLogger(plainLogger);
    releaseConsole?.();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    removeGlobals(helpers);
    resolveClosed();
  });

  // At once, not later: loading the file replaces the history, lines typed before included.
  if (terminal && options.historyFile !== null) openHistory(server, options.historyFile);
  const ready = Promise.all([
    import('./later.ts')
      .then((later) => later.loadLater({ ...env, allHelpers: helpers, allDocs: docs }))
      .then((later) => {
        evaluator.transform = later.transform;
        // Passed-in helpers and docs win over the built-in ones of the same name.
        define({ ...later.helpers, ...options.context }, [...(options.docs ?? []), ...later.docs]);
      }),
    (options.later ?? (() => import('./modules.ts').then((m) => m.loadModuleHelpers())))(env).then((more) => define(more)),
  ]).then(
    () => queue.open(),
    (err) => {
      print(formatError(err, colors));
      queue.open();
    },
  );

  return {
    server,
    ready,
    closed,
    shellPid: () => shell.pid,
    onEval: (hook) => evaluator.onEval(hook),
    type: (code) => queue.type(code),
    print,
    keepOpen: (until) => queue.keepOpen(until),
    define,
    close: () => queue.leave(),
  };
}

// Internals

function installGlobals(helpers: Helpers): void {
  for (const [name, value] of Object.entries(helpers)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

function removeGlobals(helpers: Helpers): void {
  for (const name of Object.keys(helpers)) {
    if ((globalThis as Record<string, unknown>)[name] === helpers[name]) delete (globalThis as Record<string, unknown>)[name];
  }
}

function formatLog(level: LogLevel, text: string, c: Colors): string {
  if (level === 'trace') return text.replace(/^(\([^)]*\)|\*DBG\*|dbg:)/, (lead) => c.dim(lead));
  const tag = `[${level}]`;
  if (level === 'error') return c.red(`${tag} ${text}`);
  if (level === 'warning') return `${c.yellow(tag)} ${text}`;
  return `${c.cyan(tag)} ${text}`;
}
