/**
 * @module process/trace
 * Tracing inside the runtime, after Erlang's `erlang:trace/3` and `seq_trace`: what a
 * traced process reports, and the token a sequential trace passes along with messages.
 *
 * Hooks. The runtime reports to a process's `trace` at five points, each behind one
 * `trace !== null` check, so an untraced process pays a field load and nothing more:
 *
 *     send      Runtime.send         the sender     'send' event; the token goes along
 *     arrival   Mailbox.push         the receiver   'receive' event
 *     taken     Mailbox.take, drain  the receiver   the token is taken up, or cleared
 *     spawn     Runtime.spawn        the parent     'spawn' event; the child inherits the token
 *     exit      Runtime.terminate    the process    'exit' event
 *
 * Message traces (`dbg.messages`). A process traced for sends, receives and/or procs
 * (spawns and exits) reports each such event as `['trace', id, event]` to its sink, a
 * local agent process (`trace-agent.ts`) that forwards it to the tracer that asked, on
 * this node or another. The limit is counted here, in the traced process: when it is
 * reached the flags go off at once, so a process that sends a million messages
 * reports `limit` of them and not one more.
 *
 * Sequential traces (`seqTrace`). A token `[label, collector, deadline, prev, curr,
 * from]` rides with every message a tokened process sends (to other nodes too, in
 * SEND_TT frames; untraced frames do not change). The receiver takes the token up when
 * it takes that message out of its mailbox; taking a message without one clears it; a
 * new process inherits its parent's. Every send, take and spawn is reported to the
 * collector as `['seq_trace', label, event]`. Serials are Erlang's: each process keeps
 * two counters; a send does `curr += 1` and stamps `[prev, curr]` on the token, a take
 * does `curr = max(curr, token's curr)` and `prev = token's curr`. Every message thus
 * has a larger `curr` than the messages that caused it: sorting by it is a causal order.
 * A token past its deadline is dropped at the next send, so a trace cannot outlive it.
 *
 * Which message carried a token is known by identity: the receiver's trace keeps
 * `[msg, token]` pairs as they arrive and matches the message taken with `Object.is`.
 * Two equal primitive messages (two `'ping'`s, one with a token) may swap tokens;
 * arrays and objects, the usual messages, cannot.
 */
import { inspect } from 'node:util';
import { Pid, Ref, type NodeName } from '../term.ts';
import type { Mailbox, MailboxTrace } from './mailbox.ts';

/**
 * A process as tracing sees it: the runtime's `Process` is one. (Described here, not
 * imported, so that the runtime can import this module and no import goes round.)
 */
export interface Process extends Mailbox {
  readonly pid: Pid;
  readonly fn: Function;
  readonly name: string | undefined;
  trace: ProcessTrace | null;
  readonly rt: {
    readonly node: NodeName;
    route(dest: unknown, msg: unknown, from: Process | null): unknown;
    localTarget(dest: unknown): Process | undefined;
    sendTokened(dest: Pid | [string, NodeName], msg: unknown, from: Process, token: SeqToken): void;
    local(pid: Pid): Process | undefined;
  };
}

/** What a message trace reports: flags, as `dbg.messages` options name them. */
export const SEND = 1;
export const RECEIVE = 2;
export const PROCS = 4;

/** A sequential trace's token: `[label, collector, deadline (ms since 1970), prev, curr, from]`. */
export type SeqToken = readonly [label: string, collector: Pid, deadline: number, prev: number, curr: number, from: Pid];

/** An event of a message trace, as the sink gets it in `['trace', id, event]`. */
export type ProcessEvent =
  | { type: 'send'; pid: Pid; to: unknown; msg: unknown; time: Date }
  | { type: 'receive'; pid: Pid; msg: unknown; time: Date }
  | { type: 'spawn'; pid: Pid; child: Pid; fn: string; time: Date }
  | { type: 'exit'; pid: Pid; reason: unknown; time: Date };

/**
 * An event of a sequential trace, as the collector gets it in `['seq_trace', label, event]`.
 * Besides sends, receives (a take) and spawns: 'arrived', a tokened message put in a
 * mailbox to wait there (one taken at once reports its receive only), and 'dropped', one
 * that found no process. With those the collector knows when nothing is in flight.
 */
