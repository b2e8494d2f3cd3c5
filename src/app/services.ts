/**
 * @module app/services
 * What a node runs besides its connections, each a child of the node's supervisor
 * `node_sup`, in start order:
 *
 * - `pg`: the default scope, so a join anywhere is seen everywhere at once;
 * - `pubsub`: the default PubSub instance, so `PubSub.subscribe` and `publish` work
 *   at every prompt;
 * - `port_mapper`: keeps the node's name registered at the port mapper;
 * - `global_name_server` and `code_server`: global names and shared definitions
 *   (`dist-services.ts`);
 * - `web_agent`: reports on this node to the pages that watch it (`src/web`), idle
 *   while none does;
 * - `greeter`: the hello-world greeter (it subscribes to nodeup before discovery
 *   starts connecting);
 * - `workshop`: this node's member of a workshop (`src/workshop`): it tells rosters
 *   where its lesson stands and prints what the room says;
 * - `discovery`: the strategy chosen with `--discovery`;
 * - `join`: the rendezvous of `--join` (keeps the node joined through a known node).
 *
 * A new service is one more entry in `services()`.
 */
import { exit, link, receive, self, spawnLink, trapExit } from '../process/index.ts';
import type { Pid } from '../term.ts';
import { registrationOf, setRegistration, type Node } from '../node/index.ts';
import { register } from '../erlang/epmd/index.ts';
import { startScope } from '../pg.ts';
import * as PubSub from '../pubsub/index.ts';
import type { ChildSpec } from '../supervisor.ts';
import { startGreeter } from './greeter.ts';
import { startMember } from '../workshop/index.ts';
import { distServices } from './dist-services.ts';
import { webAgent } from '../web/index.ts';

export interface ServiceOptions {
  epmdPort: number;
  greet: boolean;
  /** The discovery strategy's process body; null for `--discovery none`. */
  discovery: (() => Promise<void>) | null;
  /** The rendezvous's process body; null without `--join`. */
  join: (() => Promise<void>) | null;
}

// Client API

/** The child specs of a node's services. */
export function services(node: Node, opts: ServiceOptions): ChildSpec[] {
  const specs: ChildSpec[] = [
    { id: 'pg', start: () => linked(startScope()) },
    { id: 'pubsub', start: () => PubSub.startLink(), type: 'supervisor' },
    { id: 'port_mapper', start: () => spawnLink(portMapperKeeper, node, opts.epmdPort) },
    ...distServices(),
    { id: 'web_agent', start: () => spawnLink(webAgent) },
  ];
  if (opts.greet) specs.push({ id: 'greeter', start: startGreeter });
  specs.push({ id: 'workshop', start: startMember });
  const discovery = opts.discovery;
  if (discovery) specs.push({ id: 'discovery', start: () => spawnLink(discovery) });
  const rendezvous = opts.join;
  if (rendezvous) specs.push({ id: 'join', start: () => spawnLink(rendezvous) });
  return specs;
}

/**
 * Keeps this node's name at the port mapper. Should the mapper go away, the keeper
 * crashes; its restart registers again (starting a new mapper if none runs).
 */
export async function portMapperKeeper(node: Node, epmdPort: number): Promise<void> {
  const me = self();
  trapExit(true);
  let reg = registrationOf(node);
  if (!reg?.open) {
    reg = await register(node.name, node.port, epmdPort, node.address ?? undefined);
    setRegistration(node, reg);
  }
  void reg.lost.then(() => node.runtime.deliver(me, ['port_mapper_lost']));
  for (;;) {
    const msg = (await receive()) as unknown[];
    if (msg[0] === 'EXIT') exit(msg[2]);
    if (msg[0] === 'port_mapper_lost') throw new Error('lost the connection to the port mapper; registering again');
  }
}

// Internals

/** Links an already started process to the caller (the supervisor starting it). */
function linked(pid: Pid): Pid {
  link(pid);
  return pid;
}
