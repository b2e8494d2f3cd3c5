/**
 * @module repl/history
 * The prompt's history, kept across sessions in `~/.playground/history`
 * (`$PLAYGROUND_HOME/history` when that is set), shared by every node on the machine.
 *
 * Node's own `setupHistory` rewrites the whole file with its session's list, so the last
 * of two nodes to write wins, and it keeps 30 entries. Here the file is a log instead:
 * each input is appended as one line when it has been evaluated, with a single `write`
 * on a file opened for appending, so concurrent nodes interleave whole entries and never
 * overwrite each other. A multi-line input is one entry, its line breaks written as `\r`
 * (Node 24's own convention), and the up arrow brings it back whole. At start the last
 * `HISTORY_SIZE` entries are loaded; a file grown past twice that is trimmed (written
 * aside and renamed into place, so a reader never sees half a file).
 *
 * @example
 * //=> node()
 * //=> function twice(n) {\r  return n * 2\r}
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { playgroundHome } from '../env.ts';
import type { ReplParts } from './adapter.ts';

/** Entries kept in memory, and (at least) in the file. */
export const HISTORY_SIZE = 1000;

export class History {
  private broken = false;

  constructor(
    private readonly parts: ReplParts,
    private readonly write: (text: string) => void,
    readonly file = join(playgroundHome(), 'history'),
  ) {}

  /** Loads the file's last entries into the prompt (trimming the file if it has grown long). */
  load(): void {
    let entries: string[];
    try {
      entries = readFileSync(this.file, 'utf8').split('\n').filter((line) => line.trim() !== '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(err);
      return;
    }
    if (entries.length > 2 * HISTORY_SIZE) {
      entries = entries.slice(-HISTORY_SIZE);
      this.rewrite(entries);
    }
    this.parts.setHistory(entries.slice(-HISTORY_SIZE).reverse().map((e) => e.split('\r').join('\n')));
  }

  /**
   * `input` was typed at the prompt and evaluated: appends it to the file, and (where
   * readline kept its lines apart, Node 20 and 22) makes its lines one entry in memory.
   */
  record(input: string): void {
    const entry = input.replace(/\s+$/, '');
    if (entry === '') return;
    if (!this.parts.multilineEditing && entry.includes('\n')) this.join(entry);
    if (this.broken) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      appendFileSync(this.file, entry.split('\n').join('\r') + '\n', { mode: 0o600 });
    } catch (err) {
      this.fail(err);
    }
  }

  // Internals

  /** Replaces the newest entries that are the lines of `entry` by `entry` itself. */
  private join(entry: string): void {
    const history = this.parts.history();
    if (history[0] === entry) return;
    const lines = entry.split('\n').reverse();
    let n = 0;
    while (n < lines.length && history[n] === lines[n]) n++;
    history.splice(0, n, entry);
    this.parts.setHistory(history.slice(0, HISTORY_SIZE));
  }

  private rewrite(entries: string[]): void {
    const aside = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(aside, entries.join('\n') + '\n', { mode: 0o600 });
      renameSync(aside, this.file);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.write(`(history not kept: ${(err as Error).message})`);
  }
}
