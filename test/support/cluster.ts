/**
 * @module test/support/cluster
 * Real nodes as real OS processes, for tests: each cluster gets its own port-mapper port,
 * discovery port and PLAYGROUND_HOME, starts nodes with `node --import tsx playground ...`,
 * reads their output, writes lines to their stdin, kills them by PID, and cleans up
 * everything it started (nodes, the port mapper they started, the temp home) in `stop()`,
 * also when a test fails. Every wait is bounded.
 *
 * @example
 * const c = await startCluster();
 * try {
 *   const alice = await c.start(['--sname', 'alice']);
 *   const bob = await c.start(['--sname', 'bob']);
 *   await alice.waitFor(`Hello world from ${bob.name}`);
 * } finally {
 *   await c.stop();
 * }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aliveOf, names, startPortMapper, type PortMapper } from '../../src/erlang/epmd/index.ts';
import { startNode, stopNode, type Node } from '../../src/node/index.ts';
import { inProcess as runInProcess, type Runtime } from '../../src/process/index.ts';
import { sleep } from './eventually.ts';

// A port mapper a test run leaves behind (a run stopped by a signal skips its cleanup)
// goes away by itself soon after its last node.
process.env.PLAYGROUND_EPMD_IDLE_MS ??= '30000';
// The port mapper's default is epmd's 4369, shared with an epmd or a playground the
// machine's user runs. A node a test starts without a port of its own (in this process,
// or a child given this process's environment) lands on a private port instead, one per
// test process, never on 4369.
process.env.PLAYGROUND_EPMD_PORT = String(20_000 + (process.pid % 10_000));

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A node with `echo` and `sink` processes for tests (see peer.ts). */
export const PEER = 'test/support/peer.ts';
/** The short host name, as `--sname` uses it. */
export const HOST = hostname().split('.')[0]!;

/** Every child started by this module: killed if the test process exits without stop(). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface StartOptions {
  /** Extra environment for this node. */
  env?: Record<string, string>;
  /** A command prefix, e.g. `['ip', 'netns', 'exec', 'ns1']` (it must exec the node in place). */
  wrap?: string[];
  /** The entry to run instead of `playground`, relative to the repository root (e.g. `PEER`). */
  script?: string;
  /** The `node` binary to run it with (default: this test's). */
  node?: string;
  /**
   * What "started" means: output matching this, or (default for named nodes) its name at
   * the port mapper, which also means the node is up (its prompt shows before it is).
   */
  ready?: RegExp | string | null;
  timeout?: number;
}

/** One node OS process and everything it printed. */
export class NodeProcess {
  /** Everything printed on stdout and stderr, interleaved as it arrived. */
  output = '';
  stdout = '';
  stderr = '';
  alive = true;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly pid: number;

  constructor(
    readonly child: ChildProcess,
    /** The full node name (`bob@vm`) when it was started with one. */
    readonly name: string | undefined,
  ) {
    this.pid = child.pid!;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => ((this.stdout += d), (this.output += d)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => ((this.stderr += d), (this.output += d)));
    child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.alive = false;
        live.delete(child);
        resolve({ code, signal });
      });
    });
  }

  /** The current end of the output: pass it as `since` to wait only for what comes next. */
  mark(): number {
    return this.output.length;
  }

  /** Waits until the output (from `since`) matches; resolves with the matched text. */
  waitFor(pattern: RegExp | string, { timeout = 10_000, since = 0 } = {}): Promise<string> {
    return waitForOutput(this, this.label, pattern, timeout, since);
  }

  /** How many times `pattern` occurs in the output. */
  count(pattern: RegExp | string): number {
    return countIn(this.output, pattern);
  }

  /** Writes one line to the node's stdin. */
  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** Sends `signal` (default SIGKILL, i.e. kill -9) to this PID and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if the node is still there after `grace` ms. */
  async stop(grace = 2000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), grace);
    await this.exited;
    clearTimeout(timer);
  }

  private get label(): string {
    return `node ${this.name ?? '(unnamed)'} (pid ${this.pid})`;
  }
}

/**
 * Waits until what an OS process printed (from `since`) matches `pattern`; resolves
 * with the matched text, rejects with all its output when it exits first or `timeout` passes.
 */
export async function waitForOutput(
  proc: { readonly output: string; readonly alive: boolean },
  label: string,
  pattern: RegExp | string,
  timeout: number,
  since: number,
): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = proc.output.slice(since);
    const m = typeof pattern === 'string' ? (text.includes(pattern) ? pattern : null) : text.match(pattern)?.[0];
    if (m != null) return m;
    if (!proc.alive) throw new Error(`${label} exited before printing ${pattern}\n--- output ---\n${proc.output}`);
    if (Date.now() > deadline) throw new Error(`${label}: no ${pattern} within ${timeout} ms\n--- output ---\n${proc.output}`);
    await sleep(15);
  }
}

/** How many times `pattern` occurs in `text`. */
export function countIn(text: string, pattern: RegExp | string): number {
  if (typeof pattern === 'string') return text.split(pattern).length - 1;
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g'))].length;
}

/** Nodes sharing one port mapper, one discovery port and one PLAYGROUND_HOME (so one cookie). */
export class Cluster {
  readonly nodes: NodeProcess[] = [];
  private readonly locals: Node[] = [];
  private mapper: PortMapper | undefined;

  constructor(
    readonly home: string,
    readonly epmdPort: number,
    readonly discoveryPort: number,
    readonly env: Record<string, string>,
  ) {}

