/**
 * @module erlang/handshake
 * Erlang's distribution handshake, version 6 (erts/doc/guides/erl_dist_protocol.md in
 * erlang/otp, "Distribution Handshake"): how a playground node and a BEAM node agree to
 * talk. Both prove they know the cookie without sending it: each sends a random 32-bit
 * challenge and checks the answer `md5(cookie ++ decimal text of the challenge)`.
 *
 * Protocol (each packet `u16 length, body`; D dials, A accepts):
 * ```
 * D -> A  'N' flags:u64 creation:u32 nlen:u16 name        send_name
 * A -> D  's' status                                       ok | ok_simultaneous | nok | not_allowed | alive
 *         (after alive, D -> A 's' true | false: whether A should drop its old connection)
 * A -> D  'N' flags:u64 challenge:u32 creation:u32 nlen:u16 name
 * D -> A  'r' challenge:u32 digest[16]                     D's proof and D's challenge
 * A -> D  'a' digest[16]                                   A's proof
 * ```
 * After 'a' both sides use the flags both announced; every later packet has a u32
 * length. A peer without the flags this node needs is refused with `not_allowed`
 * (dialling, the connection is dropped) and the refusal names what it lacks.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { CodedError } from '../../errors.ts';
import { OFFERED, REQUIRED, missing } from './flags.ts';

/** Who we are, as the handshake needs it. */
export interface Identity {
  name: string;
  creation: number;
  cookie: string;
}

/** What the handshake learned about the peer. */
export interface ErlangPeer {
  name: string;
  creation: number;
  /** The flags both sides announced. */
  flags: bigint;
}

/** The acceptor's answer to a dialer's name: go on, or why not. */
export type Admission = 'ok' | 'nok' | 'alive';

export type ErlangHandshakeErrorCode =
  'ERR_BAD_COOKIE' | 'ERR_REFUSED' | 'ERR_SIMULTANEOUS' | 'ERR_PROTOCOL' | 'ERR_WRONG_NODE' | 'ERR_FLAGS';

export class ErlangHandshakeError extends CodedError<ErlangHandshakeErrorCode> {
  constructor(
    code: ErlangHandshakeErrorCode,
    message: string,
    /** The peer's name, when it told us one. */
    readonly peer?: string,
    /** A last packet to send the peer before closing, if any. */
    readonly reply?: Buffer,
  ) {
    super(code, message);
  }
}

/** What the caller must do after feeding the handshake a packet. */
export interface Step {
  send?: Buffer[];
  /** Set once the handshake has succeeded. */
  done?: ErlangPeer;
}

// Client API

/**
 * One side of one handshake, driven packet by packet by the connection that owns the
 * socket (packets without their length prefix). `receive` throws `ErlangHandshakeError`
 * when the peer must be refused; the caller sends `err.reply` if any, then closes.
 *
 * @example
 * const hs = new ErlangHandshake({ name: 'bob@vm', creation: 7, cookie: 'monster' }, 'dial', 'alice@vm')
 * write(hs.start())                      // 'N', flags, creation, name
 * const step = hs.receive(packetFromPeer) //=> { send: [...] } and at last { done: { name: 'alice@vm', ... } }
 */
export class ErlangHandshake {
  private state: 'start' | 'name' | 'status' | 'alive' | 'challenge' | 'reply' | 'ack' | 'done';
  private readonly challenge = randomInt(0, 2 ** 32);
  private peer: ErlangPeer | null = null;

  constructor(
    private readonly me: Identity,
    readonly role: 'dial' | 'accept',
    /** For a dialer: the node it means to reach. For an acceptor: decides whether to admit. */
    private readonly expect: string | ((peer: ErlangPeer) => Admission),
  ) {
    this.state = role === 'dial' ? 'start' : 'name';
  }

  /** The dialer's first packet. */
  start(): Buffer {
    if (this.state !== 'start') throw new Error('only a dialer starts a handshake');
    this.state = 'status';
    const name = Buffer.from(this.me.name, 'utf8');
    const out = Buffer.alloc(15 + name.length);
    out[0] = 0x4e; // 'N'
    out.writeBigUInt64BE(OFFERED, 1);
    out.writeUInt32BE(this.me.creation, 9);
    out.writeUInt16BE(name.length, 13);
    name.copy(out, 15);
    return out;
  }

  receive(packet: Buffer): Step {
    switch (this.state) {
      case 'name':
        return this.onName(packet);
      case 'status':
        return this.onStatus(packet);
      case 'alive':
        return this.onAliveAnswer(packet);
      case 'challenge':
        return this.onChallenge(packet);
      case 'reply':
        return this.onReply(packet);
      case 'ack':
        return this.onAck(packet);
      default:
        throw this.protocol(`unexpected packet ${tagOf(packet)}`);
    }
  }

  // Internals: the acceptor

  private onName(p: Buffer): Step {
    if (p[0] !== 0x4e || p.length < 15) throw this.protocol(`expected a name ('N'), got ${tagOf(p)}`);
    const flags = p.readBigUInt64BE(1);
    const nlen = p.readUInt16BE(13);
    const name = p.toString('utf8', 15, 15 + nlen);
    if (p.length !== 15 + nlen || !name.includes('@')) throw this.protocol(`a bad node name ${JSON.stringify(name)}`);
    const lacks = missing(flags & REQUIRED);
    if (lacks.length > 0) {
      throw new ErlangHandshakeError('ERR_FLAGS', `connection attempt from ${name} refused: it cannot handle ${lacks.join(', ')}`, name, status('not_allowed'));
    }
    this.peer = { name, creation: p.readUInt32BE(9), flags: flags & OFFERED };
    const admit = (this.expect as (peer: ErlangPeer) => Admission)(this.peer);
    if (admit === 'nok') throw new ErlangHandshakeError('ERR_REFUSED', `connection from ${name} refused (nok)`, name, status('nok'));
    if (admit === 'alive') {
      this.state = 'alive';
      return { send: [status('alive')] };
    }
    this.state = 'reply';
    return { send: [status('ok'), this.challengePacket()] };
  }

