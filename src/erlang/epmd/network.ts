/**
 * @module erlang/epmd/network
 * The port mapper's face to the network, as Erlang's epmd has one: other machines ask
 * it where a node of this machine listens. Only look-ups are answered there; a node
 * registers on 127.0.0.1, so nothing from the network can take or free a name.
 *
 * The mapper opens a network listener only when a node asks for one: a long-named node
 * (`ann@10.0.0.7`) registers with the address its name stands for (in epmd's `extra`,
 * `protocol.ts`), and the mapper answers look-ups on that address, on its own port, for
 * as long as some node registered there stays. A machine running only short-named
 * nodes listens on loopback alone. An address that is not this machine's, or one the
 * mapper cannot listen on, is passed over: the node finds that out by looking itself
 * up there (`client.ts`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { localAddresses } from '../address.ts';

interface Listener {
  server: Server;
  /** Registrations that asked for this address. */
  users: number;
  /** Resolves once listening, or once it cannot. */
  ready: Promise<void>;
}

// Client API

export class NetworkLookups {
  private readonly listeners = new Map<string, Listener>();
  private readonly sockets = new Set<Socket>();

  constructor(
    /** The mapper's own port: the network listeners use the same number. */
    private readonly port: () => number,
    /** Serves one connection from the network (look-ups only). */
    private readonly serve: (socket: Socket) => void,
  ) {}

  /** Answers look-ups on `address` from now on; resolves once it does, or cannot. */
  acquire(address: string): Promise<void> {
    const known = this.listeners.get(address);
    if (known) {
      known.users++;
      return known.ready;
    }
    if (!localAddresses().includes(address)) return Promise.resolve();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.serve(socket);
    });
    const ready = new Promise<void>((resolve) => {
      // Before listening: it cannot (the node will see). After: nothing the mapper should die of.
      server.on('error', () => {
        if (this.listeners.get(address)?.server === server) this.listeners.delete(address);
        resolve();
      });
      server.listen(this.port(), address, () => resolve());
    });
    this.listeners.set(address, { server, users: 1, ready });
    return ready;
  }

  /** One registration that asked for `address` ended; the last one closes its listener. */
  release(address: string): void {
    const l = this.listeners.get(address);
    if (!l || --l.users > 0) return;
    this.listeners.delete(address);
    l.server.close();
  }

  /** The addresses look-ups are answered on now. */
  addresses(): string[] {
    return [...this.listeners.keys()];
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    for (const l of this.listeners.values()) l.server.close();
    this.listeners.clear();
  }
}
