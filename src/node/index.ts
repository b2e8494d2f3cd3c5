/**
 * @module node
 * Distribution: turning a runtime into a named node that other nodes can reach, after
 * Erlang's `Node` and `net_kernel`. `startNode` picks the name, loads the cookie, listens
 * on TCP, registers with the port mapper and installs itself as the runtime's remote
 * router; from then on pids, `[name, node]` pairs, links and monitors reach across nodes.
 *
 * The free functions act on the node of the calling process's runtime (or the default
 * runtime), so they work in the REPL and inside processes alike.
 *
 * @example
 * iex(alice)> node()
 * 'alice@vm'
 * iex(alice)> await connect('bob@vm')
 * true
 * iex(alice)> list()
 * [ 'bob@vm' ]
 */
import { Pid, Ref, format, type NodeName } from '../term.ts';
import { currentProcess, currentRuntime, Runtime, type Logger } from '../process/index.ts';
import { loadCookie, newCreation } from './handshake.ts';
import { epmdPort, names as epmdNames, register, EpmdError, type Registration } from '../erlang/epmd/index.ts';
import { Node } from './node.ts';
import { NodeError } from './errors.ts';
import { fullName } from './name.ts';
import { hostOf, isLoopback, nameKind, reachOf } from '../erlang/address.ts';

export { Node } from './node.ts';
export { NodeError } from './errors.ts';
export { fullName } from './name.ts';
export { isLocalHost } from '../erlang/epmd/index.ts';
export type { Address } from './dist.ts';


export interface StartOptions {
  /** A short name: `bob` becomes `bob@<short host name>`. */
  sname?: string;
  /** A long name: `bob@127.0.0.1` (a bare `bob` gets this machine's full host name). */
  name?: string;
  /** Default: PLAYGROUND_COOKIE, else the cookie file (see `loadCookie`). */
  cookie?: string;
  /** TCP port for peers (default: any free port). */
  port?: number;
  /** Address to accept peers on (default: every interface for a long name on a network address, else 127.0.0.1). */
  host?: string;
  /** ms of silence before a peer is declared down (default 60 000). */
  tickTime?: number;
  /** ms a handshake may take before the connection is dropped (default 7000, Erlang's net_setuptime). */
  setupTime?: number;
  /** The port mapper's port (default: `epmdPort()`, from the environment, else 4369). */
  epmdPort?: number;
  /** Register with the port mapper (default true). */
  register?: boolean;
  /** Use this runtime (it must have been created with the node's name); default a new one. */
  runtime?: Runtime;
  log?: Logger;
}

/** The node a runtime belongs to. */
const nodes = new WeakMap<Runtime, Node>();
/** The port-mapper registration of each started node. */
const registrations = new WeakMap<Node, Registration>();

// Client API

/**
 * Starts a distributed node. Rejects with `NodeError` for a bad name or a name already
 * registered at the port mapper.
 *
 * @example
 * const bob = await startNode({ sname: 'bob' })
 * bob.name //=> 'bob@vm'
 */
export async function startNode(opts: StartOptions): Promise<Node> {
  const name = fullName(opts);
  const creation = opts.runtime?.creation || newCreation();
  const runtime = opts.runtime ?? new Runtime({ node: name, creation, log: opts.log });
  if (runtime.node !== name) throw new NodeError('ERR_BAD_NAME', `the runtime is ${runtime.node}, not ${name}`);
  const mapperPort = opts.epmdPort ?? epmdPort();
  const reach = await reachOf(name);
  const onNetwork = nameKind(name) === 'long' && !isLoopback(hostOf(name));
  const node = new Node(runtime, {
    name,
    cookie: loadCookie(opts.cookie),
    creation: runtime.creation,
    host: opts.host ?? (onNetwork ? '0.0.0.0' : '127.0.0.1'),
    address: reach.address,
    port: opts.port ?? 0,
    epmdPort: mapperPort,
    tickTime: opts.tickTime ?? 60_000,
    setupTime: opts.setupTime ?? 7000,
  });
  await node.listen();
  if (reach.warning) runtime.log('warning', reach.warning);
  if (opts.register !== false) {
    try {
      const reg = await register(name, node.port, mapperPort, reach.address ?? undefined);
      if (reg.warning) runtime.log('warning', reg.warning);
      registrations.set(node, reg);
    } catch (err) {
      await node.stop();
      if (err instanceof EpmdError && err.code === 'ERR_NAME_TAKEN') {
        throw new NodeError('ERR_NAME_TAKEN', `cannot start ${name}: ${err.message}`);
      }
      throw err;
    }
  }
  runtime.setRemote(node.router);
  nodes.set(runtime, node);
  return node;
}

/** Stops a node: its connections, its listener, its name at the port mapper, its processes. */
export async function stopNode(node: Node): Promise<void> {
  node.runtime.setRemote(null);
  await node.stop();
  registrations.get(node)?.close();
  node.runtime.shutdown();
  nodes.delete(node.runtime);
}

