/**
 * @module node/connection
 * One TCP connection to one peer node: the handshake, then frames both ways, ticks while
 * idle, and one `closed` event when it ends for any reason. What the frames mean is the
 * distribution layer's business (`dist.ts`); this module only moves them.
 *
 * Protocol: frames as in `codec.ts`. Until the handshake is done only small frames are
 * accepted (`HANDSHAKE_FRAME_LIMIT`), after it up to `MAX_FRAME`. An empty frame is a
 * tick. A side that has written nothing for a quarter of the tick time sends a tick; a
 * side that has read nothing for the whole tick time declares the peer down, like
 * Erlang's `net_ticktime`. A frame that does not decode closes this connection only.
 */
import { stayAwake } from './busy-wait.ts';
import type { Socket } from 'node:net';
import { decode, frame, FrameDecoder, FrameWriter, HANDSHAKE_FRAME_LIMIT, MAX_FRAME, CodecError } from './codec.ts';
import { Handshake, HandshakeError, type Admission, type Identity, type PeerInfo } from './handshake.ts';
import type { NodeName } from '../term.ts';

/** How the owner of a connection hears about it. */
export interface ConnectionEvents {
  /** The handshake succeeded; frames may flow. */
  up(conn: Connection): void;
  /** A frame from the peer (never a tick). */
  frame(conn: Connection, msg: unknown): void;
  /** The connection ended: `wasUp` tells a lost link from a failed handshake. */
  closed(conn: Connection, wasUp: boolean, reason: string, err?: Error): void;
}

export interface ConnectionOptions {
  /** ms of silence after which the peer is declared down (default 60 000, as Erlang). */
  tickTime: number;
  /** ms the handshake may take (default 7000, as Erlang's net_setuptime). */
  setupTime: number;
}

const TICK = Buffer.alloc(4);

export class Connection {
  state: 'handshake' | 'up' | 'closed' = 'handshake';
  peer: PeerInfo | null = null;
  private readonly handshake: Handshake;
  private readonly decoder = new FrameDecoder(HANDSHAKE_FRAME_LIMIT);
  private readonly writer: FrameWriter;
  private timer: NodeJS.Timeout;
  private readSince = false;
  private wroteSince = false;
  private silentTicks = 0;
  /** For a dialer: the node it means to reach. */
  readonly target: NodeName | undefined;
  /** Frames sent and received since the handshake: what `Node.stats()` reports. */
  framesOut = 0;
  framesIn = 0;

  constructor(
    readonly socket: Socket,
    me: Identity,
    readonly role: 'dial' | 'accept',
    /** Dialer: the node it means to reach. Acceptor: decides whether to admit a peer. */
    expect: NodeName | ((peer: PeerInfo) => Admission),
    private readonly events: ConnectionEvents,
    private readonly opts: ConnectionOptions,
  ) {
    this.handshake = new Handshake(me, role, expect);
    this.target = typeof expect === 'string' ? expect : undefined;
    this.writer = new FrameWriter((chunk, done) => {
      this.wroteSince = true;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        done();
      };
      socket.write(chunk, release);
      stayAwake();
      // Nothing left queued means the kernel took the whole chunk during write(): its
      // memory can be reused now rather than after the callback, so a long burst of
      // sends keeps refilling the same warm buffers instead of allocating fresh ones.
      if (socket.writableLength === 0) release();
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('connection closed'));
    this.timer = setTimeout(() => this.close('handshake timed out'), opts.setupTime);
    if (role === 'dial') {
      if (socket.connecting) socket.once('connect', () => this.handshakeSend(this.handshake.start()));
      else this.handshakeSend(this.handshake.start());
    }
  }

  /** The peer's address as seen on this socket (IPv4-mapped addresses unwrapped). */
  get remoteHost(): string {
    return (this.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  /** This node's address on this socket (IPv4-mapped addresses unwrapped). */
  get localHost(): string {
    return (this.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  /** Queues one frame for the peer; throws `CodecError` if `msg` is not a term. */
  send(msg: unknown): void {
    if (this.state !== 'up') return;
    this.framesOut++;
    this.writer.write(msg);
  }

  /** Ends the connection; the owner gets one `closed` event. */
  close(reason: string, err?: Error): void {
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.timer);
    if (wasUp) this.writer.flush();
    else this.writer.discard();
    this.socket.end();
    this.socket.destroySoon();
    this.events.closed(this, wasUp, reason, err);
  }

  // Internals

  private onData(chunk: Buffer): void {
    this.readSince = true;
    stayAwake();
    try {
      this.decoder.push(chunk, (buf, start, end) => {
        if (this.state === 'up') {
          if (start !== end) {
            this.framesIn++;
            this.events.frame(this, decode(buf, start, end));
          }
        } else if (this.state === 'handshake') {
          this.onHandshakeFrame(decode(buf, start, end));
        }
      });
    } catch (err) {
      if (err instanceof CodecError) return this.close(`bad frame from peer: ${err.message}`, err);
      if (err instanceof HandshakeError) {
        if (err.reply) this.handshakeSend(err.reply);
        return this.close(err.message, err);
      }
      throw err;
    }
  }

  private onHandshakeFrame(msg: unknown): void {
    const step = this.handshake.receive(msg);
    for (const f of step.send ?? []) this.handshakeSend(f);
    if (!step.done) return;
    this.peer = step.done;
    this.state = 'up';
    this.decoder.limit = MAX_FRAME;
    clearTimeout(this.timer);
    const quarter = Math.max(1, Math.floor(this.opts.tickTime / 4));
    this.timer = setInterval(() => this.tick(), quarter);
    this.timer.unref();
    this.events.up(this);
  }

  /** Handshake frames go out at once, outside the batching writer. */
  private handshakeSend(msg: unknown): void {
    if (this.socket.writable) this.socket.write(frame(msg));
  }

  private tick(): void {
    if (this.readSince) this.silentTicks = 0;
    else if (++this.silentTicks >= 4) return this.close('no ticks from the peer (net tick time exceeded)');
    this.readSince = false;
    if (!this.wroteSince) this.socket.write(TICK);
    this.wroteSince = false;
  }
}

