/**
 * @module trace/tracer
 * The tracer: one process per node that receives every trace event the node asked for
 * (function calls, a process's messages, a server's `sys.trace`) and hands each to its
 * trace's handler, or prints it above the prompt (log level 'trace'). The structure
 * carries the safeguards of the seed's library and of recon_trace:
 *
 *     [shell] --link-- [tracer] <--['trace', id, event]-- [call wrapper | agent | server]
 *                          |
 *                          +--> print, record, or the trace's handler (a function or a pid)
 *
 * - The tracer is linked to every process that started one of its traces (the shell,
 *   at the prompt) and traps exits: when one of them ends, its traces end with it, so
 *   nothing is left tracing behind a shell that is gone.
 * - A trace stops by itself at its limit, and says so. A handler that throws ends its own
 *   trace, not the tracer: the others go on.
 * - The tracer ends, always normally, when its last trace does; the next trace starts a
 *   new one. `clear` undoes everything at once, including the record.
 * - The record (`record: true`) belongs to the node, not to the tracer: it can be played
 *   back after the trace that filled it has stopped.
 */
import { Pid, type Ref } from '../term.ts';
import { ProcessError, currentProcess, currentRuntime, markTracer, sendEvent, type Process, type Runtime } from '../process/index.ts';
import { CodedError } from '../errors.ts';
import { formatEvent, reason, type TraceEvent } from './format.ts';

/** What gets a trace's events instead of the prompt: a function (run in the tracer) or a pid (sent `['trace', event]`). */
export type Handler = ((event: TraceEvent) => unknown) | Pid;

/** One running trace, as the tracer keeps it. */
export interface Trace {
  readonly id: number;
  readonly kind: 'calls' | 'messages' | 'sys';
  /** What is traced, as notices name it: 'Foo.bar', '#PID<0.87.0>', 'ItemAccumulator'. */
  readonly what: string;
  /** The process that started it: the trace ends when that process does. */
  readonly owner: Pid;
  /** How many calls (calls) or events (messages) it may report; Infinity for sys. */
  readonly limit: number;
  /** Calls or events seen so far. */
  count: number;
  /** Calls whose return is still to come (calls traced with `return: true`). */
  open: number;
  readonly returns: boolean;
  readonly handler: Handler | null;
  readonly record: boolean;
  /** The traced process or server, once known. */
  target?: Pid;
  /** Monitors that end the trace when they fire (the agent, the server, a pid handler): ref key to why. */
  readonly watches: Map<string, string>;
  /** Undoes what the trace set up (functions restored, agent stopped, server told). */
  undo(): void;
}

/** What a new trace is made of; the tracer fills in the rest. */
export type TraceSpec = Pick<Trace, 'kind' | 'what' | 'limit' | 'returns' | 'handler' | 'record'> & { undo?: () => void };

/** The tracing state of one node. */
export class Dbg {
  tracer: Process | null = null;
  readonly traces = new Map<number, Trace>();
  record: TraceEvent[] = [];
  nextId = 1;

  constructor(readonly rt: Runtime) {}
}

/** What a bad trace request fails with; for ERR_CALLBACK, `reason` is what the function threw. */
export class TraceError extends CodedError<
  'ERR_NO_LIMIT' | 'ERR_BAD_ARG' | 'ERR_NOT_TRACEABLE' | 'ERR_ALREADY_TRACED' | 'ERR_NOPROC' | 'ERR_NODEDOWN' | 'ERR_TIMEOUT' | 'ERR_CALLBACK' | 'ERR_CONFLICT'
> {}

const states = new WeakMap<Runtime, Dbg>();

// Client API

/** The tracing state of the calling code's node. */
export function dbgOf(rt: Runtime = currentRuntime()): Dbg {
  let d = states.get(rt);
  if (d === undefined) states.set(rt, (d = new Dbg(rt)));
  return d;
}

/** The process that starts a trace (and whose end ends it): the caller, or the shell at the prompt. */
export function owner(what: string): Process {
  const p = currentProcess();
  if (p === null) throw new ProcessError('ERR_NO_PROCESS', `${what} must be called inside a process (or at the prompt)`);
  return p;
}

/**
 * Opens a trace started by `by`: the tracer (started if none runs) links to `by` and
 * takes the trace's events from now on. Gives the trace, whose `id` the event sources use.
 */
export function open(d: Dbg, by: Process, spec: TraceSpec): Trace {
  const tracer = (d.tracer ??= startTracer(d));
  d.rt.link(tracer, by.pid);
  const trace: Trace = { ...spec, id: d.nextId++, owner: by.pid, count: 0, open: 0, watches: new Map(), undo: spec.undo ?? (() => {}) };
  d.traces.set(trace.id, trace);
  return trace;
}

