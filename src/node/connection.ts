/**
 * @module node/connection
 * One TCP connection to one playground node: the playground's handshake, then its
 * frames both ways (ticks and the end of the connection are `peer-socket.ts`'s). What the
 * frames mean is the distribution layer's business (`dist.ts`); this module only moves
 * them.
 *
 * Protocol: frames as in `codec.ts`. Until the handshake is done only small frames are
 * accepted (`HANDSHAKE_FRAME_LIMIT`), after it up to `MAX_FRAME`. An empty frame is a
 * tick. A frame that does not decode closes this connection only.
 */
import { stayAwake } from './busy-wait.ts';
import type { Socket } from 'node:net';
import { decode, frame, FrameDecoder, FrameWriter, HANDSHAKE_FRAME_LIMIT, MAX_FRAME, CodecError } from './codec.ts';
import { Handshake, HandshakeError, type Admission, type Identity, type PeerInfo } from './handshake.ts';
import { PeerSocket, type ConnectionEvents, type ConnectionOptions } from './peer-socket.ts';
import type { NodeName } from '../term.ts';

export type { ConnectionEvents, ConnectionOptions, PeerConnection } from './peer-socket.ts';

export class Connection extends PeerSocket {
  readonly wire = 'playground';
  private readonly handshake: Handshake;
  private readonly decoder = new FrameDecoder(HANDSHAKE_FRAME_LIMIT);
  private readonly writer: FrameWriter;

  constructor(
    socket: Socket,
    me: Identity,
    role: 'dial' | 'accept',
    /** Dialer: the node it means to reach. Acceptor: decides whether to admit a peer. */
    expect: NodeName | ((peer: PeerInfo) => Admission),
    events: ConnectionEvents,
    opts: ConnectionOptions,
  ) {
    super(socket, role, typeof expect === 'string' ? expect : undefined, events, opts);
    this.handshake = new Handshake(me, role, expect);
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
    if (role === 'dial') this.whenConnected(() => this.handshakeSend(this.handshake.start()));
  }

  /** Queues one frame for the peer; throws `CodecError` if `msg` is not a term. */
  send(msg: unknown): void {
    if (this.state !== 'up') return;
    this.framesOut++;
    this.writer.write(msg);
  }

  // Internals

  protected endOutput(flush: boolean): void {
    if (flush) this.writer.flush();
    else this.writer.discard();
  }

  protected receive(chunk: Buffer): void {
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
    this.decoder.limit = MAX_FRAME;
    this.up(step.done);
  }

  /** Handshake frames go out at once, outside the batching writer. */
  private handshakeSend(msg: unknown): void {
    if (this.socket.writable) this.socket.write(frame(msg));
  }
}