  /** After 'alive': the dialer says whether to go on (its old connection is stale) or not. */
  private onAliveAnswer(p: Buffer): Step {
    const answer = p.toString('latin1', 1);
    if (p[0] !== 0x73 || answer !== 'true') {
      throw new ErlangHandshakeError('ERR_REFUSED', `${this.peer!.name} keeps its connection to this node`, this.peer!.name);
    }
    this.state = 'reply';
    return { send: [this.challengePacket()] };
  }

  private onReply(p: Buffer): Step {
    const peer = this.peer!;
    if (p[0] !== 0x72 || p.length !== 21) throw this.protocol(`expected a challenge reply ('r'), got ${tagOf(p)}`);
    if (!sameDigest(p.subarray(5, 21), digest(this.me.cookie, this.challenge))) {
      throw new ErlangHandshakeError('ERR_BAD_COOKIE', `connection attempt from ${peer.name} rejected: wrong cookie (invalid challenge reply)`, peer.name);
    }
    const ack = Buffer.alloc(17);
    ack[0] = 0x61; // 'a'
    digest(this.me.cookie, p.readUInt32BE(1)).copy(ack, 1);
    this.state = 'done';
    return { send: [ack], done: peer };
  }

  private challengePacket(): Buffer {
    const name = Buffer.from(this.me.name, 'utf8');
    const out = Buffer.alloc(19 + name.length);
    out[0] = 0x4e; // 'N'
    out.writeBigUInt64BE(OFFERED, 1);
    out.writeUInt32BE(this.challenge, 9);
    out.writeUInt32BE(this.me.creation, 13);
    out.writeUInt16BE(name.length, 17);
    name.copy(out, 19);
    return out;
  }

  // Internals: the dialer

  private onStatus(p: Buffer): Step {
    const target = this.expect as string;
    if (p[0] !== 0x73) throw this.protocol(`expected a status ('s'), got ${tagOf(p)}`, target);
    const s = p.toString('latin1', 1);
    if (s === 'ok' || s === 'ok_simultaneous') {
      this.state = 'challenge';
      return {};
    }
    if (s === 'alive') {
      // The peer still holds a connection from us that we no longer have: it is stale.
      this.state = 'challenge';
      return { send: [status('true')] };
    }
    if (s === 'nok') throw new ErlangHandshakeError('ERR_SIMULTANEOUS', `${target} keeps its own connection to this node`, target);
    throw new ErlangHandshakeError('ERR_REFUSED', `${target} refused the connection (${s.slice(0, 40)})`, target);
  }

  private onChallenge(p: Buffer): Step {
    const target = this.expect as string;
    if (p[0] !== 0x4e || p.length < 19) throw this.protocol(`expected a challenge ('N'), got ${tagOf(p)}`, target);
    const flags = p.readBigUInt64BE(1);
    const nlen = p.readUInt16BE(17);
    const name = p.toString('utf8', 19, 19 + nlen);
    if (name !== target) throw new ErlangHandshakeError('ERR_WRONG_NODE', `dialled ${target} but ${JSON.stringify(name)} answered`, target);
    const lacks = missing(flags & REQUIRED);
    if (lacks.length > 0) throw new ErlangHandshakeError('ERR_FLAGS', `${target} cannot handle ${lacks.join(', ')}`, target);
    this.peer = { name, creation: p.readUInt32BE(13), flags: flags & OFFERED };
    const reply = Buffer.alloc(21);
    reply[0] = 0x72; // 'r'
    reply.writeUInt32BE(this.challenge, 1);
    digest(this.me.cookie, p.readUInt32BE(9)).copy(reply, 5);
    this.state = 'ack';
    return { send: [reply] };
  }

  private onAck(p: Buffer): Step {
    const peer = this.peer!;
    if (p[0] !== 0x61 || p.length !== 17) throw this.protocol(`expected an acknowledgement ('a'), got ${tagOf(p)}`, peer.name);
    if (!sameDigest(p.subarray(1, 17), digest(this.me.cookie, this.challenge))) {
      throw new ErlangHandshakeError('ERR_BAD_COOKIE', `${peer.name} answered with a wrong cookie`, peer.name);
    }
    this.state = 'done';
    return { done: peer };
  }

  private protocol(text: string, peer = this.peer?.name): ErlangHandshakeError {
    return new ErlangHandshakeError('ERR_PROTOCOL', `handshake failed: ${text}`, peer);
  }
}

// Internals

/** The proof of knowing the cookie: md5 of the cookie followed by the challenge in decimal. */
function digest(cookie: string, challenge: number): Buffer {
  return createHash('md5').update(cookie).update(String(challenge)).digest();
}

function sameDigest(got: Uint8Array, want: Buffer): boolean {
  return got.length === want.length && timingSafeEqual(got, want);
}

function status(text: string): Buffer {
  return Buffer.concat([Buffer.from('s'), Buffer.from(text, 'latin1')]);
}

function tagOf(p: Buffer): string {
  return p.length === 0 ? 'an empty packet' : JSON.stringify(String.fromCharCode(p[0]!));
}
