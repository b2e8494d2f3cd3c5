/**
 * @module pubsub/pg-adapter
 * The remote half of PubSub, after Phoenix.PubSub's PG2 adapter: one small server per
 * node and per PubSub instance, joined to the pg group `['PubSub', name]`.
 *
 * Protocol: a publish sends exactly one `['forward_to_local', topic, msg, except]`
 * to the server of every other node; that server hands `msg` to its own node's
 * subscribers of `topic` (all but `except`, a pid or null). Nothing else crosses the
 * network, however many subscribers a node has.
 */
import { Pid, type NodeName } from '../term.ts';
import { currentRuntime, self, send } from '../process/index.ts';
import * as GenServer from '../genserver.ts';
import * as pg from '../pg.ts';

/** The pg group the servers of instance `name` join. */
export const groupOf = (name: string): [string, string] => ['PubSub', name];

/** The registered name of instance `name`'s server on every node. */
export const serverName = (name: string): string => `${name}.Adapter`;

export type LocalDispatch = (topic: string, msg: unknown, except: Pid | null) => void;

// Client API

/** Starts the server of instance `name` on this node, delivering through `dispatch`. */
export function startLink(name: string, dispatch: LocalDispatch): Promise<Pid> {
  return GenServer.startLink(new Adapter(name, dispatch), undefined, { name: serverName(name) });
}

/** Sends `msg` once to the server of every other node that runs instance `name`. */
export function broadcast(name: string, topic: string, msg: unknown, except: Pid | null): void {
  const here = currentRuntime().node;
  const seen = new Set<NodeName>();
  for (const pid of pg.getMembers(groupOf(name))) {
    if (pid.node === here || seen.has(pid.node)) continue;
    seen.add(pid.node);
    send(pid, ['forward_to_local', topic, msg, except]);
  }
}

/** Sends `msg` to instance `name`'s subscribers of `topic` on `node` only. */
export function directBroadcast(name: string, node: NodeName, topic: string, msg: unknown): void {
  send([serverName(name), node], ['forward_to_local', topic, msg, null]);
}

// Callbacks

class Adapter {
  constructor(
    readonly name: string,
    readonly dispatch: LocalDispatch,
  ) {}

  init(): ['ok', null] {
    pg.join(groupOf(this.name), self());
    return ['ok', null];
  }

  handleInfo(msg: unknown, state: null): ['noreply', null] {
    if (Array.isArray(msg) && msg[0] === 'forward_to_local') {
      this.dispatch(msg[1] as string, msg[2], (msg[3] as Pid | null) ?? null);
    }
    return ['noreply', state];
  }
}
