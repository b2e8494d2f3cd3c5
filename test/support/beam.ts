/**
 * @module test/support/beam
 * Real Erlang/OTP for the interop tests: an `epmd` on a port of the test's own, and
 * Elixir nodes (`test/support/beam-node.exs`) driven line by line like an iex session.
 * Every BEAM process is started here and stopped here by its PID, also when a test
 * fails; each listens on 127.0.0.1 only, starts no epmd of its own and uses the port
 * mapper of the test's cluster (`ERL_EPMD_PORT`), never 4369.
 *
 * Where Erlang or Elixir is missing, `BEAM_MISSING` says why, and the interop suites
 * register their tests with `testOrSkip(BEAM_MISSING, ...)`: skipped, visibly.
 *
 * @example
 * const alice = await BeamNode.start(c, 'alice');
 * await alice.eval(`Node.connect(:"bob@${HOST}")`) //=> 'true'
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HOST, ROOT, countIn, waitForOutput, type Cluster } from './cluster.ts';
import { sleep } from './eventually.ts';
import { commandMissing } from './skip.ts';

/** Why the BEAM suites cannot run here, or null when `erl`, `epmd` and `elixir` are there. */
export const BEAM_MISSING: string | null = commandMissing('erl') ?? commandMissing('epmd') ?? commandMissing('elixir');

/** Everything started here: killed if the test process exits without stopping it. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Erlang's own epmd on `port`, on loopback, in the foreground (so its PID is ours to stop). */
export async function startEpmd(port: number): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn('epmd', ['-port', String(port), '-address', '127.0.0.1'], { stdio: 'ignore' });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  for (let i = 0; ; i++) {
    const r = spawnSync('epmd', ['-port', String(port), '-names'], { encoding: 'utf8', timeout: 5000 });
    if (r.stdout?.includes('up and running')) break;
    if (i > 100 || child.exitCode !== null) {
      await stop();
      throw new Error(`epmd did not come up on port ${port}: ${r.stdout}${r.stderr}`);
    }
    await sleep(50);
  }
  return { pid: child.pid!, stop };
}

/**
 * Runs Erlang's `epmd` command line against the port mapper on `port` (`-names`, `-kill`)
 * and resolves with what it prints. Asynchronous, since the mapper may run in this process.
 */
export function epmdCommand(port: number, command: '-names' | '-kill'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('epmd', ['-port', String(port), command], { encoding: 'utf8', timeout: 5000 }, (err, stdout) => {
      if (err && err.killed) reject(new Error(`epmd ${command} did not finish`));
      else resolve(stdout);
    });
  });
}

export interface BeamOptions {
  /** The cookie (default: the cluster's). */
  cookie?: string;
  /** `net_ticktime` in seconds (default Erlang's 60). */
  tickTime?: number;
  /** More `-pa` code paths or Erlang flags, as words. */
  erl?: string[];
  /** Files to require (`-r`) before the driver script. */
  require?: string[];
  env?: Record<string, string>;
}

/** One Elixir node in its own OS process. */
export class BeamNode {
  output = '';
  alive = true;
  readonly exited: Promise<void>;
  private nextId = 1;

  private constructor(
    readonly child: ChildProcess,
    /** `alice@vm` */
    readonly name: string,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => child.once('exit', () => ((this.alive = false), live.delete(child), resolve())));
  }

  /** Starts `elixir --sname <sname>` with the cluster's port mapper (started if none runs) and cookie; resolves once it runs. */
  static async start(c: Cluster, sname: string, opts: BeamOptions = {}): Promise<BeamNode> {
    await c.ensurePortMapper();
    const erl = ['-start_epmd false', '-kernel inet_dist_use_interface {127,0,0,1}'];
    if (opts.tickTime) erl.push(`-kernel net_ticktime ${opts.tickTime}`);
    erl.push(...(opts.erl ?? []));
    const args = ['--sname', sname, '--cookie', opts.cookie ?? c.env.PLAYGROUND_COOKIE!, '--erl', erl.join(' ')];
    for (const file of opts.require ?? []) args.push('-r', file);
    args.push(join(ROOT, 'test/support/beam-node.exs'));
    const child = spawn('elixir', args, {
      cwd: ROOT,
      env: { ...process.env, HOME: c.home, ERL_EPMD_PORT: String(c.epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    const node = new BeamNode(child, `${sname}@${HOST}`);
    await node.waitFor(`READY ${node.name}`, 20_000);
    return node;
  }

  /** Runs Elixir code on the node and resolves with `inspect` of its result; rejects with its error. */
  async eval(code: string, timeout = 15_000): Promise<string> {
    const id = this.nextId++;
    const since = this.output.length;
    this.child.stdin!.write(`${id} ${code.replace(/\n/g, '\\n')}\n`);
    const line = await this.waitFor(new RegExp(`^(=>|!!) ${id} (.*)$`, 'm'), timeout, since);
    const m = /^(=>|!!) \d+ (.*)$/.exec(line)!;
    const text = m[2]!.replace(/\\n/g, '\n');
    if (m[1] === '!!') throw new Error(`${this.name} raised on ${code}:\n${text}`);
    return text;
  }

  /** Waits until the output (from `since`) matches; resolves with the matched text. */
  waitFor(pattern: RegExp | string, timeout = 10_000, since = 0): Promise<string> {
    return waitForOutput(this, this.name, pattern, timeout, since);
  }

  /** How many times `pattern` occurs in the output. */
  count(pattern: RegExp): number {
    return countIn(this.output, pattern);
  }

  /** SIGKILL (kill -9) by PID, and wait for the exit. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}
