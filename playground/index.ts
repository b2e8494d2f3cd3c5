/**
 * @module playground
 * The command line: `npx tsx playground --sname bob` starts the node bob@<host> and an
 * iex-like prompt on it; `--names` lists the port mapper's names; `--help` lists every
 * flag. The prompt ends with `.exit`, Ctrl+D, Ctrl+C twice or the end of piped input;
 * the node then stops at once (its peers see nodedown, its name is freed) and the
 * process exits 0.
 */
import { readFileSync } from 'node:fs';
import type { Booted } from '../src/app/boot.ts';
import type { Runtime } from '../src/index.ts';
import { bootOptions, helpText, parseFlags, UsageError, type Values } from './flags.ts';

/** The codes of errors that mean a bad flag value (exit status 2, as a usage error). */
const BAD_VALUE = new Set<unknown>(['ERR_BAD_NAME']);

/** How long the node may take to stop before the process exits anyway. */
const STOP_TIMEOUT_MS = 2000;

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let flags: Values;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (err) {
  fail(err, 2);
}

if (flags.help) {
  process.stdout.write(helpText(version) + '\n');
} else if (flags.version) {
  process.stdout.write(`otp-playground ${version}\n`);
} else if (flags.names) {
  const { printNames } = await import('../src/app/boot.ts');
  process.exitCode = await printNames();
} else {
  await run(flags);
}

async function run(flags: Values): Promise<void> {
  // Loaded here, not at the top, so that --help, --version and a bad flag answer at once.
  // The prompt needs only the REPL and the process runtime: it appears first, on the
  // runtime the node will run; the node's modules load and it boots after, and input
  // waits until it is up.
  // Signals are taken from the start: one that arrives before the prompt is up ends it
  // as soon as it is. Piped, SIGINT is a signal to leave cleanly; on a terminal Ctrl+C
  // is a key the prompt handles.
  let leave: () => void = () => void (leaving = true);
  let leaving = false;
  const onSignal = () => leave();
  process.once('SIGTERM', onSignal);
  if (!process.stdin.isTTY) process.once('SIGINT', onSignal);
  const [{ startRepl }, { attachLessons }, { runtimeFor }] = await Promise.all([
    import('../src/repl/index.ts'),
    import('./lessons.ts'),
    import('../src/app/runtime.ts'),
  ]);
  const options = bootOptions(flags);
  let runtime: Runtime;
  try {
    runtime = runtimeFor(options);
  } catch (err) {
    fail(err, BAD_VALUE.has((err as { code?: unknown }).code) ? 2 : 1);
  }
  if (process.stdout.isTTY) {
    process.stdout.write(`otp-playground ${version} on Node ${process.version}. h() for help; .exit or Ctrl+D to leave.\n`);
  }
  let failure: unknown;
  let up!: (node: Promise<Booted>) => void;
  const node = new Promise<Booted>((resolve) => (up = resolve));
  const repl = startRepl({ runtime, after: node });
  up(import('../src/app/boot.ts').then((boot) => boot.bootNode({ ...options, runtime })));
  leave = () => repl.close();
  if (leaving) leave();
  // After the prompt took SIGINT, not before: a signal that arrives in between must
  // still find a listener (Node drops one pending for a listener removed meanwhile).
  process.off('SIGINT', onSignal);
  // --workshop opens the roster the way a teacher would: typed at the prompt, once the node is up.
  if (flags.workshop) void node.then(() => repl.type('workshop()'), () => {});
  const lessons = attachLessons(repl, runtime, {
    lesson: flags.lesson as string | undefined,
    auto: Boolean(flags.auto),
    autoDelay: flags['auto-delay'] === undefined ? undefined : Number(flags['auto-delay']),
    cookie: flags.cookie as string | undefined,
  });
  // A node that cannot come up (its name is taken, say) ends the prompt it stood behind.
  node.catch((err: unknown) => {
    failure = err;
    repl.close();
  });
  await repl.closed;
  const booted = await node.catch(() => null);
  if (booted) await Promise.race([booted.stop(), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
  if (failure !== undefined) {
    process.stdout.write('\n'); // the prompt it stood behind ends its line
    fail(failure, BAD_VALUE.has((failure as { code?: unknown }).code) ? 2 : 1);
  }
  process.exit(lessons.exitCode());
}

function fail(err: unknown, status: number): never {
  const text = err instanceof UsageError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`playground: ${text}\n`);
  process.exit(status);
}
