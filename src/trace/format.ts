/**
 * @module trace/format
 * Trace events as people read them: one line each, in the style of Erlang's `dbg`
 * (`(<0.104.0>) << hello`) and `:sys.trace` (`*DBG* counter got cast inc`), with terms
 * printed the way the prompt prints them.
 *
 *     (#PID<0.98.0>) call Foo.bar('Buzz')
 *     (#PID<0.98.0>) returned from Foo.bar/1 -> 'Hello, my name is FizzBuzz'
 *     (#PID<0.98.0>) returned from Foo.load/1 -> Promise { 42 }
 *     (#PID<0.98.0>) exception from Foo.bar/1 -> Error: boom
 *     (#PID<0.104.0>) << [ 'hello' ]
 *     (#PID<0.104.0>) #PID<0.105.0> ! [ 'pong', 'hello' ]
 *     (#PID<0.104.0>) spawn #PID<0.106.0> as healthCheck()
 *     (#PID<0.104.0>) exit 'normal'
 *     *DBG* ItemAccumulator got call 'listItems' from #PID<0.98.0>
 *     *DBG* ItemAccumulator sent [ 'apples' ] to #PID<0.98.0>, new state [ 'apples' ]
 */
import { inspect } from 'node:util';
import { Pid, Ref } from '../term.ts';
import type { ProcessEvent } from '../process/index.ts';
import type { SysEvent } from '../genserver/system.ts';

/** A call traced by `dbg.calls`: who called, what, with which arguments. */
export interface CallEvent {
  type: 'call';
  /** The calling process (undefined when the call came from outside any process). */
  pid: Pid | undefined;
  /** The object's name (`'Foo'` for `Foo.bar`); '' for a function traced by itself. */
  module: string;
  function: string;
  arity: number;
  args: unknown[];
  time: Date;
}

/** What a traced call gave back (`return: true`); `awaited` when it was a promise's value. */
export interface ReturnEvent {
  type: 'return';
  pid: Pid | undefined;
  module: string;
  function: string;
  arity: number;
  value: unknown;
  awaited?: true;
  time: Date;
}

/** What a traced call threw, or its promise rejected with (`awaited`). */
export interface ExceptionEvent {
  type: 'exception';
  pid: Pid | undefined;
  module: string;
  function: string;
  arity: number;
  error: unknown;
  awaited?: true;
  time: Date;
}

/** Every event a tracer handles: calls, process events (messages, spawns, exits) and servers' debug events. */
export type TraceEvent = CallEvent | ReturnEvent | ExceptionEvent | ProcessEvent | SysEvent;

// Client API

/** One event as one line. */
export function formatEvent(e: TraceEvent): string {
  switch (e.type) {
    case 'call':
      return `${who(e.pid)} call ${qualified(e.module, e.function)}(${e.args.map((a) => term(a)).join(', ')})`;
    case 'return':
      return `${who(e.pid)} returned from ${qualified(e.module, e.function)}/${e.arity} -> ${e.awaited ? `Promise { ${term(e.value)} }` : term(e.value)}`;
    case 'exception':
      return `${who(e.pid)} exception from ${qualified(e.module, e.function)}/${e.arity} -> ${e.awaited ? `Promise { <rejected> ${reason(e.error)} }` : reason(e.error)}`;
    case 'receive':
      return `${who(e.pid)} << ${term(e.msg)}`;
    case 'send':
      return `${who(e.pid)} ${term(e.to)} ! ${term(e.msg)}`;
    case 'spawn':
      return `${who(e.pid)} spawn ${e.child} as ${e.fn}()`;
    case 'exit':
      return `${who(e.pid)} exit ${reason(e.reason)}`;
    case 'sys':
      return `*DBG* ${e.name ?? String(e.pid)} ${sysText(e)}`;
  }
}

/** A term on one line, cut at `max` characters (an error in it shows as `Error: message`, without its stack). */
export function term(value: unknown, max = 200): string {
  const text = inspect(oneLine(value, 4), { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A short label for a message, as a sequence diagram shows it: GenServer envelopes by their meaning. */
export function messageLabel(msg: unknown): string {
  if (Array.isArray(msg)) {
    if (msg[0] === '$gen_call' && msg.length === 3) return `call ${term(msg[2], 60)}`;
    if (msg[0] === '$gen_cast' && msg.length === 2) return `cast ${term(msg[1], 60)}`;
    if (msg[0] === '$system' && msg.length === 3) return `sys ${term(msg[2], 60)}`;
    if (msg.length === 2 && msg[0] instanceof Ref) return `reply ${term(msg[1], 60)}`;
  }
  return term(msg, 60);
}

/** `Foo.bar`, or `bar` for a function traced by itself (module ''). */
export function qualified(module: string, fn: string): string {
  return module === '' ? fn : `${module}.${fn}`;
}

/** An exit reason or an error, short. */
export function reason(r: unknown): string {
  return r instanceof Error ? `${r.name}: ${r.message}` : term(r);
}

// Internals

/** `value` with its errors made to print on one line. */
function oneLine(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { [inspect.custom]: () => reason(value) };
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.some(hasError) ? value.map((v) => oneLine(v, depth - 1)) : value;
  if (Object.getPrototypeOf(value) !== Object.prototype || !Object.values(value).some(hasError)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, oneLine(v, depth - 1)]));
}

function hasError(v: unknown): boolean {
  return v instanceof Error || (Array.isArray(v) ? v.some(hasError) : v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).some(hasError));
}

function who(pid: Pid | undefined): string {
  return pid === undefined ? '(no process)' : `(${pid})`;
}

function sysText(e: SysEvent): string {
  switch (e.what) {
    case 'call':
      return `got call ${term(e.msg)} from ${term(e.from)}`;
    case 'cast':
      return `got cast ${term(e.msg)}`;
    case 'continue':
      return `continue ${term(e.msg)}`;
    case 'reply':
      return `sent ${term(e.value)} to ${term(e.to)}, new state ${term(e.state)}`;
    case 'state':
      return `new state ${term(e.state)}`;
    default:
      return `got ${term(e.msg)}`;
  }
}
