/**
 * @module node/dist
 * What travels on a connection once it is up: Erlang's distribution control messages,
 * as small arrays whose first element is an opcode. `Router` turns the runtime's remote
 * operations into them; `handleFrame` applies one that arrived to the local runtime.
 *
 * Protocol (after the handshake; every frame one array):
 * ```
 * [SEND, to, msg]                         message to a pid
 * [REG_SEND, from | null, name, msg]      message to a registered name
 * [LINK, from, to]   [UNLINK, from, to]
 * [EXIT, from, to, reason]                a linked process ended
 * [EXIT2, from, to, reason]               exit(to, reason)
 * [MONITOR, watcher, target, ref]         target: a pid or a registered name
 * [DEMONITOR, watcher, ref, target]       target: a pid or [name, node]
 * [DOWN, watcher, ref, target, reason]    a monitored process ended (or never was: 'noproc')
 * [PEERS, [[node, host, port, wire], ...]] the sender's other connections, for the full mesh
 *                                         (wire 'erlang' for a BEAM node, else absent)
 * [SPAWN_REQUEST, ref, caller, source, args, link, monitor]   run a function here (spawn.ts)
 * [SPAWN_REPLY, ref, caller, pid | ['error', text]]
 * [PARTITION, id, sideA, sideB, by]       cut every link between the sides (cut.ts)
 * [HEAL, id, by]                          undo every cut; the only frame a cut link carries
 * [SHAPE, delayMs, dropFraction]          slow down or thin out this link, both ways
 * [TRACE, target, replyTo, ref, tracer, id, flags, limit]
 *                                         trace the process target (a pid or a registered
 *                                         name) for tracer: an agent there forwards its events
 *                                         (see process/trace-agent); replyTo gets the message
 *                                         [ref, ['ok', agent]], [ref, 'noproc'] or [ref, 'not_traceable']
 * [SEND_TT, to, msg, token]               SEND with a sequential-trace token
 * [REG_SEND_TT, from, name, msg, token]   REG_SEND with a sequential-trace token
 * ```
 * Untraced messages travel as SEND and REG_SEND, unchanged by tracing; only a process
 * that holds a token (see process/trace) sends the _TT forms.
 * Messages between one pair of processes keep their order because one pair of nodes
 * has exactly one connection and frames are written and read in order.
 */
import { Pid, Ref, isNameAtNode, type NodeName } from '../term.ts';
import { isToken, startTraceAgent, type RemoteRouter, type Runtime, type SeqToken, type TraceRequest } from '../process/index.ts';
import { isNodeName } from './handshake.ts';

export const SEND = 1;
export const REG_SEND = 2;
export const LINK = 3;
export const UNLINK = 4;
export const EXIT = 5;
export const EXIT2 = 6;
export const MONITOR = 7;
export const DEMONITOR = 8;
export const DOWN = 9;
export const PEERS = 10;
export const SPAWN_REQUEST = 11;
export const SPAWN_REPLY = 12;
export const PARTITION = 13;
export const HEAL = 14;
export const SHAPE = 15;
// 16 to 29: more of remote spawn, rpc and global names.
export const TRACE = 30;
export const SEND_TT = 31;
export const REG_SEND_TT = 32;

/** Where another node can be reached, and what it speaks (default: the playground's wire). */
export interface Address {
  host: string;
  port: number;
  wire?: 'playground' | 'erlang';
}

/** What the node must do for frames that need more than the runtime. */
export interface FrameContext<C> {
  readonly runtime: Runtime;
  /** Sends a reply frame back on the connection `conn`. */
  reply(conn: C, frame: unknown[]): void;
  /** The peer told us of nodes it is connected to. */
  peers(list: [NodeName, Address][]): void;
  /** The peer asks us to run a function as a process (see `spawn.ts`). */
  spawnRequest(conn: C, ref: Ref, caller: Pid | null, source: string, args: unknown[], link: boolean, monitor: boolean): void;
  spawnReply(ref: Ref, result: unknown): void;
  /** Cluster-wide cuts (see `cut.ts`). */
  partition(id: string, a: NodeName[], b: NodeName[], by: NodeName): void;
  heal(conn: C, id: string, by: NodeName): void;
  shape(conn: C, delay: number, drop: number): void;
}

