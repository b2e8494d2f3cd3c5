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
import { defaultLongHost, nameKind } from '../erlang/address.ts';

/**
 * The full node name that `sname`/`name` options give; throws `NodeError` when malformed.
 * A long name's host is an address or has dots, as Erlang requires (`--name bob` alone
 * takes this machine's full host name, else its one network address).
 */
export function fullName(opts: { sname?: string; name?: string }): NodeName {
  if (opts.sname !== undefined && opts.name !== undefined) {
    throw new NodeError('ERR_BAD_NAME', 'give either --sname or --name, not both');
  }
  const short = opts.sname !== undefined;
  const given = opts.sname ?? opts.name;
  if (given === undefined) throw new NodeError('ERR_BAD_NAME', 'a node needs --sname or --name');
  const name = given.includes('@') ? given : `${given}@${short ? hostname().split('.')[0]! : longHost(given)}`;
  if (!isNodeName(name) || name === NO_NODE) {
    throw new NodeError('ERR_BAD_NAME', `bad node name ${JSON.stringify(given)}: expected letters, digits, _ - . and one @host`);
  }
  if (short && nameKind(name) === 'long') {
    throw new NodeError('ERR_BAD_NAME', `--sname ${given}: a short name's host has no dots (use --name for ${name})`);
  }
  if (!short && nameKind(name) === 'short') {
    const alive = name.slice(0, name.indexOf('@'));
    throw new NodeError(
      'ERR_BAD_NAME',
      `--name ${given}: a long name's host is an address or a host name with dots (--name ${alive}@10.0.0.7); for a node on this machine only, use --sname ${alive}`,
    );
  }
  return name;
}

// Internals

function longHost(alive: string): string {
  try {
    return defaultLongHost(alive);
  } catch (err) {
    throw new NodeError('ERR_BAD_NAME', (err as Error).message);
  }
}
