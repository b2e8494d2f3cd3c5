/**
 * @module erlang/epmd/main
 * The port mapper as its own OS process: `node --import tsx src/erlang/epmd/main.ts 4369`.
 * Nodes start it detached when they find no port mapper; if another one won the race
 * to the port, this one exits quietly. Once no node has been connected to it for
 * `PLAYGROUND_EPMD_IDLE_MS` (default ten minutes) it exits, so nothing lingers after
 * the last playground closes; the next node to start simply starts a new one. `epmd
 * -kill` stops it too, as it stops Erlang's.
 *
 * While it runs, its process id is in `epmd-<port>.pid` in `PLAYGROUND_HOME` (default
 * `~/.playground`), so whoever started the node that started it can stop it by PID.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { playgroundHome } from '../../env.ts';
import { startPortMapper } from './server.ts';

const IDLE_MS = Number(process.env.PLAYGROUND_EPMD_IDLE_MS) || 10 * 60_000;
const port = Number(process.argv[2]);
const home = playgroundHome();
const pidFile = join(home, `epmd-${port}.pid`);
try {
  const mapper = await startPortMapper(port);
  process.title = `playground-epmd ${port}`;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(pidFile, `${process.pid}\n`);
  const exit = () => {
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  void mapper.closed.then(exit);
  process.once('SIGTERM', () => void mapper.close());
  let idleSince = Date.now();
  setInterval(() => {
    if (mapper.connections() > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= IDLE_MS) void mapper.close();
  }, Math.min(1000, IDLE_MS)).unref();
  // The listening socket keeps the process alive; the check above decides when to stop.
} catch (err) {
  process.exitCode = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 0 : 1;
}
