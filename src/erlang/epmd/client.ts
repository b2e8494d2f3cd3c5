/**
 * @module erlang/epmd/client
 * Talking to the port mapper, the playground's or Erlang's own epmd (the protocol is in
 * `protocol.ts`): register this node's name and keep the registration open, look a
 * node up (on this machine, or at the port mapper of the node's host), list the names.
 * A node that finds no port mapper starts one as a detached OS process.
 */
import { spawn } from 'node:child_process';
import { connect, isIP, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodedError } from '../../errors.ts';
import { portFromEnv } from '../../env.ts';
import {
  ALIVE2_REQ, ALIVE2_RESP, ALIVE2_X_RESP, DIST_VERSION, EPMD_PORT, NAMES_REQ, NODE_TYPE_NORMAL,
  PORT2_RESP, PORT_PLEASE2_REQ, aliveOf, entryBytes, isPlaygroundExtra, parseEntry, playgroundExtra, request, type NodeEntry,
} from './protocol.ts';
import { hostOf, isLocalHost } from '../address.ts';

export { isLocalHost } from '../address.ts';

export class EpmdError extends CodedError<'ERR_NAME_TAKEN' | 'ERR_EPMD_UNREACHABLE' | 'ERR_EPMD_PROTOCOL'> {}

/** A live registration: the name is ours until `close()` or until `lost` fires. */
export interface Registration {
  /** The incarnation number the port mapper gave this registration. */
  creation: number;
  close(): void;
  /** Resolves when the port mapper connection ends for any reason. */
  lost: Promise<void>;
  /** True until the connection ends. */
  readonly open: boolean;
  /** Why other machines cannot look the node up, when it asked to be found and cannot be. */
  readonly warning?: string;
}

export interface NamesReply {
  /** The port the mapper listens on. */
  port: number;
  /** Each registered name (the part before `@`) and its port. */
  names: [string, number][];
}

/** Which protocol a node speaks: the playground's own, or Erlang's distribution. */
export type Wire = 'playground' | 'erlang';

/** Where a node may be reached, as a peer or an announcement told it. */
export interface Address {
  host: string;
  port: number;
  wire?: Wire;
}

/** Where a node listens and what it speaks. */
export interface Location {
  host: string;
  port: number;
  wire: Wire;
}

const REQUEST_TIMEOUT = 3000;
/** How long a node waits for a port mapper it started to come up. */
const START_TIMEOUT = 8000;

// Client API

/**
 * The port mapper's port: `PLAYGROUND_EPMD_PORT`, else `ERL_EPMD_PORT` (as Erlang reads
 * it, so a playground beside an `erl` that was given one meets it there), else epmd's
 * own 4369.
 *
 * @example
 * epmdPort({}) //=> 4369
 * epmdPort({ ERL_EPMD_PORT: '14369' }) //=> 14369
 * epmdPort({ PLAYGROUND_EPMD_PORT: '14370', ERL_EPMD_PORT: '14369' }) //=> 14370
 */
export function epmdPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFromEnv('PLAYGROUND_EPMD_PORT', portFromEnv('ERL_EPMD_PORT', EPMD_PORT, env), env);
}

/**
 * Registers `node` at `nodePort` with the port mapper on `epmdPort`, starting one if
 * none answers; with `listen` (an address of this machine, a long name's) the mapper
 * answers look-ups on that address too, which the node then checks by looking itself up
 * there (`warning` says why not, if not). Rejects with `EpmdError` 'ERR_NAME_TAKEN' when
 * the name is in use.
 *
 * @example
 * const reg = await register('bob@vm', 41237, 4369)
 * reg.creation //=> 1795986851
 * reg.close()   // frees the name
 */
export async function register(node: string, nodePort: number, epmdPort: number, listen?: string): Promise<Registration> {
  const name = aliveOf(node);
  const body = Buffer.concat([
    Buffer.from([ALIVE2_REQ]),
    entryBytes({
      name, port: nodePort, nodeType: NODE_TYPE_NORMAL, protocol: 0,
      highVersion: DIST_VERSION, lowVersion: DIST_VERSION, extra: playgroundExtra(listen),
    }),
  ]);
  const { socket, reply } = await ensureExchange(epmdPort, body, (b) => (b[0] === ALIVE2_RESP ? 4 : 6));
  const ok = (reply[0] === ALIVE2_X_RESP || reply[0] === ALIVE2_RESP) && reply[1] === 0;
  if (!ok) {
    socket.destroy();
    if (reply[0] !== ALIVE2_X_RESP && reply[0] !== ALIVE2_RESP) throw new EpmdError('ERR_EPMD_PROTOCOL', 'the port mapper sent a bad reply');
    const holder = await lookup(node, epmdPort);
    throw new EpmdError('ERR_NAME_TAKEN', `the name ${name} is already in use${holder ? ` (port ${holder.port})` : ''}`);
  }
  const creation = reply[0] === ALIVE2_X_RESP ? reply.readUInt32BE(2) : reply.readUInt16BE(2);
  const lost = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', () => {}); // the mapper says nothing more; keep the stream flowing
  // Asked only of an address of this machine: the check never leaves it.
  const found = listen === undefined || (isLocalHost(listen) && (await lookup(node, epmdPort, listen))?.port === nodePort);
  return {
    creation,
    close: () => socket.destroy(),
    lost,
    get open() {
      return !socket.destroyed;
    },
    ...(!found && { warning: `other machines cannot look ${node} up: no port mapper answers for it at ${listen}:${epmdPort}` }),
  };
}

