/**
 * @module repl/errors
 * How a failed evaluation looks at the prompt: one short red line in iex's style,
 * `** (TypeError) x is not a function`, then the user's own stack frames only (those
 * of functions typed at the prompt or written in the user's files), never Node's,
 * the runtime's or the REPL's.
 */
import { fileURLToPath } from 'node:url';
import { ExitSignal, userFrames } from '../process/index.ts';
import { format } from '../term.ts';
import type { Colors } from './colors.ts';

/** The playground's own code (src/, and the lessons and CLI beside it): its frames are not the user's. */
const LIBRARY = ['..', '../../lessons/', '../../playground/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));
/** Node's own frames, and frames that only say "the line you typed". */
const NOISE = /[( ]node:|^\s*at (async )?REPL\d+:\d+:\d+$/;

/** The lines printed for `err`, thrown by (or rejected from) an input. */
export function formatError(err: unknown, colors: Colors): string {
  if (err instanceof ExitSignal) return colors.red(`** (exit) ${format(err.reason)}`);
  if (!isErrorLike(err)) return colors.red(`** (throw) ${format(err)}`);
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return colors.red('** (interrupted) the evaluation was cancelled');
  const head = colors.red(`** (${err.name || 'Error'}) ${err.message}`);
  if (err.name === 'SyntaxError') return head;
  const frames = userFrames(err.stack, 50).filter((line) => !NOISE.test(line) && !LIBRARY.some((dir) => line.includes(dir))).slice(0, 5);
  return [head, ...frames.map((line) => colors.dim(line))].join('\n');
}

/** Errors from another realm (vm contexts, workers) are errors too. */
function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Error).message === 'string' &&
      typeof (value as Error).stack === 'string')
  );
}
