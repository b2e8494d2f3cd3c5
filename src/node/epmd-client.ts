/**
 * @module node/epmd-client
 * Talking to the port mapper (see `epmd.ts` for its protocol): register this node's
 * name and keep the registration open, look a node's port up (on this machine, or at
 * the port mapper of the node's host), list the names. A node that finds no port
 * mapper starts one as a detached OS process.
 */
import { spawn } from 'node:child_process';
import { connect, isIP, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodedError } from '../errors.ts';
import { hostOf, isLocalHost } from './address.ts';
import type { Address } from './dist.ts';

export class EpmdError extends CodedError<'ERR_NAME_TAKEN' | 'ERR_EPMD_UNREACHABLE' | 'ERR_EPMD_PROTOCOL'> {}

/** A live registration: the name is ours until `close()` or until `lost` fires. */
export interface Registration {
  close(): void;
  /** Resolves when the port mapper connection ends for any reason. */
  lost: Promise<void>;
  /** True until the connection ends. */
  readonly open: boolean;
  /** Why other machines cannot look the node up, when it asked to be found and cannot be. */
  readonly warning?: string;
}

export interface NamesReply {
  port: number;
  pid: number;
  names: [string, number][];
}

const REQUEST_TIMEOUT = 3000;
/** How long a node waits for a port mapper it started to come up. */
const START_TIMEOUT = 8000;

// Client API

/**
 * Registers `node` at `nodePort` with the port mapper on `epmdPort`, starting one if
 * none answers; with `listen` (an address of this machine) the mapper also answers
 * look-ups on that address. Rejects with `EpmdError` 'ERR_NAME_TAKEN' when the name is
 * in use.
 */
export async function register(node: string, nodePort: number, epmdPort: number, listen?: string): Promise<Registration> {
  const req = { req: 'register', node, port: nodePort, ...(listen !== undefined && { listen }) };
  const { socket, reply } = await ensureRequest(epmdPort, req, true);
  const r = reply as { ok?: boolean; error?: string; warning?: unknown };
  if (!r.ok) {
    socket.destroy();
    throw new EpmdError('ERR_NAME_TAKEN', r.error ?? `the name ${node} is already in use`);
  }
  const lost = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', () => {}); // the mapper says nothing more; keep the stream flowing
  return {
    close: () => socket.destroy(),
    lost,
    get open() {
      return !socket.destroyed;
    },
    ...(typeof r.warning === 'string' && { warning: r.warning }),
  };
}

/** The port `node` listens on according to the port mapper on `host` (default this machine's), or null. */
export async function lookup(node: string, epmdPort: number, host = '127.0.0.1'): Promise<number | null> {
  try {
    const { reply } = await request(epmdPort, { req: 'lookup', node }, false, host);
    const port = (reply as { port?: unknown }).port;
    return Number.isInteger(port) ? (port as number) : null;
  } catch {
    return null;
  }
}

/**
 * Where to dial `node`: `hint` when there is one (an announcement, a peer or a
 * connection just told it, and a node forgets a hint when that node goes down), its
 * host replaced by the name's when the name is another machine's address; else the
 * port mapper of the name's host, this machine's or another's.
 */
export async function locate(node: string, epmdPort: number, hint?: Address): Promise<Address | undefined> {
  const host = hostOf(node);
  const local = isLocalHost(host);
  if (hint) return isIP(host) && !local ? { host, port: hint.port } : hint;
  const port = await lookup(node, epmdPort, local ? '127.0.0.1' : host);
  return port === null ? undefined : { host: local ? '127.0.0.1' : host, port };
}

/** Every registered name, or throws `EpmdError` 'ERR_EPMD_UNREACHABLE' when no mapper runs. */
export async function names(epmdPort: number): Promise<NamesReply> {
  const { reply } = await request(epmdPort, { req: 'names' }, false);
  const r = reply as Partial<NamesReply>;
  if (!Array.isArray(r.names)) throw new EpmdError('ERR_EPMD_PROTOCOL', 'the port mapper sent a bad names reply');
  return r as NamesReply;
}

/** Starts a detached port mapper process on `epmdPort`; it outlives this process. */
export function spawnPortMapper(epmdPort: number): void {
  const main = fileURLToPath(new URL('./epmd-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsxLoader(), main, String(epmdPort)], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
  });
  child.on('error', () => {});
  child.unref();
}

// Internals

/** `request`, starting a port mapper first if none answers. */
async function ensureRequest(epmdPort: number, req: object, keepOpen: boolean) {
  try {
    return await request(epmdPort, req, keepOpen);
  } catch (err) {
    if (!(err instanceof EpmdError) || err.code !== 'ERR_EPMD_UNREACHABLE') throw err;
  }
  spawnPortMapper(epmdPort);
  const deadline = Date.now() + START_TIMEOUT;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      return await request(epmdPort, req, keepOpen);
    } catch (err) {
      if (!(err instanceof EpmdError) || err.code !== 'ERR_EPMD_UNREACHABLE' || Date.now() > deadline) throw err;
    }
  }
}

/** Sends one request line and waits for one reply line. */
function request(epmdPort: number, req: object, keepOpen: boolean, host = '127.0.0.1'): Promise<{ socket: Socket; reply: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: epmdPort, host });
    let buffered = '';
    const fail = (err: EpmdError) => {
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new EpmdError('ERR_EPMD_UNREACHABLE', 'the port mapper did not answer')), REQUEST_TIMEOUT);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(JSON.stringify(req) + '\n'));
    socket.on('error', (err) => {
      clearTimeout(timer);
      fail(new EpmdError('ERR_EPMD_UNREACHABLE', `no port mapper on ${host}:${epmdPort} (${(err as NodeJS.ErrnoException).code})`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new EpmdError('ERR_EPMD_UNREACHABLE', 'the port mapper closed the connection'));
    });
    socket.on('data', function onReply(chunk: string) {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.off('data', onReply);
      let reply: unknown;
      try {
        reply = JSON.parse(buffered.slice(0, nl));
      } catch {
        return fail(new EpmdError('ERR_EPMD_PROTOCOL', 'the port mapper sent a bad reply'));
      }
      if (!keepOpen) socket.end();
      resolve({ socket, reply });
    });
  });
}

/** tsx's loader as a file URL, so the mapper starts whatever the current directory is. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
