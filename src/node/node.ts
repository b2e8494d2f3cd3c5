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
 * - Nothing crosses a cut (`cut.ts`): no dial, no frame, no admission to `conns`; a
 *   connection from across one is `held` until its heal or its setup time runs out.
 *   No `pending` entry is for a node across a cut: a cut ends the attempt (`cutOff`),
 *   and no new one starts until the heal. So a held connection is always one the peer
 *   dialled, and every heal starts a fresh attempt.
 * - Each connection speaks one wire, chosen per peer: the playground's own to a
 *   playground node, Erlang's distribution to a BEAM node. A dialler learns which from
 *   the port mapper (a playground node marks its registration); an acceptor from the
 *   first bytes (Erlang's handshake packets have a u16 length, so they never start
 *   with the two zero bytes of a playground frame's u32 length).
 * - The services a BEAM peer expects of a node (net_kernel, rex, and a global peer)
 *   start with the first BEAM connection (`erlang/kernel`).
 * - A failed attempt leaves its reason in `failures` until the next attempt; a refusal
 *   that is a mistake (`MISTAKES`: a wrong cookie, long and short names mixed) is also
 *   logged once per peer on both sides, and the refusing side tells its refusal watchers.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { NodeName, Pid, Ref } from '../term.ts';
import type { Runtime } from '../process/index.ts';
import { encode } from './codec.ts';
import { Connection, type ConnectionEvents, type ConnectionOptions, type PeerConnection } from './connection.ts';
import { ErlangConnection } from './erlang-connection.ts';
import { HandshakeError, MISTAKES, isNodeName, type Admission, type Identity, type PeerInfo } from './handshake.ts';
import { ErlangHandshakeError } from '../erlang/handshake/handshake.ts';
import { locate } from '../erlang/epmd/index.ts';
import { hostOf, isLocalHost, isLoopback } from '../erlang/address.ts';
import { startKernel } from '../erlang/kernel/index.ts';
import { Cuts } from './cut.ts';
import { Spawns } from './spawn.ts';
import * as op from './dist.ts';

/** The reason a connection ends when this node closes it on purpose (`disconnect`, a partition). */
const DISCONNECTED = 'disconnected';

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

/** Refusals that retrying cannot mend, on either wire: Erlang's adds a peer lacking mandatory flags. */
const MISTAKE_CODES: ReadonlySet<string> = new Set([...MISTAKES, 'ERR_FLAGS']);

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
  conn: PeerConnection | null;
  timer: NodeJS.Timeout | null;
}

