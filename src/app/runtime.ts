/**
 * @module app/runtime
 * The runtime a node will run on, made before the node starts: named as the options say
 * (no network needed for that), with a fresh incarnation. The prompt appears on it at
 * once, while `bootNode` brings the node up on the same runtime; input waits for that.
 *
 * @example
 * const runtime = runtimeFor({ sname: 'bob' })
 * runtime.node //=> 'bob@vm'
 * await bootNode({ sname: 'bob', runtime })
 */
import { Runtime } from '../process/index.ts';
import { newCreation } from '../node/handshake.ts';
import { fullName } from '../node/name.ts';

/** A runtime for the node `opts` name; not distributed (`nonode@nohost`) without a name. Throws a `NodeError` for a bad name. */
export function runtimeFor(opts: { sname?: string; name?: string }): Runtime {
  if (opts.sname === undefined && opts.name === undefined) return new Runtime();
  return new Runtime({ node: fullName(opts), creation: newCreation() });
}
