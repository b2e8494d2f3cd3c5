/**
 * @module node/erlang-connection
 * One TCP connection to one BEAM node: Erlang's handshake (`erlang/handshake`), then its
 * distribution frames both ways (ticks and the end of the connection are
 * `peer-socket.ts`'s). To the node it looks like a playground connection: it takes and
 * gives the frames of `dist.ts`, and translates them to and from Erlang's control
 * messages (`erlang/dist/control.ts`) and terms (`erlang/etf`).
 *
 * Protocol: during the handshake every packet has a u16 length; after it a u32 length,
 * and a frame is `112, 131 control, [131 payload]`. An empty frame is a tick (Erlang's
 * `net_ticktime`: give both sides the same). A control message that does not decode
 * closes the connection, as the BEAM does; a payload that does not decode, or a control
 * message this node does not serve, drops that one message with one warning.
 */
import type { Socket } from 'node:net';
import { Pid, type NodeName } from '../term.ts';
import { Decoder, Encoder, EtfError } from '../erlang/etf/index.ts';
import * as C from '../erlang/dist/control.ts';
import { ErlangHandshake, ErlangHandshakeError, type Admission, type ErlangPeer } from '../erlang/handshake/handshake.ts';
import { DIST_MONITOR, EXIT_PAYLOAD, UNLINK_ID } from '../erlang/handshake/flags.ts';
import { CodecError, FrameDecoder, MAX_FRAME } from './codec.ts';
import { stayAwake } from './busy-wait.ts';
import { PeerSocket, type ConnectionEvents, type ConnectionOptions } from './peer-socket.ts';
import type { Identity, PeerInfo } from './handshake.ts';
import { route, unroute } from '../erlang/kernel/index.ts';
import * as op from './dist.ts';

/** Handshake packets are small; a bigger one is not a handshake. */
const HANDSHAKE_LIMIT = 1024;
/** A batch this big goes to the socket at once, without waiting for the end of the tick. */
const HIGH_WATER = 256 * 1024;
/** The encoder's buffer: room for a batch and the frame that crosses the mark. */
const BATCH = HIGH_WATER + 64 * 1024;
/** Stands for "no payload" (undefined is a payload: the atom undefined). */
const NO_PAYLOAD: unique symbol = Symbol('no payload');

export class ErlangConnection extends PeerSocket {
  readonly wire = 'erlang';
  /** The distribution flags both sides announced. */
  flags = 0n;
  private readonly handshake: ErlangHandshake;
  private pending: Buffer = Buffer.alloc(0);
  private readonly decoder = new FrameDecoder(MAX_FRAME);
  private readonly encoder = new Encoder(BATCH);
  private readonly spare: Buffer[] = [];
  private scheduled = false;
  private nextUnlinkId = 1;
  /** The sender of a REG_SEND that no process of ours made (one sent from outside any process). */
  private readonly nobody: Pid;

  constructor(
    socket: Socket,
    me: Identity,
    role: 'dial' | 'accept',
    /** Dialer: the node it means to reach. Acceptor: decides whether to admit a peer. */
    expect: NodeName | ((peer: PeerInfo) => Admission),
    events: ConnectionEvents,
    opts: ConnectionOptions,
    /** Dialer: the port the peer listens on (from the port mapper). */
    private readonly peerPort = 0,
  ) {
    super(socket, role, typeof expect === 'string' ? expect : undefined, events, opts);
    const admit = typeof expect === 'string' ? expect : (p: ErlangPeer) => expect({ name: p.name, creation: p.creation, port: 0 });
    this.handshake = new ErlangHandshake({ name: me.name, creation: me.creation, cookie: me.cookie }, role, admit);
    this.nobody = new Pid(me.name, 0, me.creation);
    if (role === 'dial') this.whenConnected(() => this.handshakeSend(this.handshake.start()));
  }

  /** Sends one frame of `dist.ts` as Erlang's control message; throws `EtfError` if it holds a value Erlang cannot. */
  send(frame: unknown[]): void {
    if (this.state !== 'up') return;
    const message = this.toErlang(frame);
    if (message === null) return;
    this.write(message[0], message.length === 2 ? message[1] : NO_PAYLOAD);
    this.framesOut++;
  }

  // Internals: bytes in

  protected receive(chunk: Buffer): void {
    try {
      if (this.state === 'handshake') return this.onHandshakeData(chunk);
      if (this.state === 'up') this.decoder.push(chunk, (buf, start, end) => this.onFrame(buf, start, end));
    } catch (err) {
      if (err instanceof ErlangHandshakeError) {
        if (err.reply) this.handshakeSend(err.reply);
        return this.close(err.message, err);
      }
      if (err instanceof CodecError || err instanceof EtfError) return this.close(`bad frame from ${this.peer?.name ?? 'a peer'}: ${err.message}`, err);
      throw err;
    }
  }

