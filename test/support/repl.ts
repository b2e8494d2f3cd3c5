/**
 * @module test/support/repl
 * The real REPL in this test process, on in-memory streams: write lines to its input,
 * read what it prints. `terminal: true` makes the streams look like an 80-column TTY.
 * Each REPL gets a runtime of its own; `close()` ends it (and its shell process).
 */
import { PassThrough } from 'node:stream';
import * as BasicServer from '../../src/basic-server.ts';
import * as GenServer from '../../src/genserver.ts';
import { Runtime } from '../../src/process/index.ts';
import * as PubSub from '../../src/pubsub/index.ts';
import * as Registry from '../../src/registry.ts';
import * as Supervisor from '../../src/supervisor.ts';
import { startRepl, type Repl, type ReplOptions } from '../../src/repl/index.ts';
import { coreHelpers, type HelperEnv } from '../../src/repl/helpers.ts';
import { udpHelper } from '../../src/repl/modules.ts';
import { workshopHelpers } from '../../src/repl/workshop.ts';
import * as udp from '../../src/repl/udp.ts';
import * as dbg from '../../src/trace/dbg.ts';
import * as sys from '../../src/trace/sys.ts';
import { seqTrace } from '../../src/trace/seq.ts';
import { sleep } from './eventually.ts';

export interface Harness {
  repl: Repl;
  runtime: Runtime;
  input: PassThrough;
  /** Everything printed so far. */
  readonly output: string;
  /** The current end of the output, for `waitFor(..., since)`. */
  mark(): number;
  /** Waits until the output after `since` matches `pattern`; resolves with the output after `since`. */
  waitFor(pattern: RegExp | string, since?: number, timeout?: number): Promise<string>;
  /** Writes `line` and waits for the prompt that follows its evaluation; resolves with what was printed. */
  eval(line: string, timeout?: number): Promise<string>;
  close(): Promise<void>;
}

export const PROMPT = /playground\([^)]*\)(\d+)?> $/;

export async function openRepl(opts: Partial<ReplOptions> & { node?: string } = {}): Promise<Harness> {
  const input = new PassThrough();
  const output = new PassThrough();
  if (opts.terminal) Object.assign(output, { isTTY: true, columns: 80, rows: 24 });
  let text = '';
  output.setEncoding('utf8').on('data', (d: string) => (text += d));
  const runtime = new Runtime({ node: opts.node });
  // The modules this test process already has (a dynamic import would load second copies).
  const later = async (env: HelperEnv) => ({
    ...coreHelpers(env), ...workshopHelpers(env), GenServer, Supervisor, Registry, BasicServer, PubSub, udp: udpHelper(udp), dbg, sys, seqTrace,
  });
  const repl = startRepl({ colors: false, historyFile: null, terminal: false, later, ...opts, runtime, input, output });
  await repl.ready;

  const waitFor = async (pattern: RegExp | string, since = 0, timeout = 5000): Promise<string> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const seen = text.slice(since);
      if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) return seen;
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeout} ms; output after mark:\n${JSON.stringify(seen)}`);
      await sleep(5);
    }
  };
  return {
    repl,
    runtime,
    input,
    get output() {
      return text;
    },
    mark: () => text.length,
    waitFor,
    async eval(line, timeout) {
      const since = text.length;
      input.write(line + '\n');
      const seen = await waitFor(PROMPT, since, timeout);
      return seen.replace(PROMPT, '');
    },
    async close() {
      repl.close();
      await Promise.race([repl.closed, sleep(2000)]);
      runtime.shutdown();
    },
  };
}
