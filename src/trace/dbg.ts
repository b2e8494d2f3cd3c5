/**
 * @module trace/dbg
 * Tracing at the prompt, after Erlang's `dbg` and the safeguards of the seed's
 * SmartTracer (and of recon_trace): see what functions are called with and give back,
 * and what messages a process sends and gets, on this node or another.
 *
 * Safety is part of the API:
 * - Every trace needs a limit, and stops by itself when it is reached, saying so:
 *   `dbg: trace of Foo.bar stopped at its limit (5 calls)`.
 * - Every trace belongs to the process that started it (the shell, at the prompt): it
 *   ends when that process does. One tracer process per node receives the events; it is
 *   linked to those owners, and vanishes when its last trace ends.
 * - `dbg.stop()` ends every trace at once.
 *
 * Structure (see `tracer.ts`):
 *
 *     [shell] --link-- [tracer] <-- call wrappers, breakpoints (this node)
 *                          ^   <-- [agent] <-- the traced process (any node)
 *                          |   <-- a GenServer under sys.trace (any node)
 *                          +--> the prompt, the record, or the trace's handler
 *
 * @example
 * iex(bob)> const Foo = { bar(name) { return 'Hello, my name is ' + name } }
 * iex(bob)> dbg.calls('Foo.bar', 2, { return: true })
 * 1
 * iex(bob)> Foo.bar('Buzz')
 * 'Hello, my name is Buzz'
 * (#PID<0.98.0>) call Foo.bar('Buzz')
 * (#PID<0.98.0>) returned from Foo.bar/1 -> 'Hello, my name is Buzz'
 * iex(bob)> dbg.stop()
 * 'ok'
 */
import type { TraceEvent } from './format.ts';
import { traceCalls, type CallsOptions } from './calls.ts';
import { traceMessages, type MessagesOptions } from './messages.ts';
import { clear, dbgOf } from './tracer.ts';

export type { CallsOptions } from './calls.ts';
export type { MessagesOptions } from './messages.ts';
export type { TraceEvent, CallEvent, ReturnEvent, ExceptionEvent } from './format.ts';
export { TraceError, type Handler } from './tracer.ts';

/** A running trace, as `dbg.traces()` lists it. */
export interface TraceInfo {
  id: number;
  kind: 'calls' | 'messages' | 'sys';
  what: string;
  /** Calls (calls) or events (messages) so far. */
  count: number;
  limit: number;
}

// Client API

/**
 * Traces calls of a function: `'Foo.bar'`, every function of an object (`'Foo.*'`),
 * `[object, 'name']`, or a function itself. The limit (calls) is required. Options:
 * `return` (also what each call gives back, an awaited promise's value, or what it
 * throws), `record` (keep the events for `playback()`), `handler` (a function or a pid
 * gets the events instead of the prompt), `scope: 'local'` (watch the function itself,
 * so calls by name inside its own code are seen too). Gives how many functions it traces.
 *
 * @example
 * iex(bob)> const Greeter = { hello(name) { return 'Hello ' + name } }
 * iex(bob)> dbg.calls('Greeter.hello', 1, { record: true })
 * 1
 * iex(bob)> Greeter.hello('Ann')
 * 'Hello Ann'
 * (#PID<0.98.0>) call Greeter.hello('Ann')
 * dbg: trace of Greeter.hello stopped at its limit (1 call)
 * iex(bob)> dbg.playback().map((e) => [e.type, e.function, e.args])
 * [ [ 'call', 'hello', [ 'Ann' ] ] ]
 */
export function calls(target: unknown, limit: number, opts?: CallsOptions): number {
  return traceCalls(target, limit, opts);
}

/**
 * Traces a process's messages (what it sends, what arrives in its mailbox) and its
 * spawns and exit, on this node or another: a pid, a registered name or `[name, node]`.
 * The limit (events) is required; options `send`, `receive`, `procs` (each true by
 * default), `record` and `handler` as for `calls`.
 *
 * @example
 * iex(bob)> const echo = spawn(async () => { const [from, x] = await receive(); send(from, x) })
 * iex(bob)> await dbg.messages(echo, 5)
 * 'ok'
 * iex(bob)> send(echo, [self(), 'hi'])
 * [ #PID<0.98.0>, 'hi' ]
 * (#PID<0.105.0>) << [ #PID<0.98.0>, 'hi' ]
 * (#PID<0.105.0>) #PID<0.98.0> ! 'hi'
 * (#PID<0.105.0>) exit 'normal'
 * dbg: trace of #PID<0.105.0> stopped: the process exited
 */
export function messages(target: unknown, limit: number, opts?: MessagesOptions): Promise<'ok'> {
  return traceMessages(target, limit, opts);
}

/**
 * The events of traces started with `record: true`, oldest first. The record outlives
 * the traces that filled it; `stop()` empties it.
 */
export function playback(): TraceEvent[] {
  return dbgOf().record.slice();
}

/**
 * The traces running on this node.
 *
 * @example
 * iex(bob)> dbg.traces()
 * []
 */
export function traces(): TraceInfo[] {
  return [...dbgOf().traces.values()].map(({ id, kind, what, count, limit }) => ({ id, kind, what, count, limit }));
}

/**
 * Ends every trace of this node (calls, messages, sys traces) and empties the record.
 *
 * @example
 * iex(bob)> dbg.stop()
 * 'ok'
 */
export function stop(): 'ok' {
  clear(dbgOf());
  return 'ok';
}
