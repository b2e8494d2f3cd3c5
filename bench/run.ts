/**
 * Runs every `bench/*.bench.ts` in its own Node process (so one benchmark's heap and
 * timers never skew another's) and passes their JSON lines through. Each gets a time
 * limit; a benchmark that fails or overruns is named on stderr and the run goes on.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Room for the benchmarks that launch fifty nodes first (mesh, workshop) on a busy two-core machine. */
const LIMIT_MS = 120_000;
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();

let failed = 0;
for (const file of files) {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      cwd: join(here, '..'),
    });
    const timer = setTimeout(() => {
      process.stderr.write(`bench: ${file} ran over ${LIMIT_MS} ms; stopped\n`);
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  if (code !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} exited with ${code}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
