/**
 * @module repl/udp
 * A small `gen_udp` for the prompt, so the hello-world seed's socket experiments can be
 * replayed: `udp.open(port)` opens a socket owned by the calling process, and every
 * packet that arrives becomes a message in the owner's mailbox:
 * `['udp', socket, address, port, data]` (data a string; a Buffer with `{ binary: true }`).
 *
 * As an Erlang port is, the socket is a process: it monitors its owner and closes when
 * the owner ends, and it prints as `#Port<0.12>` (its process number).
 *
 * @example
 * iex(bob)> const socket = await udp.open(45826, { broadcast: true })
 * iex(bob)> udp.send(socket, '127.0.0.1', 45826, 'HELLO WORLD')
 * iex(bob)> flush()
 * [ 'udp', #Port<0.12>, '127.0.0.1', 45826, 'HELLO WORLD' ]
 * 'ok'
 */
import { createSocket, type Socket } from 'node:dgram';
import { inspect, type InspectOptionsStylized } from 'node:util';
import { currentProcess, currentRuntime, monitor, receive, ProcessError } from '../process/index.ts';
import { unknownKey } from '../keys.ts';
import type { Pid } from '../term.ts';
import { CodedError } from '../errors.ts';

export interface OpenOptions {
  /** Address to bind (default '0.0.0.0', which also receives broadcasts). */
  address?: string;
  /** Allow sending to broadcast addresses. */
  broadcast?: boolean;
  /** Let several sockets bind the same port (default true, as the seed's `reuseport`). */
  reuseAddr?: boolean;
  /** Deliver data as a Buffer instead of a string. */
  binary?: boolean;
}

/** An open UDP socket; prints as `#Port<0.n>`. */
export class UdpSocket {
  /** The port it is bound to. */
  port = 0;
  closed = false;

  constructor(
    /** The process standing for the socket (it closes the socket when its owner ends). */
    readonly pid: Pid,
    /** @internal */ readonly socket: Socket,
  ) {}

  toString(): string {
    return `#Port<0.${this.pid.id}>`;
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return options.stylize(this.toString(), 'special');
  }
}

export class UdpError extends CodedError<'ERR_UDP_CLOSED' | 'ERR_UDP_ARG'> {}

// Client API

/** Opens a socket on `port` (0: any free port), owned by the calling process. */
export async function open(port = 0, opts: OpenOptions = {}): Promise<UdpSocket> {
  const owner = currentProcess();
  if (owner === null) throw new ProcessError('ERR_NO_PROCESS', 'udp.open must be called inside a process');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UdpError('ERR_UDP_ARG', `udp.open expects a port 0-65535, got: ${String(port)}`);
  const unknown = unknownKey(opts, ['address', 'broadcast', 'reuseAddr', 'binary']);
  if (unknown) throw new UdpError('ERR_UDP_ARG', `udp.open options: ${unknown}`);
  const socket = createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr ?? true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, opts.address ?? '0.0.0.0', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  if (opts.broadcast) socket.setBroadcast(true);
  const rt = currentRuntime();
  let handle!: UdpSocket;
  const [pid] = rt.spawn(
    async function udpPort() {
      const ref = monitor(owner.pid);
      await receive((m: unknown) => m === 'close' || (Array.isArray(m) && m[0] === 'DOWN' && ref.equals(m[1])));
      close(handle);
    },
    [],
    null,
  );
  handle = new UdpSocket(pid, socket);
  handle.port = socket.address().port;
  socket.on('message', (data, from) => {
    rt.send(owner.pid, ['udp', handle, from.address, from.port, opts.binary ? data : data.toString()], null);
  });
  socket.on('error', (err) => rt.log('warning', `${handle}: ${err.message}`));
  return handle;
}

/** Sends `data` (a string or Buffer) to `address`:`port`. */
export function send(socket: UdpSocket, address: string, port: number, data: string | Uint8Array): 'ok' {
  if (!(socket instanceof UdpSocket)) throw new UdpError('ERR_UDP_ARG', 'udp.send expects a socket from udp.open');
  if (socket.closed) throw new UdpError('ERR_UDP_CLOSED', `${socket} is closed`);
  socket.socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, address);
  return 'ok';
}

/** Closes the socket; its owner receives nothing more from it. */
export function close(socket: UdpSocket): 'ok' {
  if (socket.closed) return 'ok';
  socket.closed = true;
  socket.socket.close();
  currentRuntime().send(socket.pid, 'close', null);
  return 'ok';
}