/**
 * What the port mapper on `epmdPort` of `host` (default this machine) knows of `node`,
 * or null (unknown, or no mapper).
 *
 * @example
 * (await lookup('bob@vm', 4369))?.port //=> 41237
 */
export async function lookup(node: string, epmdPort: number, host = '127.0.0.1'): Promise<NodeEntry | null> {
  const body = Buffer.concat([Buffer.from([PORT_PLEASE2_REQ]), Buffer.from(aliveOf(node), 'utf8')]);
  try {
    const { reply } = await exchange(epmdPort, body, 'all', host);
    if (reply[0] !== PORT2_RESP || reply[1] !== 0) return null;
    return parseEntry(reply, 2);
  } catch {
    return null;
  }
}

/**
 * Where to dial `node` and what it speaks: `hint` when it says the wire (an
 * announcement, a peer or a connection just told it; a node forgets a hint when that node
 * goes down), its host replaced by the name's when the name is another machine's
 * address; else the port mapper of the name's host, this machine's or another's; else
 * a hint without a wire, as a playground node.
 *
 * @example
 * await locate('alice@vm', 4369) //=> { host: '127.0.0.1', port: 39315, wire: 'erlang' }
 */
export async function locate(node: string, epmdPort: number, hint?: Address): Promise<Location | undefined> {
  const host = hostOf(node);
  const local = isLocalHost(host);
  const hinted = hint && { host: isIP(host) && !local ? host : hint.host, port: hint.port, wire: hint.wire ?? 'playground' };
  if (hint?.wire) return hinted;
  const at = local ? '127.0.0.1' : host;
  const entry = await lookup(node, epmdPort, at);
  if (entry === null) return hinted;
  return { host: at, port: entry.port, wire: isPlaygroundExtra(entry.extra) ? 'playground' : 'erlang' };
}

/**
 * Every registered name, or throws `EpmdError` 'ERR_EPMD_UNREACHABLE' when no mapper runs.
 *
 * @example
 * await names(4369) //=> { port: 4369, names: [['alice', 39315], ['bob', 41237]] }
 */
export async function names(epmdPort: number): Promise<NamesReply> {
  const { reply } = await exchange(epmdPort, Buffer.from([NAMES_REQ]), 'all');
  if (reply.length < 4) throw new EpmdError('ERR_EPMD_PROTOCOL', 'the port mapper sent a bad names reply');
  const out: [string, number][] = [];
  for (const line of reply.toString('utf8', 4).split('\n')) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) out.push([m[1]!, Number(m[2])]);
  }
  return { port: reply.readUInt32BE(0), names: out };
}

/** Starts a detached port mapper process on `epmdPort`; it outlives this process. */
export function spawnPortMapper(epmdPort: number): void {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsxLoader(), main, String(epmdPort)], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
  });
  child.on('error', () => {});
  child.unref();
}

// Internals

/** How many reply bytes make a whole reply (`'all'`: whatever comes before the mapper closes). */
type ReplySize = 'all' | ((head: Buffer) => number);

/** `exchange`, starting a port mapper first if none answers. */
async function ensureExchange(epmdPort: number, body: Buffer, size: ReplySize) {
  try {
    return await exchange(epmdPort, body, size);
  } catch (err) {
    if (!(err instanceof EpmdError) || err.code !== 'ERR_EPMD_UNREACHABLE') throw err;
  }
  spawnPortMapper(epmdPort);
  const deadline = Date.now() + START_TIMEOUT;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      return await exchange(epmdPort, body, size);
    } catch (err) {
      if (!(err instanceof EpmdError) || err.code !== 'ERR_EPMD_UNREACHABLE' || Date.now() > deadline) throw err;
    }
  }
}

/** Sends one request and waits for its reply; with a sized reply the socket stays open. */
function exchange(epmdPort: number, body: Buffer, size: ReplySize, host = '127.0.0.1'): Promise<{ socket: Socket; reply: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: epmdPort, host });
    let reply = Buffer.alloc(0);
    let settled = false;
    const settle = (err: EpmdError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve({ socket, reply });
      }
    };
    const timer = setTimeout(() => settle(new EpmdError('ERR_EPMD_UNREACHABLE', 'the port mapper did not answer')), REQUEST_TIMEOUT);
    const onData = (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (size !== 'all' && reply.length >= 2 && reply.length >= size(reply)) settle(null);
    };
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request(body)));
    socket.on('data', onData);
    socket.on('error', (err) => {
      settle(new EpmdError('ERR_EPMD_UNREACHABLE', `no port mapper on ${host}:${epmdPort} (${(err as NodeJS.ErrnoException).code})`));
    });
    socket.on('close', () => {
      // A mapper may close right after a short reply (a refused registration, say).
      if (reply.length >= (size === 'all' ? 1 : 2)) return settle(null);
      settle(new EpmdError('ERR_EPMD_UNREACHABLE', 'the port mapper closed the connection'));
    });
  });
}

/** tsx's loader as a file URL, so the mapper starts whatever the current directory is. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
