/**
 * @module process/report
 * Short, Erlang-like crash reports: which process, what it raised, and the user's own
 * stack frames only (the runtime's, Node's and dependencies' frames are noise there).
 */
import { format, type Pid } from '../term.ts';

const HIDDEN_FRAME = /[( ]node:|node_modules|\/src\/(process|genserver|supervisor|basic-server|registry|repl|node)[/.]|^\s*at (new Promise|Array\.forEach|process\.processTicksAndRejections)|<anonymous>\)?$/;

/** The frames of `stack` that belong to the user's code, at most `limit` of them. */
export function userFrames(stack: string | undefined, limit = 6): string[] {
  if (!stack) return [];
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && !HIDDEN_FRAME.test(line))
    .slice(0, limit)
    .map((line) => '    ' + line.trim());
}

/** `** (Error) message` plus user frames, for an exit reason that may or may not be an Error. */
export function formatReason(reason: unknown): string {
  if (reason instanceof Error) {
    const head = `** (${reason.name}) ${reason.message}`;
    return [head, ...userFrames(reason.stack)].join('\n');
  }
  return `** (exit) ${format(reason)}`;
}

export function crashReport(pid: Pid, name: string | undefined, reason: unknown): string {
  const who = name === undefined ? `${pid}` : `${pid} (${name})`;
  return `Process ${who} raised an exception\n${formatReason(reason)}`;
}
