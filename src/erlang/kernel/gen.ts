/**
 * @module erlang/kernel/gen
 * The envelopes of OTP's gen_server as the kernel services meet them: a call is
 * `{'$gen_call', {Caller, Tag}, Request}` (OTP 25's Tag is an alias, `[alias | Ref]`),
 * answered with `{Tag, Reply}` sent to Caller; a cast is `{'$gen_cast', Request}`.
 */
import { Pid } from '../../term.ts';
import { send } from '../../process/index.ts';

/** Who made a call: the caller's pid and the call's tag, whatever its shape. */
export type From = [Pid, unknown];

/**
 * The `from` and request of a call, or null for any other message.
 *
 * @example
 * asCall(['$gen_call', [caller, tag], ['is_auth', 'alice@vm']]) //=> [[caller, tag], ['is_auth', 'alice@vm']]
 */
export function asCall(msg: unknown): [From, unknown] | null {
  if (!Array.isArray(msg) || msg.length !== 3 || msg[0] !== '$gen_call') return null;
  const from = msg[1];
  if (!Array.isArray(from) || from.length !== 2 || !(from[0] instanceof Pid)) return null;
  return [from as From, msg[2]];
}

/**
 * The request of a cast, or undefined for any other message.
 *
 * @example
 * asCast(['$gen_cast', ['exchange', 'alice@vm']]) //=> ['exchange', 'alice@vm']
 */
export function asCast(msg: unknown): unknown {
  return Array.isArray(msg) && msg.length === 2 && msg[0] === '$gen_cast' ? msg[1] : undefined;
}

/**
 * Answers a call: `{Tag, Reply}` to the caller, the tag given back as it came.
 *
 * @example
 * reply([caller, tag], 'yes') // caller gets [tag, 'yes']
 */
export function reply(from: From, value: unknown): void {
  send(from[0], [from[1], value]);
}
