/**
 * @module discovery/poll
 * The strategies that ask instead of listen: `epmd` polls the local port mapper for every
 * registered node (like libcluster's LocalEpmd), `static` keeps trying a fixed list
 * (`--connect a@vm,b@vm`, like libcluster's Epmd strategy with hosts). Both connect to
 * whatever they find that is not connected yet, once per heartbeat.
 */
import { receive, trapExit, exit } from '../process/index.ts';
import type { Node, Address } from '../node/index.ts';
import { names } from '../erlang/epmd/index.ts';

/** Process body: polls `find` every `heartbeat` ms and connects to what it returns. */
async function poll(node: Node, heartbeat: number, find: () => Promise<[string, Address | undefined][]>): Promise<void> {
  trapExit(true);
  for (;;) {
    const connected = new Set(node.list());
    for (const [name, addr] of await find()) {
      if (name === node.name || connected.has(name)) continue;
      void node.connect(name, addr);
    }
    const msg: unknown = await receive(undefined, { after: heartbeat });
    if (Array.isArray(msg) && msg[0] === 'EXIT') exit(msg[2]);
  }
}

// Client API

/**
 * The `epmd` strategy: every name the local port mapper knows (playground and BEAM nodes
 * alike), as a node on this node's host, the way libcluster's LocalEpmd does.
 */
export function epmdPoll(node: Node, heartbeat: number, epmdPort: number): Promise<void> {
  const host = node.name.slice(node.name.indexOf('@') + 1);
  return poll(node, heartbeat, async () => {
    const reply = await names(epmdPort).catch(() => null);
    return (reply?.names ?? []).map(([alive, port]) => [`${alive}@${host}`, { host: '127.0.0.1', port }]);
  });
}

/** The `static` strategy: a fixed list of node names, found through the port mapper. */
export function staticList(node: Node, heartbeat: number, hosts: readonly string[]): Promise<void> {
  return poll(node, heartbeat, async () => hosts.map((h) => [h, undefined]));
}
