/**
 * @module node/handshake
 * How two nodes agree to talk: they exchange names and versions, then each proves it
 * knows the shared cookie without sending it, as Erlang's distribution handshake does.
 * This module is the only one that touches the cookie.
 *
 * Protocol (each line one frame; D dials, A accepts):
 * ```
 * D -> A  ['hello',  version, nameD, creationD, portD]
 * A -> D  ['status', 'ok', version, nameA, creationA, portA, challengeA]
 *         (or ['status', 'nok' | 'alive' | 'version' | 'bad_name', version],
 *          or ['status', 'not_allowed', version, 'long' | 'short']: A closes)
 * D -> A  ['reply',  challengeD, hmac(cookie, 'reply' | challengeA | nameD)]
 * A -> D  ['ack',    hmac(cookie, 'ack' | challengeD | nameA)]
 *         (or ['status', 'bad_cookie', version]: A closes)
 * ```
 * Challenges are 32 fresh random bytes; digests are HMAC-SHA256. The labels and names
 * inside each digest stop a peer from reflecting one side's proof back at it. The dialer
 * proves first, so an acceptor never signs anything for a peer it has not checked.
 * Status 'nok' means the acceptor keeps its own connection attempt to the dialer (two
 * nodes dialled each other at once, and the one with the greater name wins); 'alive'
 * means a connection to that node is already up. 'not_allowed' refuses a name of the
 * other kind (`address.ts`: long and short names never mix, as in Erlang), naming the
 * acceptor's kind; 'bad_cookie' tells a dialer whose proof failed why it is refused, so
 * a mistake shows on both sides (it says nothing of the cookie itself).
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeName } from '../term.ts';
import { CodedError } from '../errors.ts';
import { playgroundHome } from '../env.ts';
import { nameKind, type NameKind } from '../erlang/address.ts';

export const PROTOCOL_VERSION = 1;

/** Who we are, as the handshake needs it. */
export interface Identity {
  name: NodeName;
  creation: number;
  /** The TCP port this node accepts connections on. */
  port: number;
  cookie: string;
}

/** What the handshake learned about the peer. */
export interface PeerInfo {
  name: NodeName;
  creation: number;
  port: number;
}

/** The acceptor's answer to a dialer's name: go on, or why not. */
export type Admission = 'ok' | 'nok' | 'alive';

export type HandshakeErrorCode =
  | 'ERR_BAD_COOKIE' | 'ERR_VERSION' | 'ERR_REFUSED' | 'ERR_SIMULTANEOUS' | 'ERR_PROTOCOL' | 'ERR_WRONG_NODE' | 'ERR_BAD_NAME'
  | 'ERR_NAME_KIND';

/** The codes of a refusal that retrying cannot mend: a mistake in how a node was started. */
export const MISTAKES: ReadonlySet<HandshakeErrorCode> = new Set(['ERR_BAD_COOKIE', 'ERR_VERSION', 'ERR_NAME_KIND']);

export class HandshakeError extends CodedError<HandshakeErrorCode> {
  constructor(
    code: HandshakeErrorCode,
    message: string,
    /** The peer's name, when it told us one. */
    readonly peer?: NodeName,
    /** A last frame to send the peer before closing, if any. */
    readonly reply?: unknown[],
    /** Why, without who: what a roster shows beside the refused node's name. */
    readonly why?: string,
  ) {
    super(code, message);
  }
}

/** What the caller must do after feeding the handshake a frame. */
export interface Step {
  send?: unknown[];
  /** Set once the handshake has succeeded. */
  done?: PeerInfo;
}

const NAME_RE = /^[A-Za-z0-9_.-]+@[A-Za-z0-9_.:-]+$/;

/** True when `name` looks like `alive@host`. */
export function isNodeName(name: unknown): name is NodeName {
  return typeof name === 'string' && name.length <= 255 && NAME_RE.test(name);
}

// Client API

/**
 * One side of one handshake, driven frame by frame by the connection that owns the
 * socket. `receive` returns what to send and, at the end, the peer; it throws
 * `HandshakeError` when the peer must be refused (the caller then closes the socket).
 */
export class Handshake {
  private state: 'start' | 'hello' | 'status' | 'reply' | 'ack' | 'done';
  private challenge = randomBytes(32);
  private peer: PeerInfo | null = null;

