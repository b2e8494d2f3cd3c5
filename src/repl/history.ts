/**
 * @module repl/history
 * The prompt's history, kept across sessions in `~/.playground/history`
 * (`$PLAYGROUND_HOME/history` when that is set). Node's `repl.start` keeps none by
 * itself; `setupHistory` loads the file and appends to it as lines are entered.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { REPLServer } from 'node:repl';
import { playgroundHome } from '../env.ts';

/** Loads and keeps the history of `server` in `file` (default: `<home>/history`). */
export function openHistory(server: REPLServer, file = join(playgroundHome(), 'history')): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  } catch {
    // setupHistory reports an unusable file itself.
  }
  server.setupHistory(file, function historyOpened(err) {
    if (err) server.output.write(`(history not kept: ${err.message})\n`);
  });
}
