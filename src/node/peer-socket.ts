/**
 * @module node/peer-socket
 * What a connection to a peer is, whichever wire it speaks: a socket with a handshake
 * and then frames, ticks while idle, and one `closed` event when it ends for any reason.
 * `connection.ts` (the playground's wire) and `erlang-connection.ts` (Erlang's) fill in
 * the bytes; the node sees either as a `PeerConnection`.
 *
 * Ticks: a side that has written nothing for a quarter of the tick time sends an empty
 * frame; a side that has read nothing for the whole tick time declares the peer down,
 * like Erlang's `net_ticktime`.
 */
import type { Socket } from 'node:net';
import type { NodeName } from '../term.ts';
import { stayAwake } from './busy-wait.ts';
import type { PeerInfo } from './handshake.ts';

/** What the node sees of a connection to a peer. */
export interface PeerConnection {
  readonly wire: 'playground' | 'erlang';
  readonly state: 'handshake' | 'up' | 'closed';
  /** Set once the handshake is done. */
  readonly peer: PeerInfo | null;
  readonly role: 'dial' | 'accept';
  /** For a dialer: the node it means to reach. */
  readonly target: NodeName | undefined;
  readonly remoteHost: string;
  /** This node's address on the connection. */
  readonly localHost: string;
  /** Frames sent and received since the handshake: what `Node.stats()` reports. */
  readonly framesOut: number;
  readonly framesIn: number;
  /** Queues one frame of `dist.ts`; throws when it holds a value the wire cannot carry. */
  send(frame: unknown[]): void;
  /** Ends the connection; the owner gets one `closed` event. */
  close(reason: string, err?: Error): void;
}

/** How the owner of a connection hears about it. */
export interface ConnectionEvents {
  /** The handshake succeeded; frames may flow. */
  up(conn: PeerConnection): void;
  /** A frame from the peer (never a tick). */
  frame(conn: PeerConnection, msg: unknown): void;
  /** The connection ended: `wasUp` tells a lost link from a failed handshake. */
  closed(conn: PeerConnection, wasUp: boolean, reason: string, err?: Error): void;
  /** Something the peer sent was dropped; one line says what and why. */
  warn(text: string): void;
}

export interface ConnectionOptions {
  /** ms of silence after which the peer is declared down (default 60 000, as Erlang). */
  tickTime: number;
  /** ms the handshake may take (default 7000, as Erlang's net_setuptime). */
  setupTime: number;
}

const TICK = Buffer.alloc(4);

export abstract class PeerSocket implements PeerConnection {
  abstract readonly wire: 'playground' | 'erlang';
  state: 'handshake' | 'up' | 'closed' = 'handshake';
  peer: PeerInfo | null = null;
  framesOut = 0;
  framesIn = 0;
  /** Whether anything went out since the last tick check (the writers set it). */
  protected wroteSince = false;
  private timer: NodeJS.Timeout;
  private readSince = false;
  private silentTicks = 0;

  constructor(
    readonly socket: Socket,
    readonly role: 'dial' | 'accept',
    readonly target: NodeName | undefined,
    protected readonly events: ConnectionEvents,
    private readonly opts: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.readSince = true;
      stayAwake();
      this.receive(chunk);
    });
    // A peer whose process ended may reset the connection rather than close it: both are its end.
    socket.on('error', (err: NodeJS.ErrnoException) => this.close(err.code === 'ECONNRESET' ? 'connection closed' : `socket error: ${err.message}`));
    socket.on('close', () => this.close('connection closed'));
    this.timer = setTimeout(() => this.close('handshake timed out'), opts.setupTime);
  }

  /** The peer's address as seen on this socket (IPv4-mapped addresses unwrapped). */
  get remoteHost(): string {
    return (this.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  /** This node's address on this socket (IPv4-mapped addresses unwrapped). */
  get localHost(): string {
    return (this.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  abstract send(frame: unknown[]): void;

  close(reason: string, err?: Error): void {
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    this.endOutput(wasUp);
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.socket.end();
    this.socket.destroySoon();
    this.events.closed(this, wasUp, reason, err);
  }

  // Internals, for the two wires

  /** Bytes from the peer. */
  protected abstract receive(chunk: Buffer): void;

  /** What is queued for the peer goes out (`flush`: the link was up) or is dropped. */
  protected abstract endOutput(flush: boolean): void;

  /** A dialer sends its first handshake packet once the socket is connected. */
  protected whenConnected(start: () => void): void {
    if (this.socket.connecting) this.socket.once('connect', start);
    else start();
  }

  /** The handshake is done: frames may flow, and ticks begin. */
  protected up(peer: PeerInfo): void {
    this.peer = peer;
    this.state = 'up';
    clearTimeout(this.timer);
    const quarter = Math.max(1, Math.floor(this.opts.tickTime / 4));
    this.timer = setInterval(() => this.tick(), quarter);
    this.timer.unref();
    this.events.up(this);
  }

  private tick(): void {
    if (this.readSince) this.silentTicks = 0;
    else if (++this.silentTicks >= 4) return this.close(`no ticks from ${this.peer?.name ?? 'the peer'} (net tick time exceeded)`);
    this.readSince = false;
    if (!this.wroteSince) this.socket.write(TICK);
    this.wroteSince = false;
  }
}
