/**
 * @module erlang/epmd/server
 * The port mapper, after Erlang's epmd and speaking its protocol (see `protocol.ts`): a
 * tiny TCP service on 127.0.0.1 that maps node names to the ports their nodes listen
 * on. Playground nodes, `erl` and `iex` register with it alike, and `epmd -names` lists
 * them. The first playground node that finds no port mapper starts one, detached
 * (`main.ts`), and it outlives that node; where Erlang's epmd runs already, nodes use it.
 *
 * A name stays registered exactly as long as the registering connection stays open, so
 * a node killed with `kill -9` frees its name the moment the kernel closes its socket.
 * A malformed or unknown request closes that one connection; the mapper goes on.
 *
 * A long-named playground node registers with the address its name stands for
 * (`playgroundExtra(address)`): the mapper then answers look-ups on that address too,
 * for as long as it stays (`network.ts`), so other machines find the node. Only
 * PORT_PLEASE2_REQ is answered there; registration stays on 127.0.0.1.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import {
  ALIVE2_REQ, ALIVE2_RESP, ALIVE2_X_RESP, KILL_REQ, NAMES_REQ, PORT2_RESP, PORT_PLEASE2_REQ,
  entryBytes, listenOf, parseEntry, type NodeEntry,
} from './protocol.ts';
import { NetworkLookups } from './network.ts';

/** The longest request the mapper reads (a registration with a long `extra` included). */
const MAX_REQUEST = 2048;

export interface PortMapper {
  port: number;
  /** Open client connections; every registered node holds one. */
  connections(): number;
  /** Resolves when the mapper has stopped (closed, or told to by `epmd -kill`). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

// Client API (the client is in client.ts)

/**
 * Starts a port mapper listening on 127.0.0.1:`port` (0 picks a free port).
 *
 * @example
 * const mapper = await startPortMapper(0)
 * mapper.port //=> 40117   (`epmd -port 40117 -names` lists what registers here)
 * await mapper.close()
 */
export function startPortMapper(port: number): Promise<PortMapper> {
  const registry = new Map<string, NodeEntry>();
  const sockets = new Set<Socket>();
  // Creations go up by one per registration from a random start, as epmd's do, so a
  // node that registers again under the same name gets a new incarnation.
  let creation = randomInt(1, 2 ** 31);
  let stopped: () => void;
  const closed = new Promise<void>((resolve) => (stopped = resolve));
  const ctx: Context = {
    registry,
    myPort: () => (server.address() as { port: number }).port,
    nextCreation: () => (creation = (creation % 0xfffffffe) + 1),
    kill: () => void stop(),
    network: null,
  };
  const network = new NetworkLookups(ctx.myPort, (socket) => serve(socket, ctx));
  const stop = () => {
    network.close();
    return close(server, sockets).then(stopped);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, { ...ctx, network });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as { port: number }).port,
        connections: () => sockets.size,
        closed,
        close: stop,
      });
    });
  });
}

// Internals

interface Context {
  registry: Map<string, NodeEntry>;
  myPort(): number;
  nextCreation(): number;
  kill(): void;
  /** Null on a network listener: there, only look-ups are answered. */
  network: NetworkLookups | null;
}

/** One client connection: one request, or a registration held open. */
function serve(socket: Socket, ctx: Context): void {
  let buffered = Buffer.alloc(0);
  let registered: NodeEntry | null = null;
  socket.setNoDelay(true);
  const finish = (reply?: Buffer | string) => {
    if (reply === undefined) socket.end();
    else socket.end(reply);
    socket.destroySoon();
  };
  socket.on('data', (chunk: Buffer) => {
    if (registered) return; // a registered node says nothing more; its silence keeps the name
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 2) return;
    const size = buffered.readUInt16BE(0);
    if (size === 0 || size > MAX_REQUEST) return finish();
    if (buffered.length < 2 + size) return;
    const req = buffered.subarray(2, 2 + size);
    if (ctx.network === null && req[0] !== PORT_PLEASE2_REQ) return finish();
    switch (req[0]) {
      case ALIVE2_REQ:
        registered = alive2(socket, req, ctx);
        if (!registered) finish();
        return;
      case PORT_PLEASE2_REQ: {
        const found = ctx.registry.get(req.toString('utf8', 1));
        return finish(found ? Buffer.concat([Buffer.from([PORT2_RESP, 0]), entryBytes(found)]) : Buffer.from([PORT2_RESP, 1]));
      }
      case NAMES_REQ:
        return finish(namesReply(ctx));
      case KILL_REQ:
        if (ctx.registry.size > 0) return finish('NO');
        finish('OK');
        return ctx.kill();
      default:
        return finish();
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    if (!registered) return;
    if (ctx.registry.get(registered.name) === registered) ctx.registry.delete(registered.name);
    const listen = listenOf(registered.extra);
    if (listen !== null) ctx.network?.release(listen);
  });
}

/** A registration: the entry, or null after answering why not (a name in use, a bad request). */
function alive2(socket: Socket, req: Buffer, ctx: Context): NodeEntry | null {
  const entry = parseEntry(req, 1);
  if (!entry) return null;
  const extended = entry.highVersion >= 6;
  const reply = Buffer.alloc(extended ? 6 : 4);
  reply[0] = extended ? ALIVE2_X_RESP : ALIVE2_RESP;
  if (ctx.registry.has(entry.name)) {
    reply[1] = 1;
    socket.write(reply);
    return null;
  }
  const creation = ctx.nextCreation();
  if (extended) reply.writeUInt32BE(creation, 2);
  else reply.writeUInt16BE((creation % 3) + 1, 2);
  ctx.registry.set(entry.name, entry);
  // Answered once look-ups are answered on the node's address too (or cannot be), so a
  // node that asks its own mapper over the network right after learns the truth.
  const listen = listenOf(entry.extra);
  if (listen === null || ctx.network === null) socket.write(reply);
  else void ctx.network.acquire(listen).then(() => socket.write(reply));
  return entry;
}

function namesReply(ctx: Context): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(ctx.myPort(), 0);
  const lines = [...ctx.registry.values()].map((e) => `name ${e.name} at port ${e.port}\n`).join('');
  return Buffer.concat([head, Buffer.from(lines, 'utf8')]);
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
