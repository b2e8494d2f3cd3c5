/**
 * @module node/epmd
 * The port mapper, after Erlang's epmd: a tiny TCP service on 127.0.0.1 that maps node
 * names to the ports their nodes listen on. The first node that finds none starts one,
 * detached, and it outlives that node. A name stays registered exactly as long as the
 * registering connection stays open, so a node killed with `kill -9` frees its name the
 * moment the kernel closes its socket.
 *
 * Protocol: one JSON object per line, each way.
 * ```
 * {"req":"register","node":"bob@vm","port":41237}  -> {"ok":true} | {"ok":false,"error":"..."}
 *      (the connection stays open; closing it frees the name)
 * {"req":"register","node":"ann@10.0.0.7","port":41237,"listen":"10.0.0.7"}
 *      -> {"ok":true} | {"ok":true,"warning":"..."}: as above, and look-ups are answered
 *      on 10.0.0.7 too while the registration stays (see `epmd-network.ts`)
 * {"req":"lookup","node":"bob@vm"}                 -> {"port":41237} | {"port":null}
 * {"req":"names"}                                  -> {"port":4370,"pid":123,"names":[["bob@vm",41237]]}
 * ```
 * Names are unique by their part before `@` (as in epmd): `bob@vm` and `bob@127.0.0.1`
 * cannot both be registered. A bad line gets `{"error":"..."}` and that connection is
 * closed; the mapper goes on. On a network address only `lookup` is answered.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { portFromEnv } from '../env.ts';
import { NetworkLookups } from './epmd-network.ts';

/** The port mapper's port: `PLAYGROUND_EPMD_PORT`, else 4370. */
export function epmdPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFromEnv('PLAYGROUND_EPMD_PORT', 4370, env);
}

/** The longest request line the mapper reads. */
const MAX_LINE = 1024;

export interface PortMapper {
  port: number;
  /** Open client connections; every registered node holds one. */
  connections(): number;
  close(): Promise<void>;
}

// Client API (the server side; the client is in epmd-client.ts)

/** Starts a port mapper listening on 127.0.0.1:`port` (0 picks a free port). */
export function startPortMapper(port: number): Promise<PortMapper> {
  const registry: Registry = new Map();
  const sockets = new Set<Socket>();
  const myPort = () => (server.address() as { port: number }).port;
  const network = new NetworkLookups(myPort, (socket) => serve(socket, { registry, myPort, network: null }));
  const server = createServer((socket) => serve(socket, { registry, myPort, network }));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: myPort(),
        connections: () => sockets.size,
        close: () => {
          network.close();
          return close(server, sockets);
        },
      });
    });
  });
}

/** `alive` of `alive@host`. */
export function aliveOf(node: string): string {
  const at = node.indexOf('@');
  return at < 0 ? node : node.slice(0, at);
}

/** Formats a names reply the way `epmd -names` prints it. */
export function formatNames(port: number, names: [string, number][]): string {
  const lines = [`epmd: up and running on port ${port} with data:`];
  for (const [node, p] of names) lines.push(`name ${aliveOf(node)} at port ${p}`);
  return lines.join('\n');
}

// Internals

type Registry = Map<string, { node: string; port: number; owner: Socket }>;

interface Scope {
  registry: Registry;
  myPort(): number;
  /** Null on a network listener: there, only look-ups are answered. */
  network: NetworkLookups | null;
}

function serve(socket: Socket, { registry, myPort, network }: Scope) {
  let buffered = '';
  const owned = new Set<string>();
  const listening = new Set<string>();
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  const reply = (obj: unknown) => socket.write(JSON.stringify(obj) + '\n');
  const refuse = (error: string) => {
    socket.end(JSON.stringify({ error }) + '\n');
    socket.destroySoon();
  };
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let req: { req?: unknown; node?: unknown; port?: unknown; listen?: unknown };
      try {
        req = JSON.parse(line);
      } catch {
        return refuse('not a request');
      }
      if (req === null || typeof req !== 'object') return refuse('not a request');
      if (req.req === 'lookup' && typeof req.node === 'string') {
        reply({ port: registry.get(aliveOf(req.node))?.port ?? null });
      } else if (network === null) {
        return refuse('only look-ups are answered here; nodes register on 127.0.0.1');
      } else if (req.req === 'names') {
        reply({ port: myPort(), pid: process.pid, names: [...registry.values()].map((r) => [r.node, r.port]) });
      } else if (req.req === 'register' && typeof req.node === 'string' && Number.isInteger(req.port)) {
        const alive = aliveOf(req.node);
        const taken = registry.get(alive);
        if (taken) {
          reply({ ok: false, error: `the name ${alive} is already in use by ${taken.node} (port ${taken.port})` });
        } else {
          registry.set(alive, { node: req.node, port: req.port as number, owner: socket });
          owned.add(alive);
          if (typeof req.listen !== 'string') reply({ ok: true });
          else {
            listening.add(req.listen);
            void network.acquire(req.listen).then((warning) => reply(warning ? { ok: true, warning } : { ok: true }));
          }
        }
      } else {
        return refuse(`unknown request: ${line.slice(0, 60)}`);
      }
    }
    if (buffered.length > MAX_LINE) refuse('request line too long');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const alive of owned) if (registry.get(alive)?.owner === socket) registry.delete(alive);
    for (const address of listening) network?.release(address);
  });
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
