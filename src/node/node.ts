/**
 * @module node/node
 * A distributed node, after Erlang's net_kernel: it listens for peers, dials them on
 * demand, keeps exactly one connection per peer, forms a full mesh, tells subscribers
 * about `nodeup`/`nodedown`, and carries the runtime's remote operations (its `router`
 * turns them into frames, `out` sends them).
 *
 * Invariants:
 * - `conns` holds only connections whose handshake is done; one per peer name.
 * - A peer with frames waiting for it has an entry in `pending` (a dial in flight, or a
 *   wait for the connection the peer dials to us). The entry ends when a connection
 *   comes up (its frames go out first, in order) or when the attempt fails (its frames
 *   are dropped and links/monitors to that node fire with 'noconnection').
 * - Two nodes dialling each other at once keep the connection dialled by the node with
 *   the greater name (the acceptor decides in `admit`).
 * - A failed attempt leaves its reason in `failures` until the next attempt; a refusal
 *   that is a mistake (`MISTAKES`: a wrong cookie, long and short names mixed) is also
 *   logged once per peer on both sides, and the refusing side tells its refusal watchers.
 */
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import type { NodeName, Pid } from '../term.ts';
import type { Runtime } from '../process/index.ts';
import { encode } from './codec.ts';
import { Connection, type ConnectionEvents, type ConnectionOptions } from './connection.ts';
import { HandshakeError, MISTAKES, isNodeName, type Admission, type Identity, type PeerInfo } from './handshake.ts';
import { locate } from './epmd-client.ts';
import { hostOf, isLocalHost, isLoopback } from './address.ts';
import * as op from './dist.ts';

export interface NodeConfig {
  name: NodeName;
  cookie: string;
  creation: number;
  /** Address to accept connections on (default 127.0.0.1). */
  host: string;
  /** The address of this machine other machines reach the node at (long names), or null. */
  address: string | null;
  /** TCP port to accept connections on (0: any free port). */
  port: number;
  epmdPort: number;
  tickTime: number;
  setupTime: number;
}

/** How long a node waits for a peer with a greater name to dial it before dialling itself (ms). */
const MESH_PATIENCE = 500;

/** Why an attempt to connect failed; a mistake is a refusal that retrying cannot mend. */
export interface Failure {
  reason: string;
  mistake: boolean;
}

interface Pending {
  promise: Promise<boolean>;
  resolve: (ok: boolean) => void;
  /** Frames to send once the connection is up. */
  queue: unknown[];
  /** The connection we are dialling, or null while we wait for the peer's. */
  conn: Connection | null;
  timer: NodeJS.Timeout | null;
}

export class Node implements op.FrameContext<Connection> {
  readonly name: NodeName;
  /** Where other machines reach this node (a long name's address), or null: this machine only. */
  readonly address: string | null;
  port = 0;
  /** What the runtime hands remote operations to. */
  readonly router = new op.Router(this);
  private readonly server: Server;
  private readonly conns = new Map<NodeName, Connection>();
  private readonly pending = new Map<NodeName, Pending>();
  private readonly accepting = new Set<Connection>();
  private readonly addresses = new Map<NodeName, op.Address>();
  private readonly watchers = new Map<string, Pid>();
  private readonly refusalWatchers = new Map<string, Pid>();
  private readonly failures = new Map<NodeName, Failure>();
  private readonly warned = new Set<string>();
  private readonly connOpts: ConnectionOptions;
  private readonly events: ConnectionEvents;
  private identity: Identity;
  private stopped = false;

  constructor(
    readonly runtime: Runtime,
    private readonly config: NodeConfig,
  ) {
    this.name = config.name;
    this.address = config.address;
    this.connOpts = { tickTime: config.tickTime, setupTime: config.setupTime };
    this.identity = { name: config.name, creation: config.creation, port: 0, cookie: config.cookie };
    this.events = {
      up: (c) => this.onUp(c),
      frame: (c, f) => this.onFrame(c, f),
      closed: (c, wasUp, reason, err) => this.onClosed(c, wasUp, reason, err),
    };
    this.server = createServer((socket) => {
      if (this.stopped) return socket.destroy();
      const conn = new Connection(socket, this.identity, 'accept', (p) => this.admit(p), this.events, this.connOpts);
      this.accepting.add(conn);
    });
  }

  // Client API

  /** Starts accepting connections; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as { port: number }).port;
        this.identity = { ...this.identity, port: this.port };
        resolve(this.port);
      });
    });
  }

  /** Connects to `node`; true once connected, false if it cannot be reached or refuses us. */
  connect(node: NodeName, addr?: op.Address): Promise<boolean> {
    if (node === this.name) return Promise.resolve(true);
    if (this.conns.has(node)) return Promise.resolve(true);
    if (this.stopped || !isNodeName(node)) return Promise.resolve(false);
    if (addr) this.addresses.set(node, addr);
    const existing = this.pending.get(node);
    if (!existing) this.failures.delete(node);
    if (existing) return existing.promise;
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    const p: Pending = { promise, resolve, queue: [], conn: null, timer: null };
    this.pending.set(node, p);
    void this.dial(node, p);
    return promise;
  }

