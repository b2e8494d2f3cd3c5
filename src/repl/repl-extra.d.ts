/** repl-extra exports Node's own `repl` module, with `startExtra` added to it. */
declare module 'repl-extra' {
  import * as repl from 'node:repl';
  const extra: typeof repl & { startExtra(options?: repl.ReplOptions): repl.REPLServer };
  export default extra;
}
