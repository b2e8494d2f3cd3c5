/**
 * @module app/boot
 * From command-line options to a running node: name, cookie, listener, port-mapper
 * registration, and the services (`services.ts`: pg, PubSub, port mapper, greeter,
 * discovery, the rendezvous of `--join`) as children of the node's supervisor `node_sup` (one_for_one: a crashed
 * service is restarted alone, and the crash and restart are logged). This is the one
 * place that wires every layer together, as OTP's kernel application starts its
 * supervision tree; `src/node` below it knows only connections.
 * The CLI checks its flags (`playground/flags.ts`, which also turns them into
 * `BootOptions`) and calls `bootNode`; without `--sname`/`--name` the result is a
 * plain, non-distributed runtime.
 *
 * @example
 * const { node, stop } = await bootNode({ sname: 'alice', discovery: 'gossip' })
 * node.name //=> 'alice@vm'
 */
import { setPrintedLocalNode } from '../term.ts';
import { Runtime, setDefaultRuntime } from '../process/index.ts';
import { loadCookie } from '../node/handshake.ts';
import { epmdPort, formatNames, names } from '../erlang/epmd/index.ts';
import { startNode, stopNode, type Node } from '../node/index.ts';
import * as Supervisor from '../supervisor.ts';
import * as PubSub from '../pubsub/index.ts';
import { DEFAULT_HEARTBEAT, discovery, discoveryPort, join, type Strategy } from '../discovery/index.ts';
import { services } from './services.ts';
import { web, stopWeb, webAgent, type WebOptions } from '../web/index.ts';

/** What a node starts with: the command line's flags, checked (`playground/flags.ts`). */
export interface BootOptions {
  sname?: string;
  name?: string;
  cookie?: string;
  /** How nodes find each other (default gossip). */
  discovery?: Strategy;
  /** ms between discovery announcements or polls (default 2000). */
  heartbeat?: number;
  /** Nodes to connect to at start; the list of static discovery. */
  connect?: readonly string[];
  /** Nodes to join the cluster through, and stay joined (`--join`). */
  join?: readonly string[];
  /** The greeter (default on). */
  greet?: boolean;
  /** TCP port for peers (default: any free one). */
  port?: number;
  /** ms of silence before a peer is declared down (default 60000). */
  tickTime?: number;
  /** The runtime to run on, made beforehand (`runtime.ts`) so a prompt can start on it first; default a new one. */
  runtime?: Runtime;
  /** Serve the live page of the cluster (`--web`), on these options. */
  web?: WebOptions;
}

export interface Booted {
  runtime: Runtime;
  /** Null when started without a name (not distributed). */
  node: Node | null;
  stop(): Promise<void>;
}

// Client API

/** Starts the node the options describe and makes its runtime the default one. */
export async function bootNode(opts: BootOptions): Promise<Booted> {
  if (opts.sname === undefined && opts.name === undefined) {
    const runtime = opts.runtime ?? new Runtime();
    setDefaultRuntime(runtime);
    await PubSub.start();
    runtime.spawn(webAgent, [], null);
    await serveWeb(runtime, opts.web);
    return { runtime, node: null, stop: async () => (await stopWeb(), runtime.shutdown()) };
  }
  const strategy = opts.discovery ?? 'gossip';
  const hosts = opts.connect ?? [];
  const cookie = loadCookie(opts.cookie);
  const mapperPort = epmdPort();
  const node = await startNode({
    sname: opts.sname,
    name: opts.name,
    cookie,
    port: opts.port ?? 0,
    host: strategy === 'lan' ? '0.0.0.0' : undefined,
    tickTime: opts.tickTime ?? 60_000,
    epmdPort: mapperPort,
    runtime: opts.runtime,
  });
  setDefaultRuntime(node.runtime);
  setPrintedLocalNode(node.name);
  const heartbeat = opts.heartbeat ?? DEFAULT_HEARTBEAT;
  const body = discovery(node, { strategy, heartbeat, port: discoveryPort(), cookie, epmdPort: mapperPort, hosts });
  const targets = opts.join ?? [];
  const rendezvous = targets.length === 0 ? null : () => join(node, targets, heartbeat);
  const specs = services(node, { epmdPort: mapperPort, greet: opts.greet !== false, discovery: body, join: rendezvous });
  const sup = await Supervisor.start(specs, { strategy: 'one_for_one', name: 'node_sup', intensity: 5, period: 10_000 });
  if (strategy !== 'static') for (const h of hosts) void node.connect(h);
  await serveWeb(node.runtime, opts.web);
  return {
    runtime: node.runtime,
    node,
    stop: async () => {
      await stopWeb();
      await Supervisor.stop(sup, 'shutdown', 5000).catch(() => {});
      await stopNode(node);
    },
  };
}

/** Serves the page when asked (`--web`), and says where, above the prompt. */
async function serveWeb(runtime: Runtime, opts: WebOptions | undefined): Promise<void> {
  if (!opts) return;
  const url = await web(opts);
  const who = url.includes('?token=') ? ' (anyone with this address, token included, can watch the cluster)' : '';
  runtime.log('info', `the cluster's live page: ${url}${who}`);
}

/** Prints the port mapper's names the way `epmd -names` does; returns the exit code. */
export async function printNames(write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const port = epmdPort();
  try {
    const reply = await names(port);
    write(formatNames(reply.port, reply.names) + '\n');
    return 0;
  } catch {
    write(`epmd: Cannot connect to local epmd (no port mapper on 127.0.0.1:${port})\n`);
    return 1;
  }
}