  /** Closes the connection to `node`; false if there was none. */
  disconnect(node: NodeName): boolean {
    const c = this.conns.get(node);
    if (!c) return false;
    c.close('disconnected');
    return true;
  }

  /** The nodes this node is connected to. */
  list(): NodeName[] {
    return [...this.conns.keys()];
  }

  /** True when a connection to `node` is up. */
  isConnected(node: NodeName): boolean {
    return this.conns.has(node);
  }

  /** Frames sent to and received from each connected node since it connected. */
  stats(): Record<NodeName, { sent: number; received: number }> {
    const out: Record<NodeName, { sent: number; received: number }> = {};
    for (const [node, c] of this.conns) out[node] = { sent: c.framesOut, received: c.framesIn };
    return out;
  }

  /** Subscribes (or unsubscribes) `pid` to `['nodeup', node]` and `['nodedown', node]`. */
  monitorNodes(pid: Pid, flag: boolean): void {
    if (flag) this.watchers.set(pid.key, pid);
    else this.watchers.delete(pid.key);
  }

  /**
   * Subscribes (or unsubscribes) `pid` to `['refused', node, reason]`: a node this one
   * refused for a mistake in how it was started (a wrong cookie, a name of the other kind).
   */
  monitorRefusals(pid: Pid, flag: boolean): void {
    if (flag) this.refusalWatchers.set(pid.key, pid);
    else this.refusalWatchers.delete(pid.key);
  }

  /** Why the last attempt to connect to `node` failed (until the next attempt). */
  lastFailure(node: NodeName): Failure | undefined {
    return this.failures.get(node);
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of [...this.conns.values(), ...this.accepting]) c.close('node stopping');
    for (const [node] of this.pending) this.failPending(node);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // Internals: connections

  /** Sends a frame to `node`, connecting first if needed (`autoConnect`): the router's way out. */
  out(node: NodeName, frame: unknown[], autoConnect = true): void {
    const c = this.conns.get(node);
    if (c !== undefined) return c.send(frame);
    if (!autoConnect && !this.pending.has(node)) return;
    if (this.stopped || !isNodeName(node)) return;
    encode(frame); // a value that cannot travel fails now, in the sender, not later
    if (!this.pending.has(node)) void this.connect(node);
    this.pending.get(node)?.queue.push(frame);
  }

  private async dial(node: NodeName, p: Pending): Promise<void> {
    const addr = await locate(node, this.config.epmdPort, this.addresses.get(node));
    if (this.pending.get(node) !== p || p.conn || this.conns.has(node)) return;
    if (!addr) {
      const host = hostOf(node);
      const where = isLocalHost(host) ? "this machine's port mapper" : `the port mapper at ${host}:${this.config.epmdPort}`;
      const reason = `${where} does not know ${node} (is it running${isLocalHost(host) ? '' : ', and is that port open'}?)`;
      this.failures.set(node, { reason, mistake: false });
      this.runtime.log('debug', `cannot connect to ${node}: its port is unknown`);
      return this.failPending(node);
    }
    const socket = tcpConnect({ host: addr.host, port: addr.port });
    p.conn = new Connection(socket, this.identity, 'dial', node, this.events, this.connOpts);
  }

  /** An acceptor's decision on a dialer's name. */
  private admit(peer: PeerInfo): Admission {
    if (this.stopped || peer.name === this.name) return 'nok';
    const up = this.conns.get(peer.name);
    if (up) {
      if (up.peer!.creation === peer.creation) return 'alive';
      up.close('the peer restarted'); // a new incarnation: the old link is stale
    }
    const p = this.pending.get(peer.name);
    // Both dialled: the greater name's dial wins. A pending entry without a connection
    // and without a timer is still looking the peer up, so its dial is coming too.
    if (p && p.timer === null && this.name > peer.name) return 'nok';
    return 'ok';
  }

  private onUp(conn: Connection): void {
    this.accepting.delete(conn);
    const name = conn.peer!.name;
    const existing = this.conns.get(name);
    if (existing) {
      // Both dials got through (the acceptors decided before either knew of the other).
      // Both sides keep the one dialled by the greater name, without a nodedown.
      if (this.dialerOf(conn) <= this.dialerOf(existing)) return conn.close('a connection to this node is already up');
      this.conns.set(name, conn);
      return existing.close('superseded by the connection dialled by the greater name');
    }
    this.conns.set(name, conn);
    this.addresses.set(name, { host: conn.remoteHost, port: conn.peer!.port });
    const p = this.pending.get(name);
    if (p) {
      this.pending.delete(name);
      if (p.timer) clearTimeout(p.timer);
      if (p.conn && p.conn !== conn) p.conn.close('superseded');
      for (const f of p.queue) conn.send(f);
      p.resolve(true);
    }
    const peers: [NodeName, string, number][] = [];
    for (const [n, c] of this.conns) if (c !== conn) peers.push([n, meshHost(c, conn), c.peer!.port]);
    conn.send([op.PEERS, peers]);
    this.notify(['nodeup', name]);
  }

