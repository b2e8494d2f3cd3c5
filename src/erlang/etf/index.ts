/**
 * @module erlang/etf
 * Erlang's external term format: how a BEAM node writes terms on the wire, and how the
 * playground's values map onto them (the protocol document is
 * erts/doc/guides/erl_ext_dist.md in erlang/otp).
 *
 * The mapping keeps the playground's own rules (atoms are strings, tuples are arrays,
 * maps are objects) and gives a type of its own to what would not survive a round trip
 * otherwise, so that a term an Elixir node sends and gets back compares `==`:
 *
 * | Erlang / Elixir                    | playground                   | back to Erlang           |
 * |------------------------------------|------------------------------|--------------------------|
 * | atom `:ok`                         | string `'ok'`                | atom                     |
 * | `true`, `false`                    | `true`, `false`              | the same atoms           |
 * | `nil`, `:undefined`                | `null`, `undefined`          | the same atoms           |
 * | integer                            | number (bigint beyond 2^53)  | integer                  |
 * | float                              | number                       | float (a whole one: integer, `==` holds) |
 * | binary `"héllo"`, `<<1, 2>>`       | `Binary` (prints `"héllo"`)  | binary                   |
 * | bitstring `<<1::3>>`               | `Binary` with `bits` 3       | bitstring                |
 * | tuple `{:ok, 1}`                   | array `['ok', 1]`            | tuple                    |
 * | list `[1, 2]`, charlist `'ab'`     | `List` (prints `[1, 2]`, `~c"ab"`) | list               |
 * | improper list `[1 \| 2]`           | `List` with `tail` 2         | improper list            |
 * | map with only atom keys            | plain object                 | map                      |
 * | map with any other key             | `Map`                        | map                      |
 * | pid, reference                     | `Pid`, `Ref`                 | pid, reference           |
 * | fun, port                          | `Opaque` (prints as iex)     | the very same fun, port  |
 *
 * Only from the playground: a `Uint8Array` is a binary; an `Error` is the Elixir
 * exception `%RuntimeError{message: "..."}`. A function, a symbol, NaN or an atom over
 * 255 characters cannot be sent (`EtfError` 'ERR_NOT_A_TERM', thrown in the sender).
 */
export { encode, Encoder } from './encode.ts';
export { decode, Decoder } from './decode.ts';
export { EtfError } from './types.ts';