export class Node implements op.FrameContext<PeerConnection> {
  readonly name: NodeName;
  /** Where other machines reach this node (a long name's address), or null: this machine only. */
  readonly address: string | null;
  port = 0;
  /** What the runtime hands remote operations to. */
  readonly router = new op.Router(this);
  /** The partitions and link shapes this node takes part in. */
  readonly cuts: Cuts = new Cuts(this);
  /** Processes spawned on other nodes, and for them. */
  readonly spawns: Spawns;
  private readonly server: Server;
  private readonly conns = new Map<NodeName, PeerConnection>();
  private readonly pending = new Map<NodeName, Pending>();
  private readonly accepting = new Set<PeerConnection>();
  /** Connections from across a cut, waiting for a heal. */
  private readonly held = new Map<PeerConnection, NodeJS.Timeout>();
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
    this.spawns = new Spawns(runtime, (node, frame) => this.out(node, frame));
    this.connOpts = { tickTime: config.tickTime, setupTime: config.setupTime };
    this.identity = { name: config.name, creation: config.creation, port: 0, cookie: config.cookie };
    this.events = {
      up: (c) => this.onUp(c),
      frame: (c, f) => this.onFrame(c, f),
      closed: (c, wasUp, reason, err) => this.onClosed(c, wasUp, reason, err),
      warn: (text) => this.runtime.log('warning', text),
    };
    this.server = createServer((socket) => {
      if (this.stopped) return socket.destroy();
      whichWire(socket, this.connOpts.setupTime, (wire) => {
        if (this.stopped) return socket.destroy();
        const admit = (p: PeerInfo) => this.admit(p, wire);
        const conn =
          wire === 'erlang'
            ? new ErlangConnection(socket, this.identity, 'accept', admit, this.events, this.connOpts)
            : new Connection(socket, this.identity, 'accept', admit, this.events, this.connOpts);
        this.accepting.add(conn);
      });
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
    if (this.cuts.isCut(node)) {
      this.runtime.log('debug', `not connecting to ${node}: a partition cuts it off (heal() lifts it)`);
      return Promise.resolve(false);
    }
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
    c.close(DISCONNECTED);
    return true;
  }

  /** The nodes this node is connected to; with `wire`, only those that speak it. */
  list(wire?: 'playground' | 'erlang'): NodeName[] {
    if (wire === undefined) return [...this.conns.keys()];
    return [...this.conns].filter(([, c]) => c.wire === wire).map(([n]) => n);
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

  /** Logs through the runtime's logger. */
  log(level: 'debug' | 'info' | 'warning' | 'error', text: string): void {
    this.runtime.log(level, text);
  }

  /**
   * Ends every tie to `node` a cut forbids: its connection, and an attempt under way to
   * make one. Such an attempt may have started just before the cut reached this node
   * (discovery or a send dials the moment a link drops), and it would otherwise get
   * through its handshake, be held, and stay pending for good: `connect` would return
   * its promise after the heal and never dial, and the node with the greater name would
   * answer the peer's own dials 'nok', waiting on a dial that never comes. The pair
   * would stay apart until a restart.
   */
  cutOff(node: NodeName): void {
    this.disconnect(node);
    this.failPending(node);
  }

  /** The address a peer was reached at (for discovery and the mesh). */
  addressOf(node: NodeName): op.Address | undefined {
    return this.addresses.get(node);
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of [...this.conns.values(), ...this.accepting, ...this.held.keys()]) c.close('node stopping');
    for (const [node] of this.pending) this.failPending(node);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // Internals: connections

  /** Sends a frame to `node`, connecting first if needed (`autoConnect`): the router's way out. */
  out(node: NodeName, frame: unknown[], autoConnect = true): void {
    const c = this.conns.get(node);
    if (c !== undefined) return this.cuts.shaping ? this.cuts.write(node, frame, (f) => c.send(f)) : c.send(frame);
    if (!autoConnect && !this.pending.has(node)) return;
    if (this.stopped || !isNodeName(node) || this.cuts.isCut(node)) return;
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
    p.conn =
      addr.wire === 'erlang'
        ? new ErlangConnection(socket, this.identity, 'dial', node, this.events, this.connOpts, addr.port)
        : new Connection(socket, this.identity, 'dial', node, this.events, this.connOpts);
  }

  /** An acceptor's decision on a dialer's name. */
  private admit(peer: PeerInfo, wire: 'playground' | 'erlang'): Admission {
    if (this.stopped || peer.name === this.name) return 'nok';
    const up = this.conns.get(peer.name);
    if (up) {
      // A BEAM node dials only when it has no connection to us: ours is stale.
      if (up.peer!.creation === peer.creation && wire === 'playground') return 'alive';
      up.close('the peer restarted'); // a new incarnation: the old link is stale
    }
    const p = this.pending.get(peer.name);
    // Both dialled: the greater name's dial wins. A pending entry without a connection
    // and without a timer is still looking the peer up, so its dial is coming too.
    if (p && p.timer === null && this.name > peer.name) return 'nok';
    return 'ok';
  }

  private onUp(conn: PeerConnection): void {
    this.accepting.delete(conn);
    const name = conn.peer!.name;
    if (this.cuts.isCut(name)) {
      this.held.set(conn, setTimeout(() => conn.close('it is across a partition'), this.connOpts.setupTime));
      return;
    }
    const existing = this.conns.get(name);
    if (existing) {
      // Both dials got through (the acceptors decided before either knew of the other).
      // Both sides keep the one dialled by the greater name, without a nodedown.
      if (this.dialerOf(conn) <= this.dialerOf(existing)) return conn.close('a connection to this node is already up');
      this.conns.set(name, conn);
      return existing.close('superseded by the connection dialled by the greater name');
    }
    this.conns.set(name, conn);
    this.addresses.set(name, { host: conn.remoteHost, port: conn.peer!.port, wire: conn.wire });
    const p = this.pending.get(name);
    if (p) {
      this.pending.delete(name);
      if (p.timer) clearTimeout(p.timer);
      if (p.conn && p.conn !== conn) p.conn.close('superseded');
      for (const f of p.queue) this.sendQueued(conn, f as unknown[]);
      p.resolve(true);
    }
    if (conn.wire === 'erlang') startKernel(this.runtime);
    const peers: [NodeName, string, number, 'erlang'?][] = [];
    for (const [n, c] of this.conns) {
      if (c !== conn) peers.push(c.wire === 'erlang' ? [n, meshHost(c, conn), c.peer!.port, 'erlang'] : [n, meshHost(c, conn), c.peer!.port]);
    }
    conn.send([op.PEERS, peers]);
    this.notify(['nodeup', name]);
  }

  /** A frame queued while connecting: its sender has moved on, so one the wire refuses is only logged. */
  private sendQueued(conn: PeerConnection, frame: unknown[]): void {
    try {
      conn.send(frame);
    } catch (err) {
      this.runtime.log('warning', `dropped a message to ${conn.peer!.name}: ${(err as Error).message}`);
    }
  }

  private dialerOf(conn: PeerConnection): NodeName {
    return conn.role === 'dial' ? this.name : conn.peer!.name;
  }

  private onFrame(conn: PeerConnection, f: unknown): void {
    if (this.held.size > 0 && this.held.has(conn)) return this.onHeldFrame(conn, f);
    if (!op.handleFrame(this, conn, f)) this.runtime.log('debug', `ignored an unknown frame from ${conn.peer!.name}`);
  }

  /** A connection from across a cut carries one thing: the heal that ends the cut. */
  private onHeldFrame(conn: PeerConnection, f: unknown): void {
    if (!Array.isArray(f) || f[0] !== op.HEAL) return;
    op.handleFrame(this, conn, f);
    clearTimeout(this.held.get(conn));
    this.held.delete(conn);
    if (this.cuts.isCut(conn.peer!.name)) return conn.close('still across a partition');
    this.onUp(conn);
  }

  // Callbacks: FrameContext

  reply(conn: PeerConnection, frame: unknown[]): void {
    if (this.cuts.shaping) this.cuts.write(conn.peer!.name, frame, (f) => conn.send(f));
    else conn.send(frame);
  }

  spawnRequest(conn: PeerConnection, ref: Ref, caller: Pid | null, source: string, args: unknown[], link: boolean, monitor: boolean): void {
    this.spawns.serve(conn.peer!.name, ref, caller, source, args, link, monitor);
  }

  spawnReply(ref: Ref, result: unknown): void {
    this.spawns.replied(ref, result);
  }

  partition(id: string, a: NodeName[], b: NodeName[], by: NodeName): void {
    this.cuts.apply({ id, a, b, by });
  }

  heal(conn: PeerConnection, id: string, by: NodeName): void {
    this.cuts.healed(id, by, conn.peer!.name);
  }

  shape(conn: PeerConnection, delay: number, drop: number): void {
    this.cuts.setShape(conn.peer!.name, delay, drop);
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
      if (node === this.name || this.conns.has(node) || this.pending.has(node) || this.cuts.isCut(node)) continue;
      if (!this.addresses.has(node)) this.addresses.set(node, addr);
      if (this.name > node) dial(node);
      else setTimeout(dial, MESH_PATIENCE, node).unref();
    }
  }

  private onClosed(conn: PeerConnection, wasUp: boolean, reason: string, err?: Error): void {
    this.accepting.delete(conn);
    if (this.held.has(conn)) {
      clearTimeout(this.held.get(conn));
      this.held.delete(conn);
      return;
    }
    if (wasUp) {
      const name = conn.peer!.name;
      if (this.conns.get(name) !== conn) return;
      this.conns.delete(name);
      this.addresses.delete(name); // it may come back elsewhere: ask again next time
      this.cuts.lost(name);
      this.spawns.nodeDown(name);
      this.runtime.nodeDown(name);
      this.notify(['nodedown', name]);
      // A connection closed for what the peer sent is worth a warning. Otherwise it is
      // said once, as a greeting is: a peer going away is news; this node stopping, or
      // disconnecting (by hand or for a partition, which says so itself), is not.
      if (err) this.runtime.log('warning', `lost ${name}: ${reason}`);
      else if (!this.stopped && reason !== DISCONNECTED) this.runtime.log('info', `Node ${name} is down: ${reason}`);
      return;
    }
    this.reportFailure(conn, reason, err);
    const target = conn.target;
    const p = target === undefined ? undefined : this.pending.get(target);
    if (!p || p.conn !== conn || target === undefined) return;
    p.conn = null;
    if (codeOf(err) === 'ERR_SIMULTANEOUS' && !this.stopped) {
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
    this.spawns.nodeDown(node);
    this.runtime.nodeDown(node);
  }

  private notify(msg: [string, NodeName]): void {
    for (const [key, pid] of this.watchers) {
      if (this.runtime.local(pid)) this.runtime.deliver(pid, msg);
      else this.watchers.delete(key);
    }
  }

  /** A mistake (wrong cookie, version, name kind, flags) is worth one line per peer on each side; anything else a debug line. */
  private reportFailure(conn: PeerConnection, reason: string, err?: Error): void {
    const code = codeOf(err);
    const mistake = code !== undefined && MISTAKE_CODES.has(code);
    if (conn.target !== undefined) this.failures.set(conn.target, { reason, mistake });
    if (!mistake) {
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

// Internals

/**
 * The address to tell `to` for the peer on `via`: where `to` can reach it. A peer on
 * this machine (seen on loopback) is reached from elsewhere at this node's own address.
 */
function meshHost(via: PeerConnection, to: PeerConnection): string {
  return isLoopback(via.remoteHost) && !isLoopback(to.remoteHost) ? to.localHost : via.remoteHost;
}

/** A handshake error's code (either wire's), or undefined for any other error. */
function codeOf(err: Error | undefined): string | undefined {
  return err instanceof HandshakeError || err instanceof ErlangHandshakeError ? err.code : undefined;
}

/**
 * Tells which wire a peer that connected to us speaks, from its first two bytes: a
 * playground frame's u32 length begins with two zeros (handshake frames are small);
 * Erlang's handshake packet begins with its u16 length, which is never zero.
 */
function whichWire(socket: Socket, timeout: number, then: (wire: 'playground' | 'erlang') => void): void {
  let head = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeout);
  socket.once('close', () => clearTimeout(timer));
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    if (head.length < 2) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    socket.unshift(head);
    then(head[0] === 0 && head[1] === 0 ? 'playground' : 'erlang');
    socket.resume();
  };
  socket.on('data', onData);
  socket.on('error', () => {});
}