/** Where the router's frames go: to `node`, connecting first unless `autoConnect` is false. */
export interface Outlet {
  out(node: NodeName, frame: unknown[], autoConnect?: boolean): void;
}

// Client API

/**
 * The runtime's remote operations as control messages. Messages, links, monitors and
 * exit/2 connect to a node not yet connected; unlinks, demonitors and the signals of a
 * local death only go where a connection is (or is being made): with none, the peer
 * already saw 'noconnection'.
 */
export class Router implements RemoteRouter {
  constructor(private readonly outlet: Outlet) {}

  send(to: Pid | [string, NodeName], msg: unknown, from: Pid | null): void {
    if (to instanceof Pid) this.outlet.out(to.node, [SEND, to, msg]);
    else this.outlet.out(to[1], [REG_SEND, from, to[0], msg]);
  }

  sendTokened(to: Pid | [string, NodeName], msg: unknown, from: Pid, token: SeqToken): void {
    if (to instanceof Pid) this.outlet.out(to.node, [SEND_TT, to, msg, token]);
    else this.outlet.out(to[1], [REG_SEND_TT, from, to[0], msg, token]);
  }

  trace(target: Pid | [string, NodeName], r: TraceRequest): void {
    const [node, which] = target instanceof Pid ? [target.node, target] : [target[1], target[0]];
    this.outlet.out(node, [TRACE, which, r.replyTo, r.ref, r.tracer, r.id, r.flags, r.limit]);
  }

  link(from: Pid, to: Pid): void {
    this.outlet.out(to.node, [LINK, from, to]);
  }

  unlink(from: Pid, to: Pid): void {
    this.outlet.out(to.node, [UNLINK, from, to], false);
  }

  monitor(watcher: Pid, target: Pid | [string, NodeName], ref: Ref): void {
    if (target instanceof Pid) this.outlet.out(target.node, [MONITOR, watcher, target, ref]);
    else this.outlet.out(target[1], [MONITOR, watcher, target[0], ref]);
  }

  demonitor(watcher: Pid, target: Pid | [string, NodeName], ref: Ref): void {
    this.outlet.out(target instanceof Pid ? target.node : target[1], [DEMONITOR, watcher, ref, target], false);
  }

  exit(from: Pid, to: Pid, reason: unknown): void {
    this.outlet.out(to.node, [EXIT2, from, to, reason]);
  }

  linkExit(from: Pid, to: Pid, reason: unknown): void {
    this.outlet.out(to.node, [EXIT, from, to, reason], false);
  }

  monitorDown(watcher: Pid, ref: Ref, target: Pid | [string, NodeName], reason: unknown): void {
    this.outlet.out(watcher.node, [DOWN, watcher, ref, target, reason], false);
  }
}

/**
 * Applies one control message from a peer. Returns false for a frame that is not a
 * control message this version knows, in its exact shape and length (the caller logs
 * it and carries on).
 */