  constructor(
    private readonly me: Identity,
    readonly role: 'dial' | 'accept',
    /** For a dialer: the node it means to reach. For an acceptor: decides whether to admit. */
    private readonly expect: NodeName | ((peer: PeerInfo) => Admission),
  ) {
    this.state = role === 'dial' ? 'start' : 'hello';
  }

  /** The dialer's first frame. */
  start(): unknown[] {
    if (this.state !== 'start') throw new Error('only a dialer starts a handshake');
    this.state = 'status';
    return ['hello', PROTOCOL_VERSION, this.me.name, this.me.creation, this.me.port];
  }

  receive(frame: unknown): Step {
    if (!Array.isArray(frame)) throw this.protocol('a handshake frame must be a list');
    switch (this.state) {
      case 'hello':
        return this.onHello(frame);
      case 'status':
        return this.onStatus(frame);
      case 'reply':
        return this.onReply(frame);
      case 'ack':
        return this.onAck(frame);
      default:
        throw this.protocol(`unexpected frame ${String(frame[0])}`);
    }
  }

  // Internals

  private onHello(f: unknown[]): Step {
    const [tag, version, name, creation, port] = f;
    if (tag !== 'hello' || !Number.isInteger(version)) throw this.protocol('expected hello');
    if (version !== PROTOCOL_VERSION) {
      const peer = isNodeName(name) ? name : undefined;
      throw new HandshakeError('ERR_VERSION', this.versionText(version), peer, ['status', 'version', PROTOCOL_VERSION]);
    }
    if (!isNodeName(name) || !Number.isInteger(creation) || !isPort(port)) {
      const reply = ['status', 'bad_name', PROTOCOL_VERSION];
      throw new HandshakeError('ERR_BAD_NAME', `a peer sent a bad node name: ${safe(name)}`, undefined, reply);
    }
    this.peer = { name, creation: creation as number, port: port as number };
    const mine = nameKind(this.me.name);
    if (nameKind(name) !== mine) {
      const reply = ['status', 'not_allowed', PROTOCOL_VERSION, mine];
      const why = kindText(name, mine, 'refusing');
      throw new HandshakeError('ERR_NAME_KIND', `refused ${name}: ${why}`, name, reply, why);
    }
    const admit = (this.expect as (peer: PeerInfo) => Admission)(this.peer);
    if (admit !== 'ok') {
      const reply = ['status', admit, PROTOCOL_VERSION];
      throw new HandshakeError('ERR_REFUSED', `connection from ${name} refused (${admit})`, name, reply);
    }
    this.state = 'reply';
    const { name: me, creation: myCreation, port: myPort } = this.me;
    return { send: [['status', 'ok', PROTOCOL_VERSION, me, myCreation, myPort, this.challenge]] };
  }

  private onStatus(f: unknown[]): Step {
    const [tag, status, version, name, creation, port, challenge] = f;
    if (tag !== 'status') throw this.protocol('expected status');
    const target = this.expect as NodeName;
    if (version !== PROTOCOL_VERSION) throw new HandshakeError('ERR_VERSION', this.versionText(version), target);
    if (status === 'nok' || status === 'alive') {
      // The peer keeps (or already has) a connection to us: the one coming from its side.
      throw new HandshakeError('ERR_SIMULTANEOUS', `${target} keeps its own connection to this node`, target);
    }
    if (status === 'not_allowed' && (f[3] === 'long' || f[3] === 'short')) {
      throw new HandshakeError('ERR_NAME_KIND', `${target} refused this node: ${kindText(this.me.name, f[3], 'refused')}`, target);
    }
    if (status !== 'ok') throw new HandshakeError('ERR_REFUSED', `${target} refused the connection (${safe(status)})`, target);
    if (name !== target) {
      throw new HandshakeError('ERR_WRONG_NODE', `dialled ${target} but ${safe(name)} answered`, target);
    }
    if (!Number.isInteger(creation) || !isPort(port) || !isChallenge(challenge)) throw this.protocol('malformed status');
    this.peer = { name, creation: creation as number, port: port as number };
    this.state = 'ack';
    return { send: [['reply', this.challenge, digest(this.me.cookie, 'reply', challenge, this.me.name)]] };
  }

