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
 * commands (`commands`), watch every evaluation (`onEval`), every line logged above the
 * prompt (`onLog`) and every message `flush()` takes (`onFlush`), print above the prompt
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
import { adapt, reportInterrupt } from './adapter.ts';
import { formatError } from './errors.ts';
import { Evaluator, NOTHING_SHOWN, type EvalEvent, type EvalHook } from './evaluator.ts';
import type { HelpDoc } from './help.ts';
import { History, HISTORY_SIZE } from './history.ts';
import type { HelperEnv, Helpers } from './helpers.ts';
import { InputQueue } from './input.ts';
import { provide } from '../code.ts';
import { Screen } from './screen.ts';
import { Shell } from './shell.ts';
import { TypeAhead } from './typeahead.ts';
import { Panel } from './panel.ts';

export type { EvalEvent, EvalHook } from './evaluator.ts';
export type { HelpDoc } from './help.ts';
export type { Helpers } from './helpers.ts';

/** Node passes `historySize` on to readline, though its types do not list it. */
type ReplStartOptions = import('node:repl').ReplOptions & { historySize: number };

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
   * The helpers, loaded after the prompt appears (input waits for them), so that the
   * prompt needs only the REPL itself and the process runtime to show. Default: those of
   * `helpers.ts`, with the OTP behaviours, PubSub and udp (`modules.ts`). A test runner
   * that loads modules as CommonJS passes its own (a dynamic import would give it
   * second copies).
   */
  later?: (env: HelperEnv) => Promise<Helpers>;
  /** Input also waits for this (the node booting); the REPL only waits, whether it fulfils or rejects. */
  after?: Promise<unknown>;
  /** More dot commands. */
  commands?: Record<string, ReplCommand>;
  /** Take SIGINT for this prompt (default: when reading this process's stdin). */
  signals?: boolean;
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
  /** Calls `hook` with every line logged above the prompt (not debug lines); returns an unsubscribe. */
  onLog(hook: (level: LogLevel, text: string) => void): () => void;
  /** Calls `hook` with the messages `flush()` takes from the shell's mailbox; returns an unsubscribe. */
  onFlush(hook: (messages: readonly unknown[]) => void): () => void;
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

  const server = repl.start(<ReplStartOptions>{
    input,
    output,
    terminal,
    prompt: prompt(1),
    useGlobal: true,
    ignoreUndefined: true,
    breakEvalOnSigint: true,
    historySize: HISTORY_SIZE,
    useColors: colorsOn,
    writer: (value: unknown) =>
      value === NOTHING_SHOWN
        ? colors.dim('undefined')
        : inspect(value, { colors: colorsOn, depth: 6, breakLength: 100, maxArrayLength: 200 }) + helperNote(value),
  });
  /** A helper typed without its parentheses (`flush`, as iex takes it) says how to call it. */
  const helperNote = (value: unknown): string => {
    if (typeof value !== 'function') return '';
    const name = Object.keys(helpers).find((key) => helpers[key] === value);
    return name === undefined ? '' : colors.dim(`  (a helper: ${name}() calls it, h(${name}) shows how)`);
  };
  const adapted = adapt(server);
  const parts = adapted.ok ? adapted.parts : null;
  const screen = new Screen(server, parts, terminal, colors.dim);
  screen.atPrompt = true;
  if (!adapted.ok) {
    server.setPrompt(rt.node === NO_NODE ? 'playground> ' : `playground(${rt.node})> `);
    screen.print(colors.yellow(plainWarning(adapted.missing)));
  }

  const shell = new Shell(rt, {
    restarted(text) {
      screen.print(colors.red(text));
      // A pending `await receive()` of the dead shell would wait forever: cancel it.
      if (evaluator?.busy) server.emit('SIGINT');
    },
  });
  shell.start();

  // The prompt on this process's own stdin owns SIGINT: piped, it leaves cleanly; on a
  // terminal Ctrl+C is a key, and a SIGINT is the launcher (tsx) passing one on.
  const ownsSignals = options.signals ?? input === process.stdin;
  const onSigint = terminal ? function ignoreSigint() {} : function leaveOnSigint() {
    close();
  };
  const evaluator = parts && new Evaluator(server, parts, screen, {
    colors,
    prompt,
    onExit: (reason) => shell.exitFromPrompt(reason),
    onInterrupt: () => {
      shell.cancelReceive();
      if (terminal && ownsSignals) reportInterrupt();
    },
    sigint: ownsSignals ? onSigint : null,
  });
  evaluator?.install();
  const history = parts && terminal && options.historyFile !== null ? new History(parts, (text) => screen.print(text), options.historyFile) : null;
  const queue = parts && evaluator && new InputQueue(server, parts, evaluator, screen, (input) => history?.record(input));
  queue?.install();
  if (parts && queue && terminal) {
    screen.typeAhead = new TypeAhead(server as REPLServer & { line: string }, parts, colors.dim('… '));
    screen.typeAhead.install(queue);
  }
  if (ownsSignals) process.on('SIGINT', onSigint);
  const close = () => (queue ? queue.leave() : server.close());

  const print = (text: string) => screen.print(text);
  const logHooks = new Set<(level: LogLevel, text: string) => void>();
  const flushHooks = new Set<(messages: readonly unknown[]) => void>();
  const subscribe = <H>(hooks: Set<H>, hook: H) => (hooks.add(hook), () => hooks.delete(hook));
  const env: HelperEnv = {
    colors,
    print,
    flushed: (messages) => flushHooks.forEach((hook) => hook(messages)),
    result: (n) => evaluator?.results.get(n),
    lastCount: () => (evaluator?.count ?? 1) - 1,
    columns: () => (terminal ? ((output as { columns?: number }).columns ?? 80) : 80),
    panel: () => (terminal ? new Panel(output as ConstructorParameters<typeof Panel>[0], screen) : null),
  };
  const helpers: Helpers = {};
  const docs: HelpDoc[] = [];
  const define = (more: Helpers, moreDocs: HelpDoc[] = []) => {
    Object.assign(helpers, more);
    provide(more);
    docs.push(...moreDocs);
    installGlobals(more);
  };
  define({ ...options.context });
  server.on('reset', () => installGlobals(helpers));
  for (const [name, command] of Object.entries(options.commands ?? {})) server.defineCommand(name, command);

  const previousLogger = rt.setLogger((level, text) => {
    if (level === 'debug') return;
    print(formatLog(level, text, colors));
    logHooks.forEach((hook) => hook(level, text));
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
    // Lines logged from now on (the node stopping) go where they went before the prompt.
    rt.setLogger(previousLogger);
    releaseConsole?.();
    if (ownsSignals) process.off('SIGINT', onSigint);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    removeGlobals(helpers);
    resolveClosed();
  });

  history?.load();
  // A plain prompt has no queue to hold input until the helpers are there: it holds the input stream.
  if (!queue) server.pause();
  const open = (): void => {
    if (queue) queue.open();
    else server.resume();
  };
  const ready = Promise.all([
    import('./later.ts')
      .then((later) => later.loadLater({ ...env, allHelpers: helpers, allDocs: docs }))
      .then((later) => {
        if (evaluator) evaluator.transform = later.transform;
        // Passed-in helpers and docs win over the built-in ones of the same name.
        define({ ...later.helpers, ...options.context }, [...(options.docs ?? []), ...later.docs]);
      }),
    (options.later ?? loadHelpers)(env).then((more) => define({ ...more, ...options.context })),
    options.after?.then(
      () => {},
      () => {},
    ),
  ]).then(
    () => open(),
    (err) => {
      print(formatError(err, colors));
      open();
    },
  );

  return {
    server,
    ready,
    closed,
    shellPid: () => shell.pid,
    onEval: (hook) => evaluator?.onEval(hook) ?? (() => false),
    onLog: (hook) => subscribe(logHooks, hook),
    onFlush: (hook) => subscribe(flushHooks, hook),
    type: (code) => queue?.type(code) ?? Promise.reject(new Error('a plain prompt cannot type by itself')),
    print,
    keepOpen: (until) => queue?.keepOpen(until),
    define,
    close,
  };
}

