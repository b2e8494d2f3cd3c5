/**
 * @module node/boot
 * From command-line options to a running node: name, cookie, listener, port-mapper
 * registration, and the services (pg, port mapper, greeter, discovery) as children of
 * the node's supervisor `node_sup` (one_for_one: a crashed service is restarted alone,
 * and the crash and restart are logged).
 * The CLI (`playground/index.ts`) parses its flags and calls `bootNode`; without
 * `--sname`/`--name` the result is a plain, non-distributed runtime.
 *
 * @example
 * const { node, stop } = await bootNode({ sname: 'alice', discovery: 'gossip' })
 * node.name //=> 'alice@vm'
 */
import { setPrintedLocalNode, type Pid } from '../term.ts';
import { Runtime, link, setDefaultRuntime, type Logger, type LogLevel } from '../process/index.ts';
import { loadCookie } from './handshake.ts';
import { epmdPort, formatNames, names } from '../erlang/epmd/index.ts';
import { fullName, startNode, stopNode, type Node } from './index.ts';
import { services } from './services.ts';
import * as Supervisor from '../supervisor.ts';
import type { ChildSpec } from '../supervisor.ts';
import { startScope } from '../pg.ts';
import * as PubSub from '../pubsub/index.ts';
import { DEFAULT_HEARTBEAT, discovery, discoveryPort, parseStrategy, type Strategy } from '../discovery/index.ts';

/** The options the CLI passes, as parsed (numbers may still be strings). */
export interface BootOptions {
  sname?: string;
  name?: string;
  cookie?: string;
  /** gossip (default), lan, epmd, static, none. */
  discovery?: string;
  /** ms between discovery announcements or polls. */
  heartbeat?: number | string;
  /** For static discovery: `a@vm,b@vm`. Also connected to at start with any strategy. */
  connect?: string | string[];
  /** The greeter (default on). */
  greet?: boolean;
  /** TCP port for peers (default: any free one). */
  port?: number | string;
  /** ms of silence before a peer is declared down. */
  tickTime?: number | string;
  log?: Logger;
}

export class BootError extends Error {
  readonly code = 'ERR_BAD_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
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
  const log = opts.log ?? defaultLogger;
  if (opts.sname === undefined && opts.name === undefined) {
    const runtime = new Runtime({ log });
    setDefaultRuntime(runtime);
    await PubSub.start();
    return { runtime, node: null, stop: async () => runtime.shutdown() };
  }
  const name = fullName(opts);
  const strategy: Strategy = parseStrategy(opts.discovery ?? 'gossip');
  const heartbeat = number('--heartbeat', opts.heartbeat, DEFAULT_HEARTBEAT, 10);
  const hosts = (Array.isArray(opts.connect) ? opts.connect : [opts.connect ?? ''])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const cookie = loadCookie(opts.cookie);
  const mapperPort = epmdPort();
  const node = await startNode({
    name,
    cookie,
    port: number('--port', opts.port, 0, 0),
    host: strategy === 'lan' ? '0.0.0.0' : '127.0.0.1',
    tickTime: number('--tick-time', opts.tickTime, 60_000, 100),
    epmdPort: mapperPort,
    log,
  });
  setDefaultRuntime(node.runtime);
  setPrintedLocalNode(node.name);
  const body = discovery(node, { strategy, heartbeat, port: discoveryPort(), cookie, epmdPort: mapperPort, hosts });
  const specs: ChildSpec[] = [
    // Every node runs the default pg scope, so a join anywhere is seen everywhere at once.
    { id: 'pg', start: () => linked(startScope()) },
    // The default PubSub instance, so PubSub.subscribe and publish work at every prompt.
    { id: 'pubsub', start: () => PubSub.startLink(), type: 'supervisor' },
    ...services(node, { epmdPort: mapperPort, register: true, greet: opts.greet !== false, discovery: body }),
  ];
  const sup = await Supervisor.start(specs, { strategy: 'one_for_one', name: 'node_sup', intensity: 5, period: 10_000 });
  if (strategy !== 'static') for (const h of hosts) void node.connect(h);
  return {
    runtime: node.runtime,
    node,
    stop: async () => {
      await Supervisor.stop(sup, 'shutdown', 5000).catch(() => {});
      await stopNode(node);
    },
  };
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

/** Log lines as `[info] text` on stdout; debug lines only with PLAYGROUND_DEBUG set. */
export const defaultLogger: Logger = (level: LogLevel, text: string) => {
  if (level === 'debug' && !process.env.PLAYGROUND_DEBUG) return;
  process.stdout.write(`[${level}] ${text}\n`);
};

// Internals

/** Links an already started process to the caller (the supervisor starting it). */
function linked(pid: Pid): Pid {
  link(pid);
  return pid;
}

function number(flag: string, value: number | string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new BootError(`${flag} expects a whole number >= ${min}. Got: ${JSON.stringify(value)}`);
  return n;
}