  private dialerOf(conn: Connection): NodeName {
    return conn.role === 'dial' ? this.name : conn.peer!.name;
  }

  private onFrame(conn: Connection, f: unknown): void {
    if (!op.handleFrame(this, conn, f)) this.runtime.log('debug', `ignored an unknown frame from ${conn.peer!.name}`);
  }

  // Callbacks: FrameContext

  reply(conn: Connection, frame: unknown[]): void {
    conn.send(frame);
  }

  /**
   * The mesh: connect to the peers a peer told us about. A peer with a lesser name is
   * dialled at once; one with a greater name after `MESH_PATIENCE` ms, if it has not
   * dialled us by then: when a whole cluster meets at once, both of a pair often learn of
   * each other together, and one dial per pair costs half of two racing.
   */
  peers(list: [NodeName, op.Address][]): void {
    const dial = (node: NodeName) => {
      if (!this.stopped && !this.conns.has(node) && !this.pending.has(node)) void this.connect(node);
    };
    for (const [node, addr] of list) {
      if (node === this.name || this.conns.has(node) || this.pending.has(node)) continue;
      if (!this.addresses.has(node)) this.addresses.set(node, addr);
      if (this.name > node) dial(node);
      else setTimeout(dial, MESH_PATIENCE, node).unref();
    }
  }

  private onClosed(conn: Connection, wasUp: boolean, reason: string, err?: Error): void {
    this.accepting.delete(conn);
    if (wasUp) {
      const name = conn.peer!.name;
      if (this.conns.get(name) !== conn) return;
      this.conns.delete(name);
      this.addresses.delete(name); // it may come back elsewhere: ask again next time
      this.runtime.nodeDown(name);
      this.notify(['nodedown', name]);
      this.runtime.log('debug', `lost ${name}: ${reason}`);
      return;
    }
    this.reportFailure(conn, reason, err);
    const target = conn.target;
    const p = target === undefined ? undefined : this.pending.get(target);
    if (!p || p.conn !== conn || target === undefined) return;
    p.conn = null;
    if (err instanceof HandshakeError && err.code === 'ERR_SIMULTANEOUS' && !this.stopped) {
      // The peer's own connection to us is the one that stays: wait for it.
      p.timer = setTimeout(() => this.failPending(target), this.connOpts.setupTime);
    } else {
      this.failPending(target);
    }
  }

  private failPending(node: NodeName): void {
    const p = this.pending.get(node);
    if (!p) return;
    this.pending.delete(node);
    this.addresses.delete(node);
    if (p.timer) clearTimeout(p.timer);
    p.conn?.close('connection attempt abandoned');
    p.resolve(false);
    this.runtime.nodeDown(node);
  }

  private notify(msg: [string, NodeName]): void {
    for (const [key, pid] of this.watchers) {
      if (this.runtime.local(pid)) this.runtime.deliver(pid, msg);
      else this.watchers.delete(key);
    }
  }

  /** A mistake (wrong cookie, version, name kind) is worth one line per peer on each side; anything else a debug line. */
  private reportFailure(conn: Connection, reason: string, err?: Error): void {
    const code = err instanceof HandshakeError ? err.code : undefined;
    if (conn.target !== undefined) this.failures.set(conn.target, { reason, mistake: code !== undefined && MISTAKES.has(code) });
    if (code === undefined || !MISTAKES.has(code)) {
      this.runtime.log('debug', `connection ${conn.role === 'dial' ? `to ${conn.target}` : `from ${conn.remoteHost}`} failed: ${reason}`);
      return;
    }
    const { peer = conn.remoteHost, why = reason } = err as HandshakeError;
    if (conn.role === 'accept') {
      for (const pid of this.refusalWatchers.values()) if (this.runtime.local(pid)) this.runtime.deliver(pid, ['refused', peer, why]);
    }
    const key = `${code}:${peer}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.runtime.log('warning', reason);
  }
}

/**
 * The address to tell `to` for the peer on `via`: where `to` can reach it. A peer on
 * this machine (seen on loopback) is reached from elsewhere at this node's own address.
 */
function meshHost(via: Connection, to: Connection): string {
  return isLoopback(via.remoteHost) && !isLoopback(to.remoteHost) ? to.localHost : via.remoteHost;
}
