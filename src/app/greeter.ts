/**
 * @module app/greeter
 * The hello-world greeter: a GenServer registered as `greeter` on every node that
 * subscribes to nodeup events. When a node comes up, it casts that node's greeter a
 * greeting; each greeting that arrives is logged as `[info] Hello world from alice@vm`.
 * With three nodes started one after another, the third logs two greetings and the
 * first two one each from it.
 *
 * Protocol: the cast `['greet', fromNode]` to `['greeter', node]`; the call
 * `'greetings'` answers with the nodes that greeted this one, oldest first.
 *
 * @example
 * // On carol, started after alice and bob (narrative, not run: the greetings come a
 * // moment after the nodes connect, with nothing to wait on at the prompt; the
 * // hello-world test in test/cluster.test.ts checks them):
 * await GenServer.call('greeter', 'greetings') //=> [ 'alice@vm', 'bob@vm' ]
 */
import * as GenServer from '../genserver.ts';
import { currentRuntime } from '../process/index.ts';
import type { NodeName, Pid } from '../term.ts';
import { monitorNodes, node } from '../node/index.ts';

export const GREETER = 'greeter';

interface State {
  /** Nodes that greeted this one, in arrival order. */
  greetedBy: NodeName[];
}

// Client API

/** Starts the greeter linked to the caller (a supervisor), registered as `greeter`. */
export function startGreeter(): Promise<Pid> {
  return GenServer.startLink(Greeter, undefined, { name: GREETER });
}

// Callbacks

export const Greeter = {
  name: 'Greeter',

  init(): ['ok', State] {
    monitorNodes(true);
    return ['ok', { greetedBy: [] }];
  },

  handleInfo(msg: unknown, state: State): ['noreply', State] {
    if (Array.isArray(msg) && msg[0] === 'nodeup') GenServer.cast([GREETER, msg[1] as NodeName], ['greet', node()]);
    return ['noreply', state];
  },

  handleCast(msg: unknown, state: State): ['noreply', State] {
    if (!Array.isArray(msg) || msg[0] !== 'greet' || typeof msg[1] !== 'string') return ['noreply', state];
    currentRuntime().log('info', `Hello world from ${msg[1]}`);
    return ['noreply', { greetedBy: [...state.greetedBy, msg[1]] }];
  },

  handleCall(request: unknown, _from: unknown, state: State): ['reply', unknown, State] {
    if (request === 'greetings') return ['reply', state.greetedBy, state];
    return ['reply', ['error', 'unknown_call'], state];
  },
};
