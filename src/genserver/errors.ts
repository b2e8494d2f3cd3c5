/**
 * @module genserver/errors
 * What a failed `GenServer` operation rejects with: one coded error class, with the
 * Erlang exit reason as data in `reason`.
 *
 * A failed `call` reads like Elixir's exit of the same name:
 *
 *     exited in: GenServer.call(#PID<0.120.0>, 'ping', 5000)
 *         ** (EXIT) no process: the server is not alive, or no process has that name
 *
 * and its `reason` is `[why, ['GenServer', 'call', [server, request, timeout]]]`, as in
 * `exit({Reason, {gen_server, call, [Server, Request, Timeout]}})`.
 */
import { short } from '../term.ts';
import { formatReason } from '../process/index.ts';
import { CodedError } from '../errors.ts';

export type GenServerErrorCode =
  /** call/stop: the server is not alive, or no process has that name. */
  | 'ERR_NOPROC'
  /** call/stop: no answer within the timeout. */
  | 'ERR_TIMEOUT'
  /** call/stop: the server ended (crashed or stopped) before it replied. */
  | 'ERR_EXIT'
  /** call/stop: the server's node is not connected. */
  | 'ERR_NODEDOWN'
  /** call: a server called itself, which can only time out. */
  | 'ERR_CALLING_SELF'
  /** start: the name is taken; `reason` is `['already_started', pid]`. */
  | 'ERR_ALREADY_STARTED'
  /** start: init stopped, crashed or returned something else than `['ok', state]`. */
  | 'ERR_INIT'
  /** start: init did not finish within the start timeout. */
  | 'ERR_START_TIMEOUT'
  /** A bad argument: not a callback module, a malformed option, server or `from`. */
  | 'ERR_BAD_ARG';

/** `reason` is the exit reason as data (Erlang's `Reason` in `{error, Reason}`, or the call's exit). */
export class GenServerError extends CodedError<GenServerErrorCode> {}

/** The error of a `call` or `stop` (or a `sys` request: `module` and `fn` name it) that did not get its answer because of `why`. */
export function exitError(why: unknown, [module, fn]: readonly [string, string], args: readonly unknown[]): GenServerError {
  const message = `exited in: ${module}.${fn}(${args.map(short).join(', ')})\n    ** (EXIT) ${describeExit(why)}`;
  return new GenServerError(exitCode(why), message, [why, [module, fn, args]], why instanceof Error ? why : undefined);
}

// Internals

function exitCode(why: unknown): GenServerErrorCode {
  if (why === 'noproc') return 'ERR_NOPROC';
  if (why === 'timeout') return 'ERR_TIMEOUT';
  if (why === 'calling_self') return 'ERR_CALLING_SELF';
  if (why === 'noconnection' || (Array.isArray(why) && why[0] === 'nodedown')) return 'ERR_NODEDOWN';
  return 'ERR_EXIT';
}

function describeExit(why: unknown): string {
  if (why === 'noproc') return 'no process: the server is not alive, or no process has that name';
  if (why === 'timeout') return 'time out: no reply within the timeout';
  if (why === 'calling_self') return 'process attempted to call itself';
  if (why === 'noconnection') return "no connection to the server's node";
  if (Array.isArray(why) && why[0] === 'nodedown') return `no connection to ${String(why[1])}`;
  if (why instanceof Error) return 'an exception was raised:\n        ' + formatReason(why).replace(/\n/g, '\n        ');
  return short(why);
}
