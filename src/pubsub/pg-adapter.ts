/**
 * @module pubsub/pg-adapter
 * The remote half of PubSub, after Phoenix.PubSub's PG2 adapter: one small server per
 * node and per PubSub instance, joined to the instance's pg group (`['PubSub', name]`
 * unless the instance was started with another).
 *
 * Protocol: a publish sends exactly one `['broadcast_to_local', topic, msg]` to the
 * server of every other node, the message of the pubsub seed's Hermes, so a Hermes node
 * on the BEAM that shares the group is a peer like any other; a `broadcastFrom` sends
 * `['forward_to_local', topic, msg, except]` (Phoenix's), to leave out `except`. The
 * server hands `msg` to its own node's subscribers of `topic`. Nothing else crosses
 * the network, however many subscribers a node has.
 */
import { Pid, type NodeName } from '../term.ts';
import { currentRuntime, self, send, type Runtime } from '../process/index.ts';
import * as GenServer from '../genserver.ts';
import * as pg from '../pg.ts';

/** The pg group the servers of instance `name` join by default. */
export const groupOf = (name: string): [string, string] => ['PubSub', name];

/** The registered name of instance `name`'s server on every node. */
export const serverName = (name: string): string => `${name}.Adapter`;

export type LocalDispatch = (topic: string, msg: unknown, except: Pid | null) => void;

/** The group of each running instance, per node. */
const groups = new WeakMap<Runtime, Map<string, unknown>>();

// Client API

/** Starts the server of instance `name` on this node, in pg group `group`, delivering through `dispatch`. */
export function startLink(name: string, dispatch: LocalDispatch, group: unknown = groupOf(name)): Promise<Pid> {
  return GenServer.startLink(new Adapter(name, group, dispatch), undefined, { name: serverName(name) });
}

/** Sends `msg` once to the server of every other node that runs instance `name`. */
export function broadcast(name: string, topic: string, msg: unknown, except: Pid | null): void {
  const rt = currentRuntime();
  const seen = new Set<NodeName>();
  const forward = except === null ? ['broadcast_to_local', topic, msg] : ['forward_to_local', topic, msg, except];
  for (const pid of pg.getMembers(groups.get(rt)?.get(name) ?? groupOf(name))) {
    if (pid.node === rt.node || seen.has(pid.node)) continue;
    seen.add(pid.node);
    send(pid, forward);
  }
}

/** Sends `msg` to instance `name`'s subscribers of `topic` on `node` only. */
export function directBroadcast(name: string, node: NodeName, topic: string, msg: unknown): void {
  send([serverName(name), node], ['broadcast_to_local', topic, msg]);
}

// Callbacks

class Adapter {
  constructor(
    readonly name: string,
    readonly group: unknown,
    readonly dispatch: LocalDispatch,
  ) {}

  init(): ['ok', null] {
    const rt = currentRuntime();
    if (!groups.has(rt)) groups.set(rt, new Map());
    groups.get(rt)!.set(this.name, this.group);
    pg.join(this.group, self());
    return ['ok', null];
  }

  handleInfo(msg: unknown, state: null): ['noreply', null] {
    if (Array.isArray(msg) && msg[0] === 'broadcast_to_local' && msg.length === 3) {
      this.dispatch(msg[1] as string, msg[2], null);
    } else if (Array.isArray(msg) && msg[0] === 'forward_to_local' && msg.length === 4) {
      this.dispatch(msg[1] as string, msg[2], msg[3] instanceof Pid ? msg[3] : null);
    }
    return ['noreply', state];
  }
}
