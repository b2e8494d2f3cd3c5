/**
 * @module discovery
 * How a node finds the others, chosen with `--discovery` (the strategies of libcluster):
 *
 * - `gossip` (default): UDP broadcast on 127.255.255.255, so nodes on this machine find
 *   each other and nothing leaves it.
 * - `lan`: the same on 255.255.255.255, for a workshop on one network.
 * - `epmd`: poll the local port mapper for registered names.
 * - `static`: keep connecting to the nodes given with `--connect a@vm,b@vm`.
 * - `none`: connect by hand (`connect('bob@vm')`).
 *
 * Each strategy runs as one process under the node's supervisor. Beside any of them,
 * `--join teacher@10.0.0.5` keeps the node joined to a cluster through a known node
 * (`join.ts`): the way in where broadcast does not pass.
 */
import type { Node } from '../node/index.ts';
import { gossip } from './gossip.ts';
import { epmdPoll, staticList } from './poll.ts';
import type { Strategy } from './strategies.ts';
import { CodedError } from '../errors.ts';
import { portFromEnv } from '../env.ts';

export { announcement, parseAnnouncement, type Announcement } from './gossip.ts';
export { join } from './join.ts';
export { STRATEGIES, type Strategy } from './strategies.ts';

/** The UDP port gossip uses unless PLAYGROUND_DISCOVERY_PORT says otherwise. */
export const DEFAULT_DISCOVERY_PORT = 45892;
/** ms between announcements (or polls) unless `--heartbeat` says otherwise. */
export const DEFAULT_HEARTBEAT = 2000;

export class DiscoveryError extends CodedError<'ERR_BAD_DISCOVERY'> {}

export interface DiscoveryOptions {
  strategy: Strategy;
  heartbeat: number;
  /** UDP port for gossip and lan. */
  port: number;
  cookie: string;
  epmdPort: number;
  /** Nodes for `static`. */
  hosts: readonly string[];
}

// Client API

/** The discovery port: PLAYGROUND_DISCOVERY_PORT, else 45892. */
export function discoveryPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFromEnv('PLAYGROUND_DISCOVERY_PORT', DEFAULT_DISCOVERY_PORT, env);
}

/**
 * The process body that runs `opts.strategy` for `node`, or null for `none`.
 *
 * @example
 * const body = discovery(node, { strategy: 'epmd', heartbeat: 2000, ... })
 * spawn(body) //=> #PID<0.12.0>
 */
export function discovery(node: Node, opts: DiscoveryOptions): (() => Promise<void>) | null {
  switch (opts.strategy) {
    case 'gossip':
    case 'lan': {
      const broadcast = opts.strategy === 'gossip' ? '127.255.255.255' : '255.255.255.255';
      const cfg = { broadcast, port: opts.port, heartbeat: opts.heartbeat, cookie: opts.cookie };
      return () => gossip(node, cfg);
    }
    case 'epmd':
      return () => epmdPoll(node, opts.heartbeat, opts.epmdPort);
    case 'static':
      if (opts.hosts.length === 0) throw new DiscoveryError('ERR_BAD_DISCOVERY', '--discovery static needs --connect a@host,b@host');
      return () => staticList(node, opts.heartbeat, opts.hosts);
    case 'none':
      return null;
  }
}
