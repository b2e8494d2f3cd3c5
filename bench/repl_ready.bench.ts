/**
 * How long until the prompt is there: `npx tsx playground --sname x` (repl_ready_ms) and
 * `node --import tsx playground --sname x` (repl_ready_direct_ms), from launch until
 * `playground(x@host)1> ` appears on the child's stdout. The prompt shows while the node
 * boots, so the launch until the answer to `node()` typed at once is measured too
 * (repl_answer_direct_ms): the node up and the helpers loaded. Each run then ends its
 * input, which stops the node. Each value is the median of the runs (one warm-up run
 * first, which also starts the port mapper). Everything runs on loopback, with a port
 * mapper, discovery port and PLAYGROUND_HOME of its own, all removed at the end.
 */
import { spawn } from 'node:child_process';
import { ROOT, startCluster } from '../test/support/cluster.ts';
import { percentile, report } from './report.ts';

const RUNS = 9;
const RUN_TIMEOUT_MS = 8000;

const cluster = await startCluster();
const env = { ...process.env, ...cluster.env };
try {
  const npx = await measure('npx', ['tsx', 'playground', '--sname', 'x']);
  const direct = await measure(process.execPath, ['--import', 'tsx', 'playground', '--sname', 'x']);
  report('repl_ready_ms', Math.round(percentile(npx.map((t) => t.prompt), 50)), 'ms');
  report('repl_ready_direct_ms', Math.round(percentile(direct.map((t) => t.prompt), 50)), 'ms');
  report('repl_answer_direct_ms', Math.round(percentile(direct.map((t) => t.answer), 50)), 'ms');
} finally {
  await cluster.stop();
}

interface Times {
  /** Launch to the first prompt. */
  prompt: number;
  /** Launch to the answer of `node()`, typed as soon as the prompt showed. */
  answer: number;
}

/** The times of RUNS runs, after one warm-up run. */
async function measure(command: string, args: string[]): Promise<Times[]> {
  const times: Times[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = await once(command, args);
    if (i > 0) times.push(t);
  }
  return times;
}

function once(command: string, args: string[]): Promise<Times> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let prompt = 0;
    let answer = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no prompt and answer within ${RUN_TIMEOUT_MS} ms:\n${out}`));
    }, RUN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (prompt === 0 && /playground\(x@[^)]+\)1> /.test(out)) {
        prompt = performance.now() - start;
        child.stdin.write('node()\n');
      }
      if (answer === 0 && /'x@[^']+'\n/.test(out)) {
        answer = performance.now() - start;
        child.stdin.end();
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (answer > 0) resolve({ prompt, answer });
      else reject(new Error(`exited before the prompt answered:\n${out}`));
    });
  });
}
