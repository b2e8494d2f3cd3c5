/**
 * @module trace/sys
 * OTP's `sys` for GenServers, at the prompt: look at a running server's state, replace
 * it, and watch every message it handles, on this node or another.
 *
 *     *DBG* ItemAccumulator got cast [ 'add', 'apples' ]
 *     *DBG* ItemAccumulator new state [ 'apples' ]
 *     *DBG* ItemAccumulator got call 'listItems' from #PID<0.98.0>
 *     *DBG* ItemAccumulator sent [ 'apples' ] to #PID<0.98.0>, new state [ 'apples' ]
 *
 * The requests go to the server's generic loop (`genserver/system.ts`), never to its
 * callbacks, and wait and fail like `GenServer.call`. A function cannot travel to another
 * node, so `replaceState` on a remote server runs the function here, on the state it
 * got, and has the server take the result only if its state has not changed meanwhile
 * (it tries again otherwise, a few times).
 *
 * @example
 * iex(bob)> const Counter = { init: (n) => ['ok', n], handleCast: (by, n) => ['noreply', n + by] }
 * iex(bob)> await GenServer.start(Counter, 0, { name: 'counter' })
 * iex(bob)> GenServer.cast('counter', 2)
 * 'ok'
 * iex(bob)> await sys.getState('counter')
 * 2
 */
import { Pid, short, type NodeName } from '../term.ts';
import { currentRuntime } from '../process/index.ts';
import type { ServerRef } from '../genserver/types.ts';
import { system } from '../genserver/request.ts';
import { serverMain } from '../genserver/server.ts';
import { TraceError, dbgOf, discard, finish, open, owner, watch } from './tracer.ts';

/** How many times a remote `replaceState` tries when the state keeps changing under it. */
const TRIES = 5;

// Client API

/**
 * The state of a running GenServer (a pid, a name or `[name, node]`), as `:sys.get_state`.
 *
 * @example
 * iex(bob)> await sys.getState('counter')
 * 2
 */
export async function getState(server: ServerRef, timeout: number = 5000): Promise<unknown> {
  checkGenServer(server, 'getState');
  return system(server, 'get_state', timeout, 'getState', [server, timeout]);
}

/**
 * Replaces a GenServer's state with `fn(state)` and gives the new state, as
 * `:sys.replace_state`. A function that throws leaves the state as it was.
 *
 * @example
 * iex(bob)> await sys.replaceState('counter', (n) => n * 10)
 * 20
 */
export async function replaceState(server: ServerRef, fn: (state: any) => unknown, timeout: number = 5000): Promise<unknown> {
  checkGenServer(server, 'replaceState');
  if (typeof fn !== 'function') throw new TraceError('ERR_BAD_ARG', `sys.replaceState expects a function from the old state to the new one. Got: ${short(fn)}`);
  const shown = [server, fn, timeout];
  if (!isRemote(server)) return outcome(await system(server, ['replace_state', fn], timeout, 'replaceState', shown), server);
  for (let i = 0; i < TRIES; i++) {
    const state = await system(server, 'get_state', timeout, 'replaceState', shown);
    let next: unknown;
    try {
      next = fn(state);
    } catch (err) {
      return outcome(['error', err], server);
    }
    const answer = (await system(server, ['replace_state_if', state, next], timeout, 'replaceState', shown)) as unknown[];
    if (answer[0] === 'ok') return answer[1];
  }
  throw new TraceError('ERR_CONFLICT', `sys.replaceState: the state of ${short(server)} changed each of ${TRIES} times before it could be replaced`);
}

/**
 * `sys.trace(server, true)` prints each message the server handles and its new state,
 * above the prompt that asked, as `:sys.trace` does; `false` stops it. The trace ends
 * by itself when the server exits or the shell that started it does.
 *
 * @example
 * iex(bob)> await sys.trace('counter', true)
 * 'ok'
 * iex(bob)> await sys.trace('counter', false)
 * 'ok'
 */
export async function trace(server: ServerRef, flag: boolean): Promise<'ok'> {
  checkGenServer(server, 'trace');
  if (typeof flag !== 'boolean') throw new TraceError('ERR_BAD_ARG', `sys.trace expects true or false. Got: ${short(flag)}`);
  const d = dbgOf();
  if (!flag) {
    const pid = (await system(server, ['trace', false], 5000, 'trace', [server, flag])) as Pid;
    for (const t of [...d.traces.values()]) if (t.kind === 'sys' && t.target?.equals(pid)) finish(d, t);
    return 'ok';
  }
  const by = owner('sys.trace');
  const t = open(d, by, { kind: 'sys', what: typeof server === 'string' ? server : short(server), limit: Infinity, returns: false, handler: null, record: false });
  try {
    const tracer = d.tracer!.pid;
    const pid = (await system(server, ['trace', tracer, t.id], 5000, 'trace', [server, flag])) as Pid;
    t.target = pid;
    // Its answer goes to the tracer, which ignores it.
    t.undo = () => d.rt.route(pid, ['$system', [tracer, d.rt.makeRef()], ['trace', false]], null);
    watch(d, t, pid, ': the server exited');
  } catch (err) {
    discard(d, t);
    throw err;
  }
  return 'ok';
}

// Internals

/** A local process that is not a GenServer would never answer: say so at once. */
function checkGenServer(server: ServerRef, fn: string): void {
  const rt = currentRuntime();
  const p = rt.localTarget(server);
  if (p !== undefined && p.fn !== serverMain) {
    throw new TraceError('ERR_BAD_ARG', `sys.${fn}: ${short(server)} is not a GenServer (it runs ${p.fn.name || 'an anonymous function'})`);
  }
}

function isRemote(server: ServerRef): boolean {
  const here = currentRuntime().node;
  return server instanceof Pid ? server.node !== here : Array.isArray(server) && (server as [string, NodeName])[1] !== here;
}

/** `['ok', state]` gives the state; `['error', err]` throws, naming the server. */
function outcome(answer: unknown, server: ServerRef): unknown {
  const [tag, value] = answer as [string, unknown];
  if (tag === 'ok') return value;
  const why = value instanceof Error ? `${value.name}: ${value.message}` : short(value);
  throw new TraceError('ERR_CALLBACK', `sys.replaceState: the function threw ${why}; the state of ${short(server)} is unchanged`, value);
}
