/**
 * @module repl/screen
 * Everything the REPL writes that is not an evaluation's result: log lines, greetings
 * and crash reports that arrive at any time, and the spinner shown while a promise is
 * awaited.
 *
 * On a terminal a line printed while the prompt waits goes *above* it: clear the rows
 * the prompt and the partial input take, write the line, and let readline redraw the
 * prompt with the input and the cursor where they were. While an evaluation runs the
 * line simply takes the spinner's place. When output is piped, lines are written as
 * they come, each on a line of its own.
 */
import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';
import type { REPLServer } from 'node:repl';
import { format } from 'node:util';
import type { ReplParts } from './adapter.ts';
import type { TypeAhead } from './typeahead.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** A promise settled sooner than this shows no spinner (no flicker for quick calls). */
const SPINNER_DELAY_MS = 120;
const SPINNER_STEP_MS = 80;

export class Screen {
  /** True while a prompt is on screen waiting for input. */
  atPrompt = false;
  /** The keys typed while an input runs (terminal only), drawn below everything else. */
  typeAhead: TypeAhead | null = null;
  /** How many times `print` was called: an input that printed shows no `undefined` after. */
  printed = 0;
  private spinnerTimer: NodeJS.Timeout | null = null;
  private spinnerShown = false;
  private frame = 0;

  constructor(
    private readonly server: REPLServer,
    /** Null on a plain prompt: lines are then written as they come. */
    private readonly parts: ReplParts | null,
    readonly terminal: boolean,
    private readonly dim: (text: string) => string,
  ) {}

  /** Prints `text` (one or more lines) without disturbing the prompt or the input being typed. */
  print(text: string): void {
    this.printed++;
    const out = this.server.output;
    const lines = text.endsWith('\n') ? text : text + '\n';
    if (!this.terminal || this.parts === null) {
      if (this.atPrompt) {
        out.write('\n' + lines);
        this.redrawPrompt();
      } else {
        out.write(lines);
      }
      return;
    }
    if (this.typeAhead?.visible) {
      this.typeAhead.hide();
      out.write(lines);
      this.typeAhead.show();
      return;
    }
    if (this.spinnerShown) {
      out.write('\r\x1b[K' + lines);
      this.drawSpinner();
      return;
    }
    this.aside(() => out.write(lines));
  }

  /**
   * Runs `write` with the prompt and the input being typed set aside: on a terminal at
   * the prompt, their rows are cleared before and drawn again after, cursor included
   * (and the keys typed ahead of a running input, likewise).
   */
  aside(write: () => void): void {
    if (!this.terminal || this.parts === null) return write();
    if (this.typeAhead?.visible) {
      this.typeAhead.hide();
      write();
      this.typeAhead.show();
      return;
    }
    if (!this.atPrompt) return write();
    const out = this.server.output;
    const rows = this.server.getCursorPos().rows;
    if (rows > 0) moveCursor(out, 0, -rows);
    cursorTo(out, 0);
    clearScreenDown(out);
    write();
    this.parts.forgetRows();
    this.redrawPrompt();
  }

  /**
   * Shows that an input runs (on a terminal, after a short delay): a spinner, or the
   * keys typed meanwhile; until `endWait`.
   */
  startWait(): void {
    if (!this.terminal || this.spinnerTimer !== null) return;
    this.spinnerTimer = setTimeout(() => {
      if (this.typeAhead?.hasContent) return this.typeAhead.show();
      this.spinnerShown = true;
      this.drawSpinner();
      this.spinnerTimer = setInterval(() => this.drawSpinner(), SPINNER_STEP_MS);
      this.spinnerTimer.unref();
    }, SPINNER_DELAY_MS);
    this.spinnerTimer.unref();
  }

  /** The input has ended: the spinner and the keys typed meanwhile go, before its result is written. */
  endWait(): void {
    if (this.spinnerTimer !== null) {
      clearTimeout(this.spinnerTimer);
      clearInterval(this.spinnerTimer);
      this.spinnerTimer = null;
    }
    // The keys typed ahead took the spinner's row when they appeared.
    const ahead = this.typeAhead?.visible ?? false;
    this.typeAhead?.hide();
    if (this.spinnerShown) {
      this.spinnerShown = false;
      if (!ahead) this.server.output.write('\r\x1b[K');
    }
  }

  /**
   * Shows `line` after `prompt` as if it had just been typed there: a line typed ahead,
   * or typed by a program, as it starts to run. Whatever the prompt row showed is
   * replaced (on a terminal, the user may have begun the next line: it comes back with
   * the next prompt).
   */
  echo(prompt: string, line: string): void {
    const out = this.server.output;
    if (!this.terminal || this.parts === null) return void out.write(line + '\n');
    this.endWait();
    const rows = this.server.getCursorPos().rows;
    if (rows > 0) moveCursor(out, 0, -rows);
    cursorTo(out, 0);
    clearScreenDown(out);
    out.write(`${prompt}${line}\n`);
    this.parts.forgetRows();
  }

  /**
   * Routes `console.log` and its kin through `print`, as iex routes IO from any process
   * through the shell: output of a process lands above the prompt, not inside the line
   * being typed. Returns a function that puts the console back.
   */
  captureConsole(): () => void {
    const original = { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error };
    const print = (...args: unknown[]) => this.print(format(...args));
    Object.assign(console, { log: print, info: print, debug: print, warn: print, error: print });
    return () => Object.assign(console, original);
  }

  // Internals

  /**
   * Draws the prompt and the input again, keeping the input paused if it was (readline
   * resumes it when prompting; the REPL pauses it while the history file loads, and
   * a line read then would be lost from the history).
   */
  private redrawPrompt(): void {
    const paused = this.parts?.paused() ?? false;
    this.server.displayPrompt(true);
    if (paused) this.server.pause();
  }

  private drawSpinner(): void {
    if (this.typeAhead?.visible) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    this.server.output.write('\r' + this.dim(FRAMES[this.frame]!) + ' ');
  }
}
