/**
 * @module repl/typeahead
 * Keys typed while an input is still running show as they are typed and run after it,
 * in order, as in a shell. Node's REPL holds such keys unseen while an `await` is
 * pending and replays them after, where they garble the output.
 *
 * While something runs, keys go to readline's own line editing (`adapter.ts`), under a
 * dim `… ` mark at the bottom of the screen: the lines entered so far (queued in the
 * input queue) and the one being typed. Lines printed meanwhile go above that area.
 * When the running input ends, the area is cleared before its result is written; each
 * queued line is then shown after its own prompt as it runs (`Screen.echo`). Ctrl+C still
 * cancels what runs; Tab does nothing until the prompt is back.
 *
 * @example
 * //=> playground(bob@vm)3> await receive()
 * //=> … send(self(), 1)
 * //=> … 1 + |
 */
import { clearScreenDown, cursorTo, moveCursor, Interface } from 'node:readline';
import type { REPLServer } from 'node:repl';
import { stripVTControlCharacters } from 'node:util';
import type { ReplParts } from './adapter.ts';

/** What the area needs to know of the queue and the evaluator. */
export interface Waiting {
  /** True while an input runs or lines wait to run. */
  pending(): boolean;
  /** The lines entered while something ran, not yet run, oldest first. */
  queued(): string[];
}

export class TypeAhead {
  /** True while the area is on screen. */
  visible = false;
  private waiting!: Waiting;

  constructor(
    private readonly server: REPLServer & { line: string },
    private readonly parts: ReplParts,
    private readonly mark: string,
  ) {}

  install(waiting: Waiting): void {
    this.waiting = waiting;
    this.parts.interceptKeys((data, key, edit) => {
      if (!waiting.pending() || (key.ctrl && key.name === 'c')) return false;
      if (key.name === 'tab') return true;
      if (!this.visible) this.show();
      edit(data, key);
      // The line just entered is queued now: a fresh mark for the next one.
      if (key.name === 'return' || key.name === 'enter') this.server.prompt(true);
      return true;
    });
  }

  /** Something runs and keys were typed (or lines wait): draws the area at the bottom, in place of what the row showed. */
  show(): void {
    if (this.visible) return;
    const out = this.server.output;
    moveCursor(out, 0, -this.server.getCursorPos().rows);
    cursorTo(out, 0);
    clearScreenDown(out);
    for (const line of this.waiting.queued()) out.write(`${this.mark}${line}\n`);
    Interface.prototype.setPrompt.call(this.server, this.mark);
    this.parts.forgetRows();
    this.server.prompt(true);
    this.visible = true;
  }

  /** Clears the area (before a result is written, or a line printed above it). */
  hide(): void {
    if (!this.visible) return;
    const out = this.server.output;
    const columns = (out as { columns?: number }).columns ?? 80;
    const queuedRows = this.waiting.queued().reduce((n, line) => n + rowsOf(this.mark + line, columns), 0);
    moveCursor(out, 0, -(queuedRows + this.server.getCursorPos().rows));
    cursorTo(out, 0);
    clearScreenDown(out);
    this.parts.forgetRows();
    this.visible = false;
  }

  /** Whether there is anything to show: lines waiting, or a line being typed. */
  get hasContent(): boolean {
    return this.waiting.queued().length > 0 || this.server.line.length > 0;
  }
}

/** Rows a line of text takes on a screen `columns` wide (wide characters counted as one). */
function rowsOf(text: string, columns: number): number {
  return Math.max(1, Math.ceil(stripVTControlCharacters(text).length / columns));
}
