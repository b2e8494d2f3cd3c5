/**
 * @module lessons/peers
 * The other nodes of a lesson played with `--auto`: each one a real playground in its
 * own OS process, started the way the learner would start it in another terminal, with
 * the environment of this node (so the same port mapper, discovery port, home and
 * cookie), its input piped in and its output shown here line by line, prefixed with
 * its name.
 *
 * Typing at a peer waits until the peer shows its next prompt, so an input there has
 * been evaluated before the lesson goes on. Every wait is bounded, and `stop` ends the
 * peer whatever state it is in: end of input first (the node leaves cleanly), then
 * SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CodedError } from '../src/index.ts';

/** The playground's entry file, for `node --import tsx <entry>`. */
export const PLAYGROUND_ENTRY = fileURLToPath(new URL('../playground/index.ts', import.meta.url));

const PROMPT = /playground\([^)]*\)\d+> /g;
const PROMPTS_AT_START = /^(playground\([^)]*\)\d+> |\.\.\. )+/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Every peer still running: killed should this process exit without stopping them. */
const live = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class PeerError extends CodedError<'ERR_PEER_START' | 'ERR_PEER_TIMEOUT' | 'ERR_PEER_EXIT'> {}

export interface PeerOptions {
  /** Short name, as the lesson calls it ('bob'). */
  name: string;
  /** Every flag, the name flag included. */
  args: readonly string[];
  /** Where each complete output line goes. */
  onLine: (name: string, line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Longest wait for a prompt, in ms. */
  timeoutMs?: number;
}

export class Peer {
  readonly name: string;
  /** The OS process id. */
  readonly pid: number | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private text = '';
  private partial = '';
  private prompts = 0;
  private exited: number | null | undefined = undefined;
  private stopping = false;
  private readonly waiters = new Set<() => void>();
  private readonly timeoutMs: number;

  constructor(private readonly opts: PeerOptions) {
    this.name = opts.name;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    this.child = spawn(process.execPath, ['--import', 'tsx', PLAYGROUND_ENTRY, ...opts.args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.output(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.output(chunk));
    this.child.stdin.on('error', () => {});
    // The prompt shows before the node is up; an empty line is answered (with a second
    // prompt) only once it is.
    this.child.stdin.write('\n');
    live.add(this.child);
    this.child.on('exit', (code) => {
      live.delete(this.child);
      this.exited = code;
      this.partial = '';
      this.wake();
    });
  }

  /** Resolves once the node is up: its prompt has answered the empty line sent at start. */
  async ready(): Promise<void> {
    await this.until(() => this.prompts > 1, 'start');
  }

  /** Types `code` at the peer's prompt and resolves once it has been evaluated. */
  async type(code: string): Promise<void> {
    await this.ready();
    const before = this.prompts;
    this.child.stdin.write(code.endsWith('\n') ? code : code + '\n');
    await this.until(() => this.prompts > before, `evaluate ${JSON.stringify(code.split('\n')[0])}`);
  }

  /** Everything the peer printed so far, without colours. */
  get transcript(): string {
    return this.text;
  }

  /** Ends the peer: end of input, then SIGTERM, then SIGKILL, each after a bounded wait. */
  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    this.stopping = true;
    this.child.stdin.end();
    if (await this.exitWithin(5000)) return;
    this.child.kill('SIGTERM');
    if (await this.exitWithin(2000)) return;
    this.child.kill('SIGKILL');
    await this.exitWithin(2000);
  }

  // Internals

  private output(chunk: string): void {
    const text = chunk.replace(ANSI, '');
    this.text += text;
    this.prompts = countPrompts(this.text);
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const raw of lines) {
      // Lines after the stop began (the node saying goodbye) and bare prompts are not shown.
      const line = raw.replace(/\r$/, '').replace(PROMPTS_AT_START, '');
      if (!this.stopping && line.trim() !== '') this.opts.onLine(this.name, line);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        if (err) reject(err);
        else resolve();
      };
      const poll = () => {
        if (done()) finish();
        else if (this.exited !== undefined) {
          finish(new PeerError('ERR_PEER_EXIT', `${this.name} exited (code ${this.exited}) before it could ${what}`));
        }
      };
      const timer = setTimeout(
        () => finish(new PeerError('ERR_PEER_TIMEOUT', `${this.name} did not ${what} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.waiters.add(poll);
      poll();
    });
  }

  private exitWithin(ms: number): Promise<boolean> {
    if (this.exited !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        resolve(false);
      }, ms);
      const onExit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.child.once('exit', onExit);
    });
  }
}

/**
 * The prompts drawn after an evaluation. A prompt drawn again under a line printed
 * while it waited (a greeting, a trace line: `\n<line>\n<prompt>`) does not count, or
 * typing would take it for the end of the evaluation still to come.
 */
function countPrompts(text: string): number {
  const after = text.split(PROMPT);
  let n = 0;
  for (let i = 1; i < after.length; i++) if (i === 1 || !after[i - 1]!.startsWith('\n')) n++;
  return n;
}