  /** Starts `node --import tsx playground ...args` and waits until it is ready. */
  async start(args: string[], opts: StartOptions = {}): Promise<NodeProcess> {
    const name = nodeName(args);
    const node = new NodeProcess(this.spawn(args, opts), name);
    this.nodes.push(node);
    const ready = opts.ready === undefined ? (name ? 'registered' : null) : opts.ready;
    const timeout = opts.timeout ?? 15_000;
    if (ready === 'registered') await this.registered(node, timeout);
    else if (ready !== null) await node.waitFor(ready, { timeout });
    return node;
  }

  /** Starts several nodes at the same moment; resolves once every one is ready. */
  startAll(argsList: string[][], opts: StartOptions = {}): Promise<NodeProcess[]> {
    return Promise.all(argsList.map((args) => this.start(args, opts)));
  }

  /** Runs a short-lived command (e.g. `--names`) to its end; kills it after `timeout` ms. */
  async run(args: string[], opts: StartOptions = {}): Promise<{ code: number | null; output: string; stdout: string }> {
    const node = new NodeProcess(this.spawn(args, opts), undefined);
    const timer = setTimeout(() => node.child.kill('SIGKILL'), opts.timeout ?? 15_000);
    const { code } = await node.exited;
    clearTimeout(timer);
    return { code, output: node.output, stdout: node.stdout };
  }

  /**
   * A node inside this test process (same cookie and port mapper), to drive the others
   * through the real protocol; `stop()` stops it too.
   */
  async local(sname: string, opts: { tickTime?: number; setupTime?: number } = {}): Promise<Node> {
    await this.ensurePortMapper();
    const n = await startNode({ sname, cookie: this.env.PLAYGROUND_COOKIE, epmdPort: this.epmdPort, ...opts });
    this.locals.push(n);
    return n;
  }

  /**
   * Makes sure a port mapper answers on the cluster's port: with none yet, the cluster
   * runs one in this process (a detached one started from here would not know the
   * cluster's home, where its PID file goes).
   */
  async ensurePortMapper(): Promise<void> {
    if (!this.mapper && !(await names(this.epmdPort).catch(() => null))) this.mapper = await startPortMapper(this.epmdPort);
  }

  /** Stops every node (SIGKILL), the port mapper they started, and removes the temp home. */
  async stop(): Promise<void> {
    await Promise.all(this.locals.map((n) => stopNode(n)));
    await Promise.all(this.nodes.map((n) => n.kill()));
    await killPortMapper(this.epmdPort, this.home);
    await this.mapper?.close();
    rmSync(this.home, { recursive: true, force: true });
  }

  // Internals

  private spawn(args: string[], opts: StartOptions): ChildProcess {
    const argv = [...(opts.wrap ?? []), opts.node ?? process.execPath, '--import', 'tsx', opts.script ?? 'playground', ...args];
    // A test runner may set FORCE_COLOR, which overrides the cluster's NO_COLOR (and Node 22+ says so on stderr).
    const { FORCE_COLOR: _, ...inherited } = process.env;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env: { ...inherited, ...this.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    return child;
  }

  private async registered(node: NodeProcess, timeout: number): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const reply = await names(this.epmdPort).catch(() => null);
      if (reply?.names.some(([n]) => n === aliveOf(node.name!))) return;
      if (!node.alive) throw new Error(`node ${node.name} exited before registering\n--- output ---\n${node.output}`);
      if (Date.now() > deadline) throw new Error(`node ${node.name} did not register within ${timeout} ms\n${node.output}`);
      await sleep(20);
    }
  }
}

/**
 * A fresh cluster environment: free ports for the port mapper and discovery, a temp
 * PLAYGROUND_HOME, and a cookie (shared by every node unless a node overrides it).
 */
export async function startCluster(opts: { cookie?: string; env?: Record<string, string> } = {}): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'playground-test-'));
  const epmdPort = await freePort();
  const discoveryPort = await freeUdpPort();
  const env: Record<string, string> = {
    PLAYGROUND_HOME: home,
    PLAYGROUND_EPMD_PORT: String(epmdPort),
    PLAYGROUND_DISCOVERY_PORT: String(discoveryPort),
    PLAYGROUND_COOKIE: opts.cookie ?? 'test-cookie',
    NO_COLOR: '1',
    ...opts.env,
  };
  return new Cluster(home, epmdPort, discoveryPort, env);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A UDP port that was free a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The PID of the detached port mapper on `port` started with PLAYGROUND_HOME `home`, if it runs. */
export function portMapperPid(port: number, home: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(home, `epmd-${port}.pid`), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Kills the detached port mapper on `port` (by the PID in its file under `home`), if one runs. */
export async function killPortMapper(port: number, home: string): Promise<void> {
  const target = portMapperPid(port, home);
  if (target === undefined || target === process.pid) return;
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(target, 0);
    } catch {
      return;
    }
    await sleep(10);
  }
}

/** The node name that `--sname x` / `--name x@h` arguments give. */
export function nodeName(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--sname' || a === '--name');
  const v = i >= 0 ? args[i + 1] : undefined;
  if (!v) return undefined;
  if (args[i] === '--sname') return v.includes('@') ? v : `${v}@${HOST}`;
  return v.includes('@') ? v : `${v}@${hostname()}`;
}

/** Runs `fn` as a process of `rt` (a node of this test process), bounded by `timeout` ms. */
export function inProcess<T>(rt: Runtime, fn: () => Promise<T> | T, timeout = 15_000): Promise<T> {
  return runInProcess(fn, { runtime: rt, timeout });
}
