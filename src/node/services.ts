/**
 * @module node/services
 * The services a node runs besides its connections, each one process: the port-mapper
 * registration keeper, the process-info server (`info-server.ts`), the greeter and the
 * discovery strategy. `services()` lists them
 * as child specs, in start order (the greeter subscribes to nodeup before discovery
 * starts connecting), for the node's supervisor.
 */
import { exit, receive, self, spawnLink, trapExit } from '../process/index.ts';
import type { Pid } from '../term.ts';
import type { Node } from './node.ts';
import { registrationOf, setRegistration } from './index.ts';
import { register } from './epmd-client.ts';
import { startGreeter } from './greeter.ts';
import { startInfoServer } from './info-server.ts';

/** One service, as a supervisor's child spec: `start` links the new process to the caller. */
export interface ServiceSpec {
  id: string;
  start: () => Pid | Promise<Pid>;
}

// Client API

/** The child specs of a node's services. */
export function services(
  node: Node,
  opts: { epmdPort: number; register: boolean; greet: boolean; discovery: (() => Promise<void>) | null },
): ServiceSpec[] {
  const specs: ServiceSpec[] = [];
  if (opts.register) specs.push({ id: 'port_mapper', start: () => spawnLink(portMapperKeeper, node, opts.epmdPort) });
  specs.push({ id: 'process_info', start: startInfoServer });
  if (opts.greet) specs.push({ id: 'greeter', start: startGreeter });
  const discovery = opts.discovery;
  if (discovery) specs.push({ id: 'discovery', start: () => spawnLink(discovery) });
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
    reg = await register(node.name, node.port, epmdPort);
    setRegistration(node, reg);
  }
  void reg.lost.then(() => node.runtime.deliver(me, ['port_mapper_lost']));
  for (;;) {
    const msg = (await receive()) as unknown[];
    if (msg[0] === 'EXIT') exit(msg[2]);
    if (msg[0] === 'port_mapper_lost') throw new Error('lost the connection to the port mapper; registering again');
  }
}
