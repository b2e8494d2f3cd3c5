/**
 * @module node/name
 * A node's full name from `--sname` or `--name`, as Erlang's `net_kernel` forms it: a
 * short name takes this host's short name, a long name the full host name. It needs
 * nothing of the network, so the prompt can show the name before the node is up.
 *
 * @example
 * fullName({ sname: 'bob' }) //=> 'bob@vm'
 * fullName({ name: 'bob@127.0.0.1' }) //=> 'bob@127.0.0.1'
 */
import { hostname } from 'node:os';
import { NO_NODE, type NodeName } from '../term.ts';
import { isNodeName } from './handshake.ts';
import { NodeError } from './errors.ts';

/** The full node name that `sname`/`name` options give; throws `NodeError` when malformed. */
export function fullName(opts: { sname?: string; name?: string }): NodeName {
  if (opts.sname !== undefined && opts.name !== undefined) {
    throw new NodeError('ERR_BAD_NAME', 'give either --sname or --name, not both');
  }
  const short = opts.sname !== undefined;
  const given = opts.sname ?? opts.name;
  if (given === undefined) throw new NodeError('ERR_BAD_NAME', 'a node needs --sname or --name');
  const host = short ? hostname().split('.')[0]! : hostname();
  const name = given.includes('@') ? given : `${given}@${host}`;
  if (!isNodeName(name) || name === NO_NODE) {
    throw new NodeError('ERR_BAD_NAME', `bad node name ${JSON.stringify(given)}: expected letters, digits, _ - . and one @host`);
  }
  if (short && name.slice(name.indexOf('@') + 1).includes('.')) {
    throw new NodeError('ERR_BAD_NAME', `--sname ${given}: a short name's host has no dots (use --name for ${name})`);
  }
  return name;
}
