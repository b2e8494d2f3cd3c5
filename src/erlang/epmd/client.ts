/**
 * @module erlang/epmd/client
 * Talking to the port mapper, the playground's or Erlang's own epmd (the protocol is in
 * `protocol.ts`): register this node's name and keep the registration open, look a
 * node up, list the names. A node that finds no port mapper starts one as a detached
 * OS process.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodedError } from '../../errors.ts';
import { portFromEnv } from '../../env.ts';
import {
  ALIVE2_REQ, ALIVE2_RESP, ALIVE2_X_RESP, DIST_VERSION, NAMES_REQ, NODE_TYPE_NORMAL, PLAYGROUND_EPMD_PORT,
  PLAYGROUND_EXTRA, PORT2_RESP, PORT_PLEASE2_REQ, aliveOf, entryBytes, parseEntry, request, type NodeEntry,
} from './protocol.ts';

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
}

export interface NamesReply {
  /** The port the mapper listens on. */
  port: number;
  /** Each registered name (the part before `@`) and its port. */
  names: [string, number][];
}

/** Which protocol a node speaks: the playground's own, or Erlang's distribution. */
export type Wire = 'playground' | 'erlang';

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

/** The port mapper's port: `PLAYGROUND_EPMD_PORT`, else 4370. */
export function epmdPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFromEnv('PLAYGROUND_EPMD_PORT', PLAYGROUND_EPMD_PORT, env);
}

/**
 * Registers `node` at `nodePort` with the port mapper on `epmdPort`, starting one if
 * none answers. Rejects with `EpmdError` 'ERR_NAME_TAKEN' when the name is in use.
 *
 * @example
 * const reg = await register('bob@vm', 41237, 4370)
 * reg.creation //=> 1795986851
 * reg.close()   // frees the name
 */
export async function register(node: string, nodePort: number, epmdPort: number): Promise<Registration> {
  const name = aliveOf(node);
  const body = Buffer.concat([
    Buffer.from([ALIVE2_REQ]),
    entryBytes({
      name, port: nodePort, nodeType: NODE_TYPE_NORMAL, protocol: 0,
      highVersion: DIST_VERSION, lowVersion: DIST_VERSION, extra: Buffer.from(PLAYGROUND_EXTRA),
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
  return {
    creation,
    close: () => socket.destroy(),
    lost,
    get open() {
      return !socket.destroyed;
    },
  };
}

/**
 * What the port mapper on `epmdPort` knows of `node`, or null (unknown, or no mapper).
 *
 * @example
 * (await lookup('bob@vm', 4370))?.port //=> 41237
 */
export async function lookup(node: string, epmdPort: number): Promise<NodeEntry | null> {
  const body = Buffer.concat([Buffer.from([PORT_PLEASE2_REQ]), Buffer.from(aliveOf(node), 'utf8')]);
  try {
    const { reply } = await exchange(epmdPort, body, 'all');
    if (reply[0] !== PORT2_RESP || reply[1] !== 0) return null;
    return parseEntry(reply, 2);
  } catch {
    return null;
  }
}

/**
 * Where `node` listens and what it speaks, from the port mapper when its host is this machine.
 *
 * @example
 * await locate('alice@vm', 4369) //=> { host: '127.0.0.1', port: 39315, wire: 'erlang' }
 */
export async function locate(node: string, epmdPort: number): Promise<Location | undefined> {
  if (!isLocalHost(node.slice(node.indexOf('@') + 1))) return undefined;
  const entry = await lookup(node, epmdPort);
  if (entry === null) return undefined;
  return { host: '127.0.0.1', port: entry.port, wire: entry.extra.toString() === PLAYGROUND_EXTRA ? 'playground' : 'erlang' };
}

/** True when `host` names this machine (so its port mapper knows the node). */
export function isLocalHost(host: string): boolean {
  const h = hostname();
  if (host === 'localhost' || host === h || host === h.split('.')[0] || host === '::1' || host.startsWith('127.')) return true;
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.address === host) return true;
  return false;
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
function exchange(epmdPort: number, body: Buffer, size: ReplySize): Promise<{ socket: Socket; reply: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: epmdPort, host: '127.0.0.1' });
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
      settle(new EpmdError('ERR_EPMD_UNREACHABLE', `no port mapper on 127.0.0.1:${epmdPort} (${(err as NodeJS.ErrnoException).code})`));
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
