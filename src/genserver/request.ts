/**
 * @module genserver/request
 * The client side of a request to a server: a call, a stop, or a `sys` request to its
 * loop. The caller monitors the server under the request's ref, sends, and waits for
 * the answer, the server's DOWN or its time (see `call-timers.ts`), whichever comes
 * first; errors name the function that made the request (`GenServer.call`,
 * `sys.getState`) as Elixir's exits do.
 */
import { Pid, Ref, _, equal, isNameAtNode, short, type NodeName } from '../term.ts';
import { currentProcess, inProcess, isServiceName, nameService, ProcessError, ReceiveError, type Process, type Runtime } from '../process/index.ts';
import { GenServerError, exitError } from './errors.ts';
import { CALL_TIMEOUT, startWaiting, stopWaiting } from './call-timers.ts';
import type { ServerRef } from './types.ts';

/** Who makes a request, as errors name it: `['GenServer', 'call']`, `['sys', 'getState']`. */
export type Caller = readonly [module: string, fn: string];
export const CALL: Caller = ['GenServer', 'call'];
export const CAST: Caller = ['GenServer', 'cast'];
export const STOP: Caller = ['GenServer', 'stop'];
export const WHEREIS: Caller = ['GenServer', 'whereis'];

// Client API

/**
 * A request for the generic part of `server`, the loop itself rather than a callback:
 * what `sys.getState`, `sys.replaceState` and `sys.trace` send, as OTP's `sys` does
 * (`['$system', [pid, ref], request]`, answered with `[ref, value]`). It waits and
 * fails as `call` does; its errors name `sys.<fn>` called with `shown`.
 */
export function system(server: ServerRef, request: unknown, timeout: number, fn: string, shown: unknown[]): Promise<unknown> {
  const p = currentProcess();
  if (p === null || p === p.rt.defaultProcess) return inProcess(() => system(server, request, timeout, fn, shown));
  return callFrom(p, server, request, timeout, ['sys', fn], shown);
}

const BUSY =
  'this process is already waiting (in receive or another call): a process makes one call at a time; ' +
  'await the first, or make the second from another process';

/** Sends `request` from `p` (as `['$gen_call', from, request]`, or `'$system'` for sys) and waits for the answer. */
export async function callFrom(
  p: Process, server: ServerRef, request: unknown, timeout: number, caller: Caller, shown: readonly unknown[] = [server, request, timeout],
): Promise<unknown> {
  const [target, ref] = begin(p, caller, server, timeout, shown);
  sendRequest(p, target, ref, [caller === CALL ? '$gen_call' : '$system', [p.pid, ref], request]);
  const wait = timeout === Infinity ? null : startWaiting(p, ref, timeout);
  let answer: unknown[];
  try {
    answer = (await p.receive(answerTo(ref), Infinity)) as unknown[];
  } finally {
    if (wait !== null) stopWaiting(wait);
  }
  if (answer.length === 2 && answer[0] !== CALL_TIMEOUT) {
    if (!p.rt.demonitor(p, ref)) p.remove(['DOWN', ref, _, _, _]);
    return answer[1];
  }
  if (answer[0] === CALL_TIMEOUT) {
    p.rt.demonitor(p, ref, true);
    throw exitError('timeout', caller, shown);
  }
  throw exitError(answer[4], caller, shown);
}

/** Asks the server to stop with `reason` and waits for its DOWN. */
export async function stopFrom(p: Process, server: ServerRef, reason: unknown, timeout: number): Promise<'ok'> {
  const args: [ServerRef, unknown, number] = [server, reason, timeout];
  const [target, ref] = begin(p, STOP, server, timeout, args);
  sendRequest(p, target, ref, ['$gen_stop', reason]);
  const down = (await p.receive(['DOWN', ref, 'process', _, _], timeout)) as unknown[] | symbol;
  if (!Array.isArray(down)) {
    p.rt.demonitor(p, ref, true);
    throw exitError('timeout', STOP, args);
  }
  const why = down[4];
  if (equal(why, reason)) return 'ok';
  throw exitError(why, STOP, args);
}

// Internals

/**
 * What a request begins with (`args`: how errors show the call): checks, the cases
 * that fail at once, and the monitor; gives the target and the ref.
 */
function begin(p: Process, fn: Caller, server: ServerRef, timeout: number, args: readonly unknown[]): [Pid | readonly [string, NodeName], Ref] {
  checkServer(server, fn);
  checkTimeout(timeout, fn);
  const target = resolve(p.rt, server);
  if (target === undefined) throw exitError('noproc', fn, args);
  if (target instanceof Pid && target.equals(p.pid)) throw exitError('calling_self', fn, args);
  if (p.waiting) throw new ReceiveError('ERR_ALREADY_RECEIVING', BUSY);
  return [target, monitorServer(p, target, fn, args)];
}

/** Sends the request of a call or stop; if it cannot go (a term the wire refuses), drops the monitor first. */
function sendRequest(p: Process, target: Pid | readonly [string, NodeName], ref: Ref, msg: unknown): void {
  try {
    p.rt.send(target, msg, p);
  } catch (err) {
    p.rt.demonitor(p, ref, true);
    throw err;
  }
}

/**
 * A receive pattern for the answer to the call tagged `ref`: the reply, the DOWN or the
 * timeout. (An anonymous arrow on purpose: tsx keeps function names by wrapping named
 * functions in a helper call, which would cost every call.)
 */
function answerTo(ref: Ref): (msg: unknown) => boolean {
  return (msg) => {
    if (!Array.isArray(msg)) return false;
    if (msg.length === 2) return msg[0] === CALL_TIMEOUT ? msg[1] === ref : sameRef(msg[0], ref);
    return msg.length === 5 && msg[0] === 'DOWN' && sameRef(msg[1], ref);
  };
}

function sameRef(x: unknown, ref: Ref): boolean {
  return x === ref || ref.equals(x);
}

function monitorServer(p: Process, target: Pid | readonly [string, NodeName], fn: Caller, args: readonly unknown[]): Ref {
  try {
    return p.rt.monitor(p, target as Pid | [string, NodeName]);
  } catch (err) {
    if (err instanceof ProcessError && err.code === 'ERR_NOT_DISTRIBUTED') {
      throw exitError(['nodedown', target instanceof Pid ? target.node : target[1]], fn, args);
    }
    throw err;
  }
}

/** The pid of a local name (undefined when nobody has it); pids and remote names as given. */
export function resolve(rt: Runtime, server: ServerRef): Pid | readonly [string, NodeName] | undefined {
  if (server instanceof Pid) return server;
  if (typeof server === 'string') return rt.whereis(server);
  if (isServiceName(server)) return nameService(server[0]).whereis(server[1]);
  return server[1] === rt.node ? rt.whereis(server[0]) : server;
}

export function checkServer(server: unknown, caller: Caller): asserts server is ServerRef {
  if (server instanceof Pid || (typeof server === 'string' && server !== '')) return;
  if (isNameAtNode(server)) return;
  throw new GenServerError('ERR_BAD_ARG', `${caller.join('.')} expects a pid, a registered name, [name, node] or ['global', name]. Got: ${short(server)}`);
}

function checkTimeout(timeout: unknown, caller: Caller): void {
  if (typeof timeout === 'number' && timeout >= 0) return;
  throw new GenServerError('ERR_BAD_ARG', `${caller.join('.')} expects a timeout in ms (>= 0, or Infinity). Got: ${short(timeout)}`);
}
