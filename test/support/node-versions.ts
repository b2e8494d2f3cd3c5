/**
 * @module test/support/node-versions
 * Other Node.js releases for tests that run the playground on them: the binary of the
 * latest `major` (22, 24, 26) from the npm registry's `node-<os>-<cpu>` package, fetched
 * once with `npm pack` and kept in `node_modules/.cache/otp-playground/`. Test set-up
 * only: users never install these.
 *
 * As a script it fetches what CI needs and prints each binary's folder, one a line:
 * `node --import tsx test/support/node-versions.ts 22 24 26`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/otp-playground/', import.meta.url));

/** The `node` binary of the latest release `major`, or why there is none here. */
export function nodeBinary(major: number): string | Error {
  const cached = readdirSync(CACHE, { withFileTypes: true }).find((d) => d.isDirectory() && d.name.startsWith(`node-v${major}.`));
  if (cached) return join(CACHE, cached.name, 'bin', 'node');
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}@${major}`;
  const scratch = mkdtempSync(join(CACHE, 'fetch-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', pkg, '--json', '--pack-destination', scratch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string; version: string }>;
    execFileSync('tar', ['-xzf', join(scratch, packed!.filename), '-C', scratch, 'package/bin/node']);
    const dir = join(CACHE, `node-v${packed!.version}`);
    mkdirSync(dir, { recursive: true });
    renameSync(join(scratch, 'package', 'bin'), join(dir, 'bin'));
    return join(dir, 'bin', 'node');
  } catch (err) {
    return new Error(`no Node ${major} here (npm pack ${pkg}: ${(err as Error).message.split('\n')[0]})`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

mkdirSync(CACHE, { recursive: true });

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let failed = false;
  for (const major of process.argv.slice(2).map(Number)) {
    const bin = nodeBinary(major);
    if (bin instanceof Error || !existsSync(bin)) {
      process.stderr.write(`${bin instanceof Error ? bin.message : `${bin} is missing`}\n`);
      failed = true;
    } else {
      process.stdout.write(`${join(bin, '..')}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