export type SeqEvent =
  | { type: 'send'; serial: [number, number]; from: Pid; name?: string; to: unknown; msg: unknown; time: number }
  | { type: 'receive'; serial: [number, number]; from: Pid; to: Pid; name?: string; msg: unknown; time: number }
  | { type: 'spawn'; serial: [number, number]; from: Pid; name?: string; to: Pid; fn: string; time: number }
  | { type: 'arrived' | 'dropped'; serial: [number, number]; from: Pid; time: number };

/** The trace state of one process: its message trace, its token, the tokens on their way to it. */
export class ProcessTrace implements MailboxTrace {
  flags = 0;
  sink: Pid | null = null;
  id = 0;
  /** Events the message trace may still report. */
  remaining = 0;
  token: SeqToken | null = null;
  prev = 0;
  curr = 0;
  /** Messages that arrived with a token and wait in the mailbox, oldest first. */
  carried: Array<[unknown, SeqToken]> | null = null;

  constructor(readonly proc: Process) {}

  // Hooks

  /** The process sends `msg` to `dest`: report it, pass the token along, deliver. */
  send(dest: unknown, msg: unknown): unknown {
    const p = this.proc;
    if (this.flags & SEND) this.report({ type: 'send', pid: p.pid, to: dest, msg, time: new Date() });
    const token = this.token === null ? null : this.nextToken('send', dest, msg);
    if (token === null) return p.rt.route(dest, msg, p);
    const local = p.rt.localTarget(dest);
    if (local !== undefined) carry(local, msg, token);
    else if (isRemote(dest, p.rt.node)) p.rt.sendTokened(dest, msg, p, token);
    else {
      dropped(p.rt, token);
      return p.rt.route(dest, msg, p);
    }
    return msg;
  }

  /** A message arrives in the mailbox. */
  push(msg: unknown): void {
    const p = this.proc;
    if (this.flags & RECEIVE) this.report({ type: 'receive', pid: p.pid, msg, time: new Date() });
    if (p.put(msg)) return this.taken(msg);
    const last = this.carried?.at(-1);
    if (last !== undefined && Object.is(last[0], msg)) {
      const token = last[1];
      sendEvent(p, token[1], ['seq_trace', token[0], { type: 'arrived', serial: [token[3], token[4]], from: token[5], time: Date.now() }]);
    }
  }

  /** A message left the mailbox: take its token up, or drop ours if it had none. */
  taken(msg: unknown): void {
    const carried = this.carried;
    const i = carried === null ? -1 : carried.findIndex(([m]) => Object.is(m, msg));
    if (i < 0) {
      if (this.token !== null) this.token = null;
      return this.tidy();
    }
    const token = carried![i]![1];
    carried!.splice(i, 1);
    if (this.curr < token[4]) this.curr = token[4];
    this.prev = token[4];
    this.token = token;
    const p = this.proc;
    const event: SeqEvent = { type: 'receive', serial: [token[3], token[4]], from: token[5], to: p.pid, msg, time: Date.now() };
    if (p.name !== undefined) event.name = p.name;
    sendEvent(p, token[1], ['seq_trace', token[0], event]);
  }

  /** The process spawned `child`. */
  spawned(child: Process): void {
    const fn = child.fn.name || '(anonymous)';
    if (this.flags & PROCS) this.report({ type: 'spawn', pid: this.proc.pid, child: child.pid, fn, time: new Date() });
    if (this.token === null) return;
    const token = this.nextToken('spawn', child.pid, fn);
    if (token === null) return;
    const t = traceOf(child);
    t.token = token;
    t.prev = t.curr = token[4];
  }

  /** The process is ending with `reason`. */
  exited(reason: unknown): void {
    if (this.flags & PROCS) this.report({ type: 'exit', pid: this.proc.pid, reason, time: new Date() });
    this.proc.trace = null;
  }

  // Internals

  /** The token for the next message out, reported to the collector; null once past its deadline. */
  private nextToken(kind: 'send' | 'spawn', to: unknown, what: unknown): SeqToken | null {
    const [label, collector, deadline] = this.token!;
    if (Date.now() > deadline) {
      this.token = null;
      this.tidy();
      return null;
    }
    const p = this.proc;
    const curr = ++this.curr;
    const serial: [number, number] = [this.prev, curr];
    const time = Date.now();
    const event: SeqEvent =
      kind === 'send'
        ? { type: 'send', serial, from: p.pid, to, msg: what, time }
        : { type: 'spawn', serial, from: p.pid, to: to as Pid, fn: what as string, time };
    if (p.name !== undefined) event.name = p.name;
    sendEvent(p, collector, ['seq_trace', label, event]);
    return [label, collector, deadline, this.prev, curr, p.pid];
  }