export function handleFrame<C>(ctx: FrameContext<C>, conn: C, f: unknown): boolean {
  if (!Array.isArray(f)) return false;
  const rt = ctx.runtime;
  switch (f[0]) {
    case SEND:
      if (f.length !== 3 || !(f[1] instanceof Pid)) return false;
      rt.deliver(f[1], f[2]);
      return true;
    case REG_SEND:
      if (f.length !== 4 || typeof f[2] !== 'string') return false;
      rt.deliver(f[2], f[3]);
      return true;
    case LINK:
      if (f.length !== 3 || !pids(f[1], f[2])) return false;
      if (!rt.remoteLinked(f[2], f[1])) ctx.reply(conn, [EXIT, f[2], f[1], 'noproc']);
      return true;
    case UNLINK:
      if (f.length !== 3 || !pids(f[1], f[2])) return false;
      rt.remoteUnlinked(f[2], f[1]);
      return true;
    case EXIT:
    case EXIT2:
      if (f.length !== 4 || !pids(f[1], f[2])) return false;
      rt.exitSignal(f[1], f[2], f[3], f[0] === EXIT);
      return true;
    case MONITOR: {
      const [, watcher, target, ref] = f;
      if (f.length !== 4 || !(watcher instanceof Pid) || !(ref instanceof Ref)) return false;
      if (!(target instanceof Pid) && typeof target !== 'string') return false;
      if (!rt.remoteMonitor(target, watcher, ref)) {
        ctx.reply(conn, [DOWN, watcher, ref, typeof target === 'string' ? [target, rt.node] : target, 'noproc']);
      }
      return true;
    }
    case DEMONITOR:
      if (f.length !== 4 || !(f[2] instanceof Ref)) return false;
      rt.remoteDemonitor(f[2]);
      return true;
    case DOWN: {
      const [, watcher, ref, target] = f;
      if (f.length !== 5 || !(watcher instanceof Pid) || !(ref instanceof Ref)) return false;
      if (!(target instanceof Pid) && !isNameAtNode(target)) return false;
      rt.remoteDown(watcher, ref, target, f[4]);
      return true;
    }
    case PEERS:
      if (f.length !== 2 || !Array.isArray(f[1])) return false;
      ctx.peers(f[1].filter(isPeerEntry).map(([node, host, port, wire]) => [node, { host, port, wire: wire ?? 'playground' }]));
      return true;
    case SPAWN_REQUEST: {
      const [, ref, caller, source, args, link, monitor] = f;
      if (!(ref instanceof Ref) || !(caller === null || caller instanceof Pid) || typeof source !== 'string' || !Array.isArray(args)) return false;
      ctx.spawnRequest(conn, ref, caller, source, args, link === true, monitor === true);
      return true;
    }
    case SPAWN_REPLY:
      if (!(f[1] instanceof Ref)) return false;
      ctx.spawnReply(f[1], f[3]);
      return true;
    case PARTITION:
      if (typeof f[1] !== 'string' || !nodeList(f[2]) || !nodeList(f[3]) || !isNodeName(f[4])) return false;
      ctx.partition(f[1], f[2], f[3], f[4]);
      return true;
    case HEAL:
      if (typeof f[1] !== 'string' || !isNodeName(f[2])) return false;
      ctx.heal(conn, f[1], f[2]);
      return true;
    case SHAPE:
      if (!fraction(f[2]) || typeof f[1] !== 'number' || !(f[1] >= 0)) return false;
      ctx.shape(conn, f[1], f[2]);
      return true;
    case SEND_TT:
      if (!(f[1] instanceof Pid) || !isToken(f[3])) return false;
      rt.deliverTokened(f[1], f[2], f[3]);
      return true;
    case REG_SEND_TT:
      if (typeof f[2] !== 'string' || !isToken(f[4])) return false;
      rt.deliverTokened(f[2], f[3], f[4]);
      return true;
    case TRACE: {
      const [, target, replyTo, ref, tracer, id, flags, limit] = f;
      if (!(target instanceof Pid) && typeof target !== 'string') return false;
      if (!pids(replyTo, tracer) || !(ref instanceof Ref) || !Number.isInteger(id)) return false;
      if (!Number.isInteger(flags) || !(Number.isInteger(limit) && limit > 0)) return false;
      const started = startTraceAgent(rt, target, { replyTo, ref, tracer, id, flags, limit });
      rt.route(replyTo, [ref, typeof started === 'string' ? started : ['ok', started]], null);
      return true;
    }
    default:
      return false;
  }
}

// Internals

function pids(a: unknown, b: unknown): boolean {
  return a instanceof Pid && b instanceof Pid;
}

function nodeList(v: unknown): v is NodeName[] {
  return Array.isArray(v) && v.every((n) => isNodeName(n));
}

function fraction(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= 1;
}

function isPeerEntry(e: unknown): e is [NodeName, string, number, 'erlang' | undefined] {
  return Array.isArray(e) && isNodeName(e[0]) && typeof e[1] === 'string' && Number.isInteger(e[2]) && (e[3] === undefined || e[3] === 'erlang');
}