/** Ends the trace a moment after it opened, when setting it up failed: no notice. */
export function discard(d: Dbg, trace: Trace): void {
  d.traces.delete(trace.id);
  trace.undo();
}

/** Has the tracer watch `pid`: when it ends, so does the trace, saying `why` (`%r`: the exit reason). */
export function watch(d: Dbg, trace: Trace, pid: Pid, why: string): void {
  if (d.tracer === null) return;
  trace.watches.set(d.rt.monitor(d.tracer, pid).key, why);
}

/** Ends one trace now, with a notice when `why` is given. */
export function finish(d: Dbg, trace: Trace, why?: string): void {
  if (!d.traces.delete(trace.id)) return;
  trace.undo();
  if (why !== undefined) d.rt.log('trace', `dbg: ${trace.kind === 'sys' ? 'sys trace' : 'trace'} of ${trace.what} stopped${why}`);
}

/** Ends every trace of this node and empties the record. */
export function clear(d: Dbg): void {
  for (const trace of [...d.traces.values()]) finish(d, trace);
  d.record = [];
  const tracer = d.tracer;
  d.tracer = null;
  if (tracer !== null) d.rt.route(tracer.pid, 'stop', null);
}

// Internals

function startTracer(d: Dbg): Process {
  const [pid] = d.rt.spawn(dbgTracer, [d], null);
  return d.rt.local(pid)!;
}

/** The tracer's body: one message at a time until no trace is left. */
async function dbgTracer(d: Dbg): Promise<void> {
  const me = currentProcess()!;
  markTracer(me);
  me.trap = true;
  for (;;) {
    const msg = await me.receive(undefined, Infinity);
    if (msg === 'stop' || d.tracer !== me) return;
    try {
      handle(d, me, msg);
    } catch (err) {
      d.rt.log('error', `dbg: the tracer could not handle ${String(msg)}: ${reason(err)}`);
    }
    if (d.traces.size === 0) {
      d.tracer = null;
      return;
    }
  }
}

function handle(d: Dbg, me: Process, msg: unknown): void {
  if (!Array.isArray(msg)) return;
  if (msg[0] === 'trace' && msg.length === 3) {
    const trace = d.traces.get(msg[1] as number);
    if (trace !== undefined) deliver(d, me, trace, msg[2] as TraceEvent);
  } else if (msg[0] === 'EXIT' && msg[1] instanceof Pid) {
    for (const trace of [...d.traces.values()]) {
      if (trace.owner.equals(msg[1])) finish(d, trace, `: ${msg[1]}, which started it, exited`);
    }
  } else if (msg[0] === 'DOWN' && msg.length === 5) {
    const key = (msg[1] as Ref).key;
    for (const trace of [...d.traces.values()]) {
      const why = trace.watches.get(key);
      if (why === undefined) continue;
      if (msg[4] === 'noconnection') finish(d, trace, `: ${(msg[3] as Pid).node} went down`);
      else finish(d, trace, msg[4] === 'replaced' ? ': a newer trace of the process replaced it' : why);
    }
  } else if (msg[0] === 'handler_failed') {
    const trace = d.traces.get(msg[1] as number);
    if (trace !== undefined) finish(d, trace, `: its handler threw ${reason(msg[2])}`);
  }
}

/** One event of `trace`: count it, record it, hand it over or print it; stop at the limit. */
function deliver(d: Dbg, me: Process, trace: Trace, event: TraceEvent): void {
  if (trace.kind === 'calls') {
    if (event.type === 'call') {
      trace.count++;
      if (trace.returns) trace.open++;
    } else {
      trace.open--;
    }
  } else if (trace.kind === 'messages') {
    trace.count++;
    trace.target ??= event.pid;
  }
  if (trace.record) d.record.push(event);
  const handler = trace.handler;
  if (handler instanceof Pid) {
    sendEvent(me, handler, ['trace', event]);
  } else if (handler !== null) {
    try {
      const out = handler(event);
      if (out !== null && typeof (out as PromiseLike<unknown>)?.then === 'function') {
        (out as PromiseLike<unknown>).then(undefined, (err) => d.rt.route(me.pid, ['handler_failed', trace.id, err], null));
      }
    } catch (err) {
      return finish(d, trace, `: its handler threw ${reason(err)}`);
    }
  } else {
    d.rt.log('trace', formatEvent(event));
  }
  if (trace.kind === 'messages' && event.type === 'exit' && trace.target?.equals(event.pid)) {
    finish(d, trace, ': the process exited');
  } else if (trace.count >= trace.limit && trace.open <= 0) {
    finish(d, trace, ` at its limit (${trace.limit} ${trace.kind === 'calls' ? 'call' : 'event'}${trace.limit === 1 ? '' : 's'})`);
  }
}
