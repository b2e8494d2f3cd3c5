/**
 * @module erlang/kernel
 * The services a BEAM node expects every node it connects to to run, each a process
 * registered under the BEAM's own name, as on the BEAM (they show in `registered()`),
 * but for global's, which is the playground's own global (`src/global.ts`, another
 * protocol): the BEAM's messages to `global_name_server` are routed to `erlang_global`
 * (`route`):
 * - `net_kernel` answers `:net_adm.ping` (`is_auth`), so ping gives `pong`;
 * - `rex` answers rpc's feature probe, and says `{:badrpc, :notsup}` to old-style calls
 *   (remote calls from the BEAM need remote spawn, which this node does not offer);
 * - `global_name_server` takes part in `global`'s sync as a peer that holds no names,
 *   so that `:global.sync/0` and `:global.trans/2` on the BEAM do not wait for ever.
 *
 * A node starts them with its first BEAM connection (`startKernel`); a name already
 * taken by a process of the node's own is left to it.
 */
import { currentRuntime, type Runtime } from '../../process/index.ts';
import { netKernel } from './net-kernel.ts';
import { rex } from './rex.ts';
import { globalNameServer } from './global.ts';

const SERVICES: [string, () => Promise<void>][] = [
  ['net_kernel', netKernel],
  ['rex', rex],
  ['erlang_global', globalNameServer],
];

/** The names a BEAM peer sends to that are served under another name here. */
const ROUTES: Record<string, string> = { global_name_server: 'erlang_global' };

// Client API

/**
 * Starts the services of `rt` (default: the caller's runtime) that do not run yet.
 *
 * @example
 * startKernel(); registered() //=> [..., 'net_kernel', 'rex', 'erlang_global']
 */
export function startKernel(rt: Runtime = currentRuntime()): void {
  for (const [name, body] of SERVICES) {
    if (rt.whereis(name) === undefined) rt.spawn(body, [], null, { name });
  }
}

/**
 * The local name that serves what a BEAM peer sends to (or monitors by) its registered
 * name `name`.
 *
 * @example
 * route('global_name_server') //=> 'erlang_global'
 * route('stack')              //=> 'stack'
 */
export function route(name: unknown): unknown {
  return typeof name === 'string' ? (ROUTES[name] ?? name) : name;
}

/**
 * The name a BEAM peer knows a local name by: `route` the other way, for the DOWN of a
 * monitor it made by name.
 *
 * @example
 * unroute('erlang_global') //=> 'global_name_server'
 */
export function unroute(name: unknown): unknown {
  for (const [theirs, ours] of Object.entries(ROUTES)) if (name === ours) return theirs;
  return name;
}