/** The port-mapper registration of `node`, if it made one. */
export function registrationOf(node: Node): Registration | undefined {
  return registrations.get(node);
}

/** Replaces the port-mapper registration of `node` (after the mapper was lost). */
export function setRegistration(node: Node, reg: Registration): void {
  registrations.set(node, reg);
}

/** The node the calling code runs on, if it is distributed. */
export function currentNode(): Node | undefined {
  return nodes.get(currentRuntime());
}

/**
 * This node's name (`'nonode@nohost'` when it is not distributed); with a pid or a
 * reference, the name of the node it belongs to, as Elixir's `node/1`.
 *
 * @example
 * iex(bob)> node()
 * 'bob@vm'
 * iex(bob)> node(self())
 * 'bob@vm'
 */
export function node(of?: Pid | Ref): NodeName {
  if (of === undefined) return currentRuntime().node;
  if (of instanceof Pid || of instanceof Ref) return of.node;
  throw new NodeError('ERR_BAD_ARG', `node(x) expects a pid or a reference, got: ${format(of)}`);
}

/** True when this node is distributed (started with a name). */
export function isAlive(): boolean {
  return currentNode() !== undefined;
}

/**
 * Connects to `name`: true once connected, false when it cannot be reached or refuses
 * (a wrong cookie, say). Throws when this node is not distributed.
 *
 * @example
 * iex(alice)> await connect('bob@vm')
 * true
 * iex(alice)> await connect('nobody@vm')
 * false
 */
export function connect(name: NodeName): Promise<boolean> {
  return requireNode('connect to another node').connect(name);
}

/** Closes the connection to `name`; false when there was none. */
export function disconnect(name: NodeName): boolean {
  return requireNode('disconnect from another node').disconnect(name);
}

/** The nodes this node is connected to (empty when not distributed). */
export function list(): NodeName[] {
  return currentNode()?.list() ?? [];
}

/**
 * The connected nodes that are playground nodes, not BEAM ones: those the playground's
 * own services (global, share) talk to, since a BEAM node has its own `global` and code
 * server, which speak otherwise.
 *
 * @example
 * playgroundNodes() //=> [ 'carol@vm' ]   (with carol and the iex node alice@vm connected)
 */
export function playgroundNodes(): NodeName[] {
  return currentNode()?.list('playground') ?? [];
}

/**
 * Subscribes the calling process to `['nodeup', node]` and `['nodedown', node]`
 * messages (`false` unsubscribes). A node that is not distributed sends none.
 *
 * @example
 * iex(alice)> monitorNodes(true)
 * true
 * iex(bob)> disconnect('alice@vm')
 * true
 * iex(alice)> await receive(['nodedown', _])
 * [ 'nodedown', 'bob@vm' ]
 * iex(alice)> await connect('bob@vm')
 * true
 * iex(alice)> await receive(['nodeup', _])
 * [ 'nodeup', 'bob@vm' ]
 */
export function monitorNodes(flag: boolean): true {
  const self = currentProcess();
  if (!self) throw new NodeError('ERR_NOT_ALIVE', 'monitorNodes must be called inside a process');
  currentNode()?.monitorNodes(self.pid, flag);
  return true;
}

/**
 * Subscribes the calling process to `['refused', node, reason]` (`false` unsubscribes):
 * a node this one refused for a mistake in how it was started, a wrong cookie or a name
 * of the other kind. It is how a workshop's roster shows who tried to join and could not.
 *
 * @example
 * // On teacher@10.0.0.5, while eve@10.0.0.11 tries to join with another cookie:
 * monitorRefusals(true) //=> true
 * await receive(['refused', _, _]) //=> [ 'refused', 'eve@10.0.0.11', 'wrong cookie' ]
 */
export function monitorRefusals(flag: boolean): true {
  const self = currentProcess();
  if (!self) throw new NodeError('ERR_NOT_ALIVE', 'monitorRefusals must be called inside a process');
  currentNode()?.monitorRefusals(self.pid, flag);
  return true;
}

/**
 * The names registered at this machine's port mapper, with the ports their nodes
 * listen on: short names, as Erlang's `net_adm:names()` gives them. Rejects when no
 * port mapper runs.
 *
 * @example
 * iex(alice)> (await names()).map(([name, port]) => [name, typeof port])
 * [ [ 'alice', 'number' ], [ 'bob', 'number' ] ]
 */
export async function names(): Promise<Array<[string, number]>> {
  return (await epmdNames(epmdPort())).names;
}


// Internals

function requireNode(what: string): Node {
  const n = currentNode();
  if (n) return n;
  throw new NodeError(
    'ERR_NOT_ALIVE',
    `cannot ${what}: this node is not distributed (start it with --sname <name> or --name <name@host>)`,
  );
}
