/**
 * @module erlang/etf/types
 * What the encoder and decoder share: their error, and the four atoms that become
 * JavaScript's own constants rather than strings.
 */

import { CodedError } from '../../errors.ts';

/** A value that cannot be encoded, or bytes that are not a term. */
export class EtfError extends CodedError<'ERR_NOT_A_TERM' | 'ERR_BAD_TERM'> {}

/**
 * The value of the atom named `name`: `true`, `false`, `nil` (as null) and `undefined`
 * are JavaScript's own; every other atom is its name, a string.
 *
 * @example
 * atomValue('nil') //=> null
 * atomValue('ok')  //=> 'ok'
 */
export function atomValue(name: string): unknown {
  switch (name) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'nil':
      return null;
    case 'undefined':
      return undefined;
    default:
      return name;
  }
}

/**
 * A module name as iex prints it: `Enum` for `Elixir.Enum`, `:lists` for an Erlang one.
 *
 * @example
 * moduleText('Elixir.Enum') //=> 'Enum'
 * moduleText('erl_eval')    //=> ':erl_eval'
 */
export function moduleText(name: string): string {
  return name.startsWith('Elixir.') ? name.slice(7) : `:${name}`;
}