  private onHandshakeData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.state === 'handshake' && this.pending.length >= 2) {
      const size = this.pending.readUInt16BE(0);
      if (size === 0 || size > HANDSHAKE_LIMIT) throw new ErlangHandshakeError('ERR_PROTOCOL', `handshake failed: a packet of ${size} bytes`);
      if (this.pending.length < 2 + size) return;
      const packet = this.pending.subarray(2, 2 + size);
      this.pending = this.pending.subarray(2 + size);
      const step = this.handshake.receive(packet);
      for (const p of step.send ?? []) this.handshakeSend(p);
      if (step.done) this.onShaken(step.done);
    }
  }

  private onShaken(peer: ErlangPeer): void {
    this.flags = peer.flags;
    this.up({ name: peer.name, creation: peer.creation, port: this.peerPort });
    // Frames the peer sent right behind its last handshake packet.
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length > 0 && this.state === 'up') this.decoder.push(rest, (buf, start, end) => this.onFrame(buf, start, end));
  }

  private onFrame(buf: Buffer, start: number, end: number): void {
    if (start === end) return; // a tick
    if (buf[start] !== C.PASS_THROUGH) throw new EtfError('ERR_BAD_TERM', `a frame that starts with ${buf[start]}, not ${C.PASS_THROUGH} (an atom cache this node never agreed to?)`);
    const d = new Decoder(buf, start + 1, end);
    const control = d.term();
    if (!Array.isArray(control) || typeof control[0] !== 'number') throw new EtfError('ERR_BAD_TERM', 'a control message that is not a tuple with an opcode');
    let payload: unknown;
    if (!d.done) {
      try {
        payload = d.term();
      } catch (err) {
        if (!(err instanceof EtfError)) throw err;
        return this.events.warn(`dropped a message from ${this.peer!.name}: ${err.message}`);
      }
    }
    this.framesIn++;
    const frame = this.fromErlang(control, payload);
    if (frame !== null) this.events.frame(this, frame);
  }

  // Internals: translation

  /** A control message (and payload) from the peer as a frame of `dist.ts`; null when there is nothing to apply. */
  private fromErlang(c: unknown[], payload: unknown): unknown[] | null {
    switch (c[0]) {
      case C.SEND:
      case C.SEND_TT:
      case C.SEND_SENDER:
      case C.SEND_SENDER_TT:
        return [op.SEND, c[2], payload];
      case C.REG_SEND:
      case C.REG_SEND_TT:
        return [op.REG_SEND, c[1], route(c[3]), payload];
      case C.LINK:
        return [op.LINK, c[1], c[2]];
      case C.UNLINK:
        return [op.UNLINK, c[1], c[2]];
      case C.UNLINK_ID:
        this.write([C.UNLINK_ID_ACK, c[1], c[3], c[2]]);
        return [op.UNLINK, c[2], c[3]];
      case C.EXIT:
      case C.EXIT2:
        return [c[0] === C.EXIT ? op.EXIT : op.EXIT2, c[1], c[2], c[3]];
      case C.EXIT_TT:
      case C.EXIT2_TT:
        return [c[0] === C.EXIT_TT ? op.EXIT : op.EXIT2, c[1], c[2], c[4]];
      case C.PAYLOAD_EXIT:
      case C.PAYLOAD_EXIT_TT:
        return [op.EXIT, c[1], c[2], payload];
      case C.PAYLOAD_EXIT2:
      case C.PAYLOAD_EXIT2_TT:
        return [op.EXIT2, c[1], c[2], payload];
      case C.MONITOR_P:
        return [op.MONITOR, c[1], route(c[2]), c[3]];
      case C.DEMONITOR_P:
        return [op.DEMONITOR, c[1], c[3], this.monitored(c[2])];
      case C.MONITOR_P_EXIT:
        return [op.DOWN, c[2], c[3], this.monitored(c[1]), c[4]];
      case C.PAYLOAD_MONITOR_P_EXIT:
        return [op.DOWN, c[2], c[3], this.monitored(c[1]), payload];
      case C.SPAWN_REQUEST:
      case C.SPAWN_REQUEST_TT:
        // Remote spawn is not served here (this node does not offer DFLAG_SPAWN).
        this.write([C.SPAWN_REPLY, c[1], c[2], 0, 'notsup']);
        return null;
      case C.UNLINK_ID_ACK:
      case C.GROUP_LEADER:
      case C.NODE_LINK:
        return null;
      case C.ALIAS_SEND:
      case C.ALIAS_SEND_TT:
        this.events.warn(`dropped a message from ${this.peer!.name} to an alias: this node makes no aliases`);
        return null;
      default:
        this.events.warn(`dropped a control message from ${this.peer!.name} this node does not know (opcode ${String(c[0])})`);
        return null;
    }
  }

  /** A frame of `dist.ts` as `[control]` or `[control, payload]`; null for what a BEAM node has no use for. */
  private toErlang(f: unknown[]): [unknown] | [unknown, unknown] | null {
    const payloads = (this.flags & EXIT_PAYLOAD) !== 0n;
    switch (f[0]) {
      case op.SEND:
        return [[C.SEND, '', f[1]], f[2]];
      case op.REG_SEND:
        return [[C.REG_SEND, f[1] ?? this.nobody, '', f[2]], f[3]];
      case op.LINK:
        return [[C.LINK, f[1], f[2]]];
      case op.UNLINK:
        if ((this.flags & UNLINK_ID) !== 0n) return [[C.UNLINK_ID, this.nextUnlinkId++, f[1], f[2]]];
        return [[C.UNLINK, f[1], f[2]]];
      case op.EXIT:
        return payloads ? [[C.PAYLOAD_EXIT, f[1], f[2]], f[3]] : [[C.EXIT, f[1], f[2], f[3]]];
      case op.EXIT2:
        return payloads ? [[C.PAYLOAD_EXIT2, f[1], f[2]], f[3]] : [[C.EXIT2, f[1], f[2], f[3]]];
      case op.MONITOR:
        return (this.flags & DIST_MONITOR) !== 0n ? [[C.MONITOR_P, f[1], f[2], f[3]]] : null;
      case op.DEMONITOR:
        return (this.flags & DIST_MONITOR) !== 0n ? [[C.DEMONITOR_P, f[1], procOf(f[3]), f[2]]] : null;
      case op.DOWN: {
        const [, watcher, ref, target, reason] = f;
        const from = unroute(procOf(target));
        return payloads ? [[C.PAYLOAD_MONITOR_P_EXIT, from, watcher, ref], reason] : [[C.MONITOR_P_EXIT, from, watcher, ref, reason]];
      }
      case op.SPAWN_REQUEST:
        // A BEAM node runs Erlang, not JavaScript: the request fails at once, as if refused there.
        queueMicrotask(() => {
          const why = `${this.peer!.name} is a BEAM node: it runs Erlang, not the playground's JavaScript`;
          this.events.frame(this, [op.SPAWN_REPLY, f[1], f[2], ['error', why]]);
        });
        return null;
      default:
        return null; // PEERS, partitions and the playground's own operations: the BEAM meshes by itself
    }
  }

  /** What a monitor named: a pid, or a registered name on the peer. */
  private monitored(proc: unknown): Pid | [string, NodeName] {
    return typeof proc === 'string' ? [proc, this.peer!.name] : (proc as Pid);
  }

  /**
   * Encodes one frame, `112, control, [payload]`, behind those already waiting, and
   * sees that they go out by the end of this turn of the event loop (at once past the
   * high-water mark). On a value that cannot be encoded nothing of the frame stays.
   */
  private write(control: unknown, payload: unknown = NO_PAYLOAD): void {
    const e = this.encoder;
    const start = e.pos;
    e.room(5);
    e.pos += 4;
    e.buf[e.pos++] = C.PASS_THROUGH;
    try {
      e.term(control);
      if (payload !== NO_PAYLOAD) e.term(payload);
    } catch (err) {
      e.pos = start;
      throw err;
    }
    e.buf.writeUInt32BE(e.pos - start - 4, start);
    if (e.pos >= HIGH_WATER) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  // Internals: bytes out

  protected endOutput(flush: boolean): void {
    if (flush) this.flush();
  }

  /** Hands every frame encoded so far to the socket, in one chunk. */
  private flush(): void {
    this.scheduled = false;
    const e = this.encoder;
    if (e.pos === 0 || this.state === 'closed') return;
    const full = e.buf;
    const chunk = full.subarray(0, e.pos);
    e.buf = this.spare.pop() ?? Buffer.allocUnsafe(BATCH);
    e.pos = 0;
    this.wroteSince = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (full.length === BATCH && this.spare.length < 4) this.spare.push(full);
    };
    this.socket.write(chunk, release);
    stayAwake();
    // The kernel took the whole chunk at once: its buffer can be filled again now.
    if (this.socket.writableLength === 0) release();
  }

  private handshakeSend(packet: Buffer): void {
    if (!this.socket.writable) return;
    const out = Buffer.allocUnsafe(2 + packet.length);
    out.writeUInt16BE(packet.length, 0);
    packet.copy(out, 2);
    this.socket.write(out);
  }

}

// Internals

/** The process of a monitor in Erlang's terms: a pid, or a name (for `[name, node]`). */
function procOf(target: unknown): unknown {
  return Array.isArray(target) ? target[0] : target;
}