  private onReply(f: unknown[]): Step {
    const [tag, challenge, proof] = f;
    const peer = this.peer!;
    if (tag !== 'reply' || !isChallenge(challenge) || !(proof instanceof Uint8Array)) throw this.protocol('expected reply');
    if (!sameDigest(proof, digest(this.me.cookie, 'reply', this.challenge, peer.name))) {
      const reply = ['status', 'bad_cookie', PROTOCOL_VERSION];
      throw new HandshakeError('ERR_BAD_COOKIE', `connection attempt from ${peer.name} rejected: wrong cookie`, peer.name, reply, 'wrong cookie');
    }
    this.state = 'done';
    return { send: [['ack', digest(this.me.cookie, 'ack', challenge, this.me.name)]], done: peer };
  }

  private onAck(f: unknown[]): Step {
    const [tag, proof] = f;
    const peer = this.peer!;
    if (tag === 'status' && proof === 'bad_cookie') {
      const why = 'its cookie is not this node\'s (every node of a cluster starts with the same --cookie)';
      throw new HandshakeError('ERR_BAD_COOKIE', `${peer.name} refused this node: ${why}`, peer.name);
    }
    if (tag !== 'ack' || !(proof instanceof Uint8Array)) throw this.protocol('expected ack');
    if (!sameDigest(proof, digest(this.me.cookie, 'ack', this.challenge, peer.name))) {
      throw new HandshakeError('ERR_BAD_COOKIE', `${peer.name} answered with a wrong cookie`, peer.name);
    }
    this.state = 'done';
    return { done: peer };
  }

  private protocol(text: string): HandshakeError {
    return new HandshakeError('ERR_PROTOCOL', `handshake failed: ${text}`, this.peer?.name);
  }

  private versionText(version: unknown): string {
    return `protocol version mismatch: this node speaks ${PROTOCOL_VERSION}, the peer ${safe(version)}`;
  }
}

/** A fresh creation number: tells this run of a node from earlier runs with the same name. */
export function newCreation(): number {
  return randomInt(1, 2 ** 31);
}

/**
 * The cookie: `--cookie`, else `PLAYGROUND_COOKIE`, else the file `cookie` in
 * `PLAYGROUND_HOME` (default `~/.playground`), created once with a random value and
 * mode 0600 (like Erlang's `~/.erlang.cookie`).
 */
export function loadCookie(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.PLAYGROUND_COOKIE) return env.PLAYGROUND_COOKIE;
  const dir = playgroundHome(env);
  const file = join(dir, 'cookie');
  try {
    return readCookie(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(15).toString('base64url').toUpperCase().replace(/[^A-Z]/g, 'X');
  try {
    // 'wx': when two nodes start at once, the second one reads the first one's cookie.
    writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readCookie(file);
  }
}

/** A short tag derived from the cookie, for discovery packets: equal cookies, equal tags. */
export function cookieTag(cookie: string): Buffer {
  return createHmac('sha256', cookie).update('playground discovery').digest().subarray(0, 8);
}

// Internals

/**
 * Why `wrong` (of the kind `mine` is not) cannot connect, and how to start it instead:
 * `side` is who says it, the refusing node or the refused one.
 */
function kindText(wrong: NodeName, mine: NameKind, side: 'refusing' | 'refused'): string {
  const alive = wrong.slice(0, wrong.indexOf('@'));
  const fix = mine === 'long' ? `--name ${alive}@<its address>` : `--sname ${alive}`;
  const kinds = mine === 'long' ? ['short', 'long'] : ['long', 'short'];
  const whose = side === 'refusing' ? `${wrong} has a ${kinds[0]} name and this node a ${kinds[1]} one` : `this node has a ${kinds[0]} name and it a ${kinds[1]} one`;
  return `${whose}; long and short names never mix in a cluster (start ${side === 'refusing' ? 'it' : 'this node'} with ${fix})`;
}

function readCookie(file: string): string {
  const text = readFileSync(file, 'utf8').trim();
  if (!text) throw new Error(`the cookie file ${file} is empty`);
  return text;
}

function digest(cookie: string, label: string, challenge: Uint8Array, name: string): Buffer {
  return createHmac('sha256', cookie).update(label).update(challenge).update(name).digest();
}

function sameDigest(got: Uint8Array, want: Buffer): boolean {
  return got.length === want.length && timingSafeEqual(got, want);
}

function isChallenge(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

function isPort(x: unknown): boolean {
  return Number.isInteger(x) && (x as number) >= 0 && (x as number) < 65536;
}

function safe(x: unknown): string {
  const s = typeof x === 'string' ? JSON.stringify(x) : String(x);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
