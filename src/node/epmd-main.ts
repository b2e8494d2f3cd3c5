/**
 * @module node/epmd-main
 * The port mapper as its own OS process: `node --import tsx src/node/epmd-main.ts 4370`.
 * Nodes start it detached when they find no port mapper; if another one won the race
 * to the port, this one exits quietly.
 */
import { startPortMapper } from './epmd.ts';

const port = Number(process.argv[2]);
try {
  await startPortMapper(port);
  process.title = `playground-epmd ${port}`;
} catch (err) {
  process.exitCode = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 0 : 1;
}