// Internals

async function loadHelpers(env: HelperEnv): Promise<Helpers> {
  const [helpers, modules, workshop] = await Promise.all([import('./helpers.ts'), import('./modules.ts'), import('./workshop.ts')]);
  return { ...helpers.coreHelpers(env), ...workshop.workshopHelpers(env), ...(await modules.loadModuleHelpers()) };
}

/**
 * The wildcard is read-only: `_ = 1` and `const [_, n] = pair` bind nothing to it, as
 * in Elixir (a declaration of `_` is refused before it runs: `redeclare.ts`).
 */
const READ_ONLY = '_';

function installGlobals(helpers: Helpers): void {
  for (const [name, value] of Object.entries(helpers)) {
    Object.defineProperty(globalThis, name, { value, writable: name !== READ_ONLY, configurable: true, enumerable: false });
  }
}

function removeGlobals(helpers: Helpers): void {
  for (const name of Object.keys(helpers)) {
    if ((globalThis as Record<string, unknown>)[name] === helpers[name]) delete (globalThis as Record<string, unknown>)[name];
  }
}

function plainWarning(missing: string[]): string {
  return (
    `[warning] Node ${process.version} has changed REPL parts the playground relies on (${missing.join(', ')}): ` +
    'this prompt runs plain, as Node\'s own REPL with the helpers (no input queue, no automatic await, no lesson checks).'
  );
}

function formatLog(level: LogLevel, text: string, c: Colors): string {
  if (level === 'trace') return text.replace(/^(\([^)]*\)|\*DBG\*|dbg:)/, (lead) => c.dim(lead));
  const tag = `[${level}]`;
  if (level === 'error') return c.red(`${tag} ${text}`);
  if (level === 'warning') return `${c.yellow(tag)} ${text}`;
  return `${c.cyan(tag)} ${text}`;
}
