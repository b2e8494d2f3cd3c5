/**
 * @module errors
 * The one base of the library's errors, as uvu's `Assertion` and Node's own errors: a
 * stable `code` to test against (`ERR_NOPROC`, `ERR_BAD_ARG`, ...), a message that names
 * what was expected and what was got, and the class's name as `name`, so the REPL prints
 * `** (GenServerError) ...`. Where Erlang would exit with a reason, the error carries it
 * as data in `reason` (`['already_started', pid]`), and the error behind it, if any, is
 * its `cause`.
 *
 * A module's errors are one line: `export class EpmdError extends CodedError<'ERR_NAME_TAKEN' | ...> {}`.
 *
 * @example
 * iex(bob)> await GenServer.start({ init: () => ['ok', 0] }, null, { name: 'n' })
 * iex(bob)> const err = await GenServer.start({ init: () => ['ok', 0] }, null, { name: 'n' }).catch((e) => e)
 * iex(bob)> [err.name, err.code, err.reason[0]]
 * [ 'GenServerError', 'ERR_ALREADY_STARTED', 'already_started' ]
 */
export class CodedError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    /** The reason as data, where Erlang would give one (`{error, Reason}`, an exit reason). */
    readonly reason: unknown = undefined,
    /** The error behind this one, if any (by default a reason that is an Error). */
    cause: unknown = reason instanceof Error ? reason : undefined,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
  }
}
