/**
 * @module node/greeter
 * The hello-world greeter: a process registered as `greeter` on every node, subscribed
 * to nodeup events. When a node comes up, it sends that node's greeter a greeting; each
 * greeting that arrives is logged as `[info] Hello world from alice@vm`. With three nodes
 * started one after another, the third logs two greetings and the first two one each
 * from it.
 *
 * Protocol: `['greet', fromNode]` to `['greeter', node]`.
 */
import { monitorNodes, node } from './index.ts';
import { currentRuntime, receive, register, self, send } from '../process/index.ts';
import type { NodeName } from '../term.ts';

export const GREETER = 'greeter';

/** The greeter's process body. */
export async function greeter(): Promise<void> {
  register(GREETER, self());
  monitorNodes(true);
  for (;;) {
    const msg = (await receive()) as [string, NodeName];
    if (msg[0] === 'nodeup') send([GREETER, msg[1]], ['greet', node()]);
    else if (msg[0] === 'greet' && typeof msg[1] === 'string') currentRuntime().log('info', `Hello world from ${msg[1]}`);
  }
}
