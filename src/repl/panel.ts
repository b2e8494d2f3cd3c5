/**
 * @module repl/panel
 * Lines pinned to the top of the terminal while the prompt goes on below them: the
 * roster of a workshop, live. The terminal's scrolling region (DECSTBM) is set to the
 * rows under the panel, so whatever the REPL prints (results, log lines, the prompt
 * and the line being typed) scrolls there and never over the panel; the panel is
 * redrawn in place (cursor saved, absolute moves, cursor restored), so it can change
 * at any moment, mid-typing included, without touching the input.
 *
 * The panel takes at most half the screen. Changing its height, a resize, and closing
 * it happen with the prompt set aside (`Screen.aside`): the region's content scrolls up
 * by the rows the panel gains, and the prompt is drawn again at the bottom. Closing, or
 * the process exiting, gives the terminal its whole screen back; the last table stays
 * where it was, as text.
 */
import type { Screen } from './screen.ts';

const SAVE = '\x1b7';
const RESTORE = '\x1b8';
const CLEAR_LINE = '\x1b[2K';

type Terminal = NodeJS.WritableStream & { rows?: number; columns?: number; on(event: 'resize', fn: () => void): unknown; off(event: 'resize', fn: () => void): unknown };

export class Panel {
  private height = 0;
  private lines: string[] = [];
  private readonly onResize = () => setImmediate(() => this.layout(true));
  private readonly onExit = () => this.out.write('\x1b[r');

  constructor(
    private readonly out: Terminal,
    private readonly screen: Screen,
  ) {
    out.on('resize', this.onResize);
    process.on('exit', this.onExit);
  }

  /** The terminal's width, for whoever renders the lines. */
  get columns(): number {
    return this.out.columns ?? 80;
  }

  /** How many lines the panel can show: half the screen. */
  get capacity(): number {
    return Math.max(1, Math.floor(this.rows() / 2));
  }

  /** Shows `lines` (cut to the panel's height); the first call makes the panel. */
  show(lines: string[]): void {
    this.lines = lines;
    this.layout(false);
  }

  /** Gives the screen back; the panel's last lines stay as text. */
  close(): void {
    this.out.off('resize', this.onResize);
    process.off('exit', this.onExit);
    if (this.height === 0) return;
    const rows = this.rows();
    this.height = 0;
    this.screen.aside(() => this.out.write(`\x1b[r\x1b[${rows};1H`));
  }

  // Internals

  private rows(): number {
    return this.out.rows ?? 24;
  }

  private layout(resized: boolean): void {
    const rows = this.rows();
    const height = Math.min(this.lines.length, this.capacity);
    if (height !== this.height || resized) {
      const grow = Math.max(0, height - this.height);
      this.height = height;
      // From the bottom, newlines scroll what is under the panel up by the rows it gains.
      this.screen.aside(() => this.out.write(`\x1b[${rows};1H${'\n'.repeat(grow)}\x1b[${height + 1};${rows}r\x1b[${rows};1H`));
    }
    let text = SAVE;
    for (let i = 0; i < height; i++) text += `\x1b[${i + 1};1H${CLEAR_LINE}${this.lines[i] ?? ''}`;
    this.out.write(text + RESTORE);
  }
}
