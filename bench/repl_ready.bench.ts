/**
 * How long until the prompt is there: `npx tsx playground --sname x` (repl_ready_ms) and
 * `node --import tsx playground --sname x` (repl_ready_direct_ms), from launch until
 * `playground(x@host)1> ` appears on the child's stdout. Each run then ends its input,
 * which stops the node. The value is the median of the runs (one warm-up run first,
 * which also starts the port mapper). Everything runs on loopback, with a port mapper,
 * discovery port and PLAYGROUND_HOME of its own, all removed at the end.
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
  report('repl_ready_ms', Math.round(percentile(npx, 50)), 'ms');
  report('repl_ready_direct_ms', Math.round(percentile(direct, 50)), 'ms');
} finally {
  await cluster.stop();
}

/** Launch-to-prompt times of RUNS runs, after one warm-up run. */
async function measure(command: string, args: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const ms = await once(command, args);
    if (i > 0) times.push(ms);
  }
  return times;
}

function once(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let ready = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no prompt within ${RUN_TIMEOUT_MS} ms:\n${out}`));
    }, RUN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (ready === 0 && /playground\(x@[^)]+\)1> /.test(out)) {
        ready = performance.now() - start;
        child.stdin.end();
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (ready > 0) resolve(ready);
      else reject(new Error(`exited before the prompt:\n${out}`));
    });
  });
}
