/**
 * @module trace/messages
 * Message tracing, Erlang's `dbg:p(Pid, [m, p])`: what one process sends and receives,
 * the processes it spawns and how it ends, on this node or another, printed above the
 * prompt that asked:
 *
 *     (#PID<12.104.0>) << [ #PID<0.98.0>, 'hello' ]
 *     (#PID<12.104.0>) #PID<0.98.0> ! [ 'pong', 'hello' ]
 *     (#PID<12.104.0>) exit 'normal'
 *
 * An agent on the traced process's node holds the trace (`process/trace-agent.ts`);
 * for a process of another node it is started by a TRACE control message, and answers
 * through the ordinary message path. Tracing a process that is gone, or on a node that
 * cannot be reached, is a one-line error.
 */
import { Pid, type NodeName } from '../term.ts';
import { PROCS, RECEIVE, SEND, TIMEOUT, currentProcess, inProcess, startTraceAgent, type Process, type Runtime } from '../process/index.ts';
import { checkLimit } from './calls.ts';
import { term } from './format.ts';
import { TraceError, dbgOf, discard, open, owner, watch, type Dbg, type Handler, type Trace } from './tracer.ts';

export interface MessagesOptions {
  /** Report what it sends (default true). */
  send?: boolean;
  /** Report what arrives in its mailbox (default true). */
  receive?: boolean;
  /** Report the processes it spawns and its exit (default true). */
  procs?: boolean;
  /** Keep the events for `dbg.playback()`. */
  record?: boolean;
  /** Gets the events instead of the prompt: a function (run in the tracer), or a pid. */
  handler?: Handler;
}

/** How long the node of a remote process may take to answer a trace request. */
const ANSWER_MS = 5000;

// Client API

/** Traces the messages of `target` (see `dbg.messages`); resolves once the trace is on. */
export async function traceMessages(target: unknown, limit: unknown, opts: MessagesOptions = {}): Promise<'ok'> {
  const max = checkLimit(limit, 'dbg.messages', 'events');
  const flags = checkOptions(opts);
  const by = owner('dbg.messages');
  const d = dbgOf(by.rt);
  const where = place(d.rt, target);
  const trace = open(d, by, { kind: 'messages', what: describeTarget(target), limit: max, returns: false, handler: opts.handler ?? null, record: opts.record === true });
  try {
    const agent = where === 'remote' ? await askRemote(d, trace, target as Pid | [string, NodeName], flags) : startLocal(d, trace, where, flags);
    if (!d.traces.has(trace.id)) return 'ok'; // ended (dbg.stop) while it started
    trace.undo = () => d.rt.route(agent, 'stop', null);
    watch(d, trace, agent, ': its agent ended');
    if (opts.handler instanceof Pid) watch(d, trace, opts.handler, `: its handler ${opts.handler} exited`);
  } catch (err) {
    discard(d, trace);
    throw err;
  }
  return 'ok';
}

// Internals

/** The local process a target names, or 'remote'; throws for what names no process. */
function place(rt: Runtime, target: unknown): Process | 'remote' {
  const isPair = Array.isArray(target) && target.length === 2 && typeof target[0] === 'string' && typeof target[1] === 'string';
  if (!(target instanceof Pid) && typeof target !== 'string' && !isPair) {
    throw new TraceError('ERR_BAD_ARG', `dbg.messages expects a pid, a registered name or [name, node]. Got: ${term(target)}`);
  }
  if ((target instanceof Pid && target.node !== rt.node) || (isPair && (target as string[])[1] !== rt.node)) return 'remote';
  const p = rt.localTarget(target);
  if (p === undefined) throw new TraceError('ERR_NOPROC', `dbg.messages: no process ${describeTarget(target)}: it is not alive, or the name is not registered`);
  return p;
}

function startLocal(d: Dbg, trace: Trace, p: Process, flags: number): Pid {
  trace.target = p.pid;
  const started = startTraceAgent(d.rt, p.pid, { replyTo: d.tracer!.pid, ref: d.rt.makeRef(), tracer: d.tracer!.pid, id: trace.id, flags, limit: trace.limit });
  if (started === 'not_traceable') throw notTraceable(trace);
  if (started === 'noproc') throw new TraceError('ERR_NOPROC', `dbg.messages: no process ${trace.what}`);
  return started;
}

/**
 * Asks the target's node to trace it, from a short-lived process that monitors the
 * target meanwhile: the answer, or a DOWN ('noproc': no such process; 'noconnection':
 * the node cannot be reached), whichever comes first.
 */
function askRemote(d: Dbg, trace: Trace, target: Pid | [string, NodeName], flags: number): Promise<Pid> {
  const node = target instanceof Pid ? target.node : target[1];
  return inProcess(async function traceRequest() {
    const me = currentProcess()!;
    const ref = d.rt.monitor(me, target);
    d.rt.traceRemote(target, { replyTo: me.pid, ref, tracer: d.tracer!.pid, id: trace.id, flags, limit: trace.limit });
    const answer = (await me.receive((m: unknown) => Array.isArray(m) && ref.equals(m.length === 2 ? m[0] : m[1]), ANSWER_MS)) as unknown[] | typeof TIMEOUT;
    d.rt.demonitor(me, ref, true);
    if (answer === TIMEOUT) throw new TraceError('ERR_TIMEOUT', `dbg.messages: ${node} did not answer within ${ANSWER_MS} ms`);
    const [what, why] = answer.length === 2 ? [answer[1], answer[1]] : ['down', answer[4]];
    if (Array.isArray(what) && what[0] === 'ok' && what[1] instanceof Pid) return what[1];
    if (why === 'not_traceable') throw notTraceable(trace);
    if (why === 'noconnection') throw new TraceError('ERR_NODEDOWN', `dbg.messages: cannot reach ${node} to trace ${trace.what}`);
    throw new TraceError('ERR_NOPROC', `dbg.messages: no process ${trace.what}: it is not alive, or the name is not registered`);
  }, { runtime: d.rt });
}

function checkOptions(opts: unknown): number {
  const o = opts as MessagesOptions;
  const ok =
    typeof opts === 'object' && opts !== null &&
    (o.handler === undefined || typeof o.handler === 'function' || o.handler instanceof Pid);
  if (!ok) {
    throw new TraceError('ERR_BAD_ARG', `dbg.messages expects options { send?, receive?, procs?, record?, handler?: function or pid }. Got: ${term(opts)}`);
  }
  const flags = (o.send === false ? 0 : SEND) | (o.receive === false ? 0 : RECEIVE) | (o.procs === false ? 0 : PROCS);
  if (flags === 0) throw new TraceError('ERR_BAD_ARG', 'dbg.messages: with send, receive and procs all false there is nothing to trace');
  return flags;
}

function notTraceable(trace: Trace): TraceError {
  return new TraceError('ERR_NOT_TRACEABLE', `dbg.messages: ${trace.what} is part of the tracing machinery and cannot be traced`);
}

function describeTarget(target: unknown): string {
  if (target instanceof Pid) return String(target);
  return Array.isArray(target) ? `${target[0]} on ${target[1]}` : String(target);
}
