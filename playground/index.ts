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
import type { Repl } from '../src/repl/index.ts';
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
  // The REPL's modules load while the node boots (it waits on sockets meanwhile).
  const { bootNode } = await import('../src/app/boot.ts');
  const replModule = Promise.all([import('../src/repl/index.ts'), import('./lessons.ts')]);
  replModule.catch(() => {});
  // Signals are taken from the start: one that arrives while the node boots stops it after.
  let repl: Repl | null = null;
  let leaving = false;
  const leave = () => {
    leaving = true;
    repl?.close();
  };
  process.once('SIGTERM', leave);
  // On a terminal Ctrl+C is a key the REPL handles (a SIGINT listener would also stop
  // it from breaking a runaway evaluation); piped, it is a signal to leave cleanly.
  if (!process.stdin.isTTY) process.once('SIGINT', leave);
  let booted: Booted;
  try {
    booted = await bootNode(bootOptions(flags));
  } catch (err) {
    fail(err, BAD_VALUE.has((err as { code?: unknown }).code) ? 2 : 1);
  }
  if (process.stdout.isTTY) {
    process.stdout.write(`otp-playground ${version} on Node ${process.version}. h() for help; .exit or Ctrl+D to leave.\n`);
  }
  const [{ startRepl }, { attachLessons }] = await replModule;
  let status = 0;
  if (!leaving) {
    repl = startRepl({ runtime: booted.runtime });
    if (flags.workshop) void repl.ready.then(() => repl?.type('workshop()'));
    const lessons = attachLessons(repl, booted.runtime, {
      lesson: flags.lesson as string | undefined,
      auto: Boolean(flags.auto),
      autoDelay: flags['auto-delay'] === undefined ? undefined : Number(flags['auto-delay']),
    });
    await repl.closed;
    status = lessons.exitCode();
  }
  await Promise.race([booted.stop(), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
  process.exit(status);
}

function fail(err: unknown, status: number): never {
  const text = err instanceof UsageError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`playground: ${text}\n`);
  process.exit(status);
}