  /** Reports a message-trace event to the sink; the flags go off at the limit or when the sink is gone. */
  private report(event: ProcessEvent): void {
    const sink = this.proc.rt.local(this.sink!);
    if (sink === undefined || --this.remaining <= 0) this.flags = 0;
    sink?.push(['trace', this.id, event]);
    if (this.flags === 0) this.tidy();
  }

  /** Forgets this state once it holds nothing (the process is untraced again). */
  tidy(): void {
    if (this.flags === 0 && this.token === null && (this.carried === null || this.carried.length === 0)) {
      this.sink = null;
      this.carried = null;
      if (this.proc.trace === this) this.proc.trace = null;
    }
  }
}

// Client API

/** The trace state of `p`, made if it has none. */
export function traceOf(p: Process): ProcessTrace {
  if (p.trace instanceof ProcessTrace) return p.trace;
  const t = new ProcessTrace(p);
  p.trace = t;
  return t;
}

/** Starts a message trace of `p`: up to `limit` events of `flags` go to `sink` as `['trace', id, event]`. */
export function setMessageTrace(p: Process, sink: Pid, id: number, flags: number, limit: number): void {
  const t = traceOf(p);
  t.sink = sink;
  t.id = id;
  t.flags = flags;
  t.remaining = limit;
}

/** Ends the message trace of `p` whose sink is `sink` (a newer one, with another sink, stays). */
export function clearMessageTrace(p: Process, sink: Pid): void {
  const t = p.trace;
  if (!(t instanceof ProcessTrace) || t.sink === null || !t.sink.equals(sink)) return;
  t.flags = 0;
  t.remaining = 0;
  t.tidy();
}

/** Gives `p` a fresh sequential-trace token (counters at zero), or takes its token away (null). */
export function setToken(p: Process, token: SeqToken | null): void {
  if (token === null && !(p.trace instanceof ProcessTrace)) return;
  const t = traceOf(p);
  t.token = token;
  t.prev = t.curr = 0;
  t.tidy();
}

/** Delivers `msg` to the local process `p` with `token`: how a tokened message arrives. */
export function carry(p: Process, msg: unknown, token: SeqToken): void {
  (traceOf(p).carried ??= []).push([msg, token]);
  p.push(msg);
}

/** Tells the collector that the message `token` came with found no process. */
export function dropped(rt: Process['rt'], token: SeqToken): void {
  try {
    rt.route(token[1], ['seq_trace', token[0], { type: 'dropped', serial: [token[3], token[4]], from: token[5], time: Date.now() }], null);
  } catch {
    // The collector's node is gone: nothing to tell.
  }
}

/** True for a well-formed token off the wire. */
export function isToken(t: unknown): t is SeqToken {
  return (
    Array.isArray(t) && t.length === 6 && typeof t[0] === 'string' && t[1] instanceof Pid &&
    typeof t[2] === 'number' && Number.isInteger(t[3]) && Number.isInteger(t[4]) && t[5] instanceof Pid
  );
}

const tracers = new WeakSet<Process>();

/** Marks `p` as part of the tracing machinery: it cannot be traced itself (that would loop). */
export function markTracer(p: Process): void {
  tracers.add(p);
}

export function isTracer(p: Process): boolean {
  return tracers.has(p);
}

/**
 * Sends a trace event from `p`'s runtime to `to` (maybe on another node) without
 * tracing that send. A value the wire refuses (a function in a message) goes as its
 * printed form instead: tracing must never make the traced process fail.
 */
export function sendEvent(p: Process, to: Pid, event: unknown): void {
  try {
    p.rt.route(to, event, null);
  } catch {
    try {
      p.rt.route(to, printable(event), null);
    } catch {
      // The tracer's node is gone: nothing to tell.
    }
  }
}

// Internals

function isRemote(dest: unknown, here: NodeName): dest is Pid | [string, NodeName] {
  if (dest instanceof Pid) return dest.node !== here;
  return Array.isArray(dest) && dest.length === 2 && typeof dest[0] === 'string' && dest[1] !== here;
}

/** `value` with every part that is not plain data (functions, symbols, class instances) printed. */
function printable(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(printable);
  if (value instanceof Pid || value instanceof Ref || value instanceof Error || value instanceof Date || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? inspect(value) : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return inspect(value, { depth: 2, breakLength: Infinity });
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)]));
}
