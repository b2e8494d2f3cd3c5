/**
 * @module genserver/system
 * The server side of OTP's `sys` for GenServers: requests that the generic loop answers
 * itself, without a callback, and the debug events of `sys.trace`.
 *
 * Protocol: a request is `['$system', [pid, ref], request]`, answered with `[ref, value]`
 * as a call is. Requests and answers:
 * ```
 * 'get_state'                          the state
 * ['replace_state', fn]                ['ok', fn(state)] (fn runs in the server), or ['error', err]
 * ['replace_state_if', expected, next] ['ok', next] if the state equals expected, else
 *                                      ['changed', state]: how a caller on another node
 *                                      (which cannot send a function) replaces it
 * ['trace', sink, id]                  the server's pid; from now on every message it handles
 *                                      is reported to sink as ['trace', id, event]
 * ['trace', false]                     the server's pid; the reports stop
 * ```
 * The server monitors the sink, so its reports stop when the sink is gone (its node
 * too); the monitor's DOWN is the loop's business, not `handleInfo`'s.
 *
 * Debug events, as `:sys.trace` prints them (`*DBG* name got call ... from pid`):
 * `{ type: 'sys', pid, name, what, ... }` with `what` one of 'call' (msg, from), 'cast'
 * (msg), 'info' (msg), 'continue' (msg) before a callback runs, and 'reply' (value, to,
 * state) or 'state' (state) after it.
 */
import { Pid, equal, type Ref } from '../term.ts';
import { sendEvent, type Process } from '../process/index.ts';
import type { From } from './types.ts';

/** Where a traced server reports: the sink, the trace's id there, and the monitor on the sink. */
export interface Debug {
  sink: Pid;
  id: number;
  ref: Ref;
}

/** What this module needs of a running server. */
export interface SysServer {
  state: unknown;
  readonly proc: Process;
  debug: Debug | null;
}

/** A debug event of a traced server. */
export type SysEvent = { type: 'sys'; pid: Pid; name?: string; what: string; time: Date } & Record<string, unknown>;

// Callbacks side

/** Answers one system request. */
export function handleSystem(s: SysServer, from: From, request: unknown): void {
  const answer = (value: unknown): void => void s.proc.rt.send(from[0], [from[1], value], s.proc);
  if (request === 'get_state') return answer(s.state);
  if (!Array.isArray(request)) return answer(['error', ['unknown_system_request', request]]);
  switch (request[0]) {
    case 'replace_state':
      if (typeof request[1] !== 'function') break;
      try {
        const next = request[1](s.state);
        if (next !== null && typeof (next as PromiseLike<unknown>)?.then === 'function') {
          return answer(['error', new TypeError('the function given to replaceState returned a promise; it must return the new state')]);
        }
        s.state = next;
        return answer(['ok', next]);
      } catch (err) {
        return answer(['error', err]);
      }
    case 'replace_state_if':
      if (!equal(s.state, request[1])) return answer(['changed', s.state]);
      s.state = request[2];
      return answer(['ok', s.state]);
    case 'trace':
      if (s.debug !== null) s.proc.rt.demonitor(s.proc, s.debug.ref);
      s.debug = request[1] instanceof Pid ? { sink: request[1], id: Number(request[2]), ref: s.proc.rt.monitor(s.proc, request[1]) } : null;
      return answer(s.proc.pid);
  }
  answer(['error', ['unknown_system_request', request]]);
}

/** True when `msg` is the DOWN of the sink's monitor (the reports stop). */
export function sinkDown(s: SysServer, msg: unknown[]): boolean {
  if (s.debug === null || msg[0] !== 'DOWN' || msg.length !== 5 || !s.debug.ref.equals(msg[1])) return false;
  s.debug = null;
  return true;
}

/** Reports one debug event of a traced server. */
export function report(s: SysServer, what: string, fields: Record<string, unknown>): void {
  const p = s.proc;
  const event: SysEvent = { type: 'sys', pid: p.pid, what, time: new Date(), ...fields };
  if (p.name !== undefined) event.name = p.name;
  sendEvent(p, s.debug!.sink, ['trace', s.debug!.id, event]);
}
