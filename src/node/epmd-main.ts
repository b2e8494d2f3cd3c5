/**
 * @module node/epmd-main
 * The port mapper as its own OS process: `node --import tsx src/node/epmd-main.ts 4370`.
 * Nodes start it detached when they find no port mapper; if another one won the race
 * to the port, this one exits quietly. Once no node has been connected to it for
 * `PLAYGROUND_EPMD_IDLE_MS` (default ten minutes) it exits, so nothing lingers after
 * the last playground closes; the next node to start simply starts a new one.
 */
import { startPortMapper } from './epmd.ts';

const IDLE_MS = Number(process.env.PLAYGROUND_EPMD_IDLE_MS) || 10 * 60_000;
const port = Number(process.argv[2]);
try {
  const mapper = await startPortMapper(port);
  process.title = `playground-epmd ${port}`;
  let idleSince = Date.now();
  setInterval(() => {
    if (mapper.connections() > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= IDLE_MS) void mapper.close().then(() => process.exit(0));
  }, Math.min(1000, IDLE_MS)).unref();
  // The listening socket keeps the process alive; the check above decides when to stop.
} catch (err) {
  process.exitCode = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 0 : 1;
}
