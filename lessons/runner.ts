/**
 * @module lessons/runner
 * A lesson taken at the prompt: the driver behind `lesson()`, `hint()`, `next()`,
 * `back()` and `reset()`, on the plain state of `state.ts` (`auto.ts` is the other
 * driver, for `--auto`).
 *
 * When a step is judged:
 * - after an input that is not a line of the step's code with more of it to come, so a
 *   step never ticks halfway through its own code; the check gets a short while
 *   (`settleMs`) for a packet or a greeting to arrive;
 * - by a slow background check, for what happens with no input here (a node started in
 *   another terminal, code typed at another prompt).
 * A step is judged only once it is armed: at once when entered by passing the step
 * before, by `next()` or by opening the lesson; when entered with `back()` or `reset()`,
 * once an input came or its check was seen failing, so that going back to a step the
 * node already satisfies does not tick it again at once.
 *
 * What is said: a tick and the next step when a step passes, the step again when it
 * changes or is asked for (`lesson()`), and, when the learner typed all of a step's code
 * and its check still fails, one dim line. Nothing else: a mistake, a typo or a crashed
 * process only leaves the step where it is.
 *
 * A lesson that builds its own version of a node service (hello-world's discovery and
 * greeter) has those services paused while it is the current lesson (`Lesson.quiet`).
 *
 * Every lesson event (a lesson opened, a step shown or passed, a hint, a failed input)
 * also goes to the host's `report`, from the state both drivers share (`state.ts`):
 * that is how a workshop's roster follows each attendee (`Workshop.progress`).
 */
import pc from 'picocolors';
import type { LessonEvent, Pid } from '../src/index.ts';
import type { NodeCommand } from './text.ts';
import type { Evaluation, Lesson, LessonEnv } from './index.ts';
import { lessonEnv } from './index.ts';
import { LessonState } from './state.ts';
import { NO_LESSON, Note, doneText, intro, listing, notDone, quietNote, stepText, type Colors } from './text.ts';

export { Note } from './text.ts';
export { LessonError } from './state.ts';
export type { NodeCommand } from './text.ts';

/** What a driver needs from the node and the prompt it lives in. */
export interface Host {
  /** Shows text to the learner (above the prompt while it waits for input). */
  print(text: string): void;
  /** The value `name` has at the prompt (undefined when it has none). */
  lookup(name: string): unknown;
  /** The shell process. */
  shell(): Pid | undefined;
  /** Types `code` at the prompt as if the learner typed it; resolves once it is evaluated (`--auto`). */
  type?(code: string): Promise<unknown>;
  /** Hears every lesson event, as it happens. */
  report?(event: LessonEvent): void;
  colors?: boolean;
  /** How to start another node of this cluster, named `short` (the lesson's own flags are added). */
  nodeCommand(short: string): NodeCommand;
  /** Stops this node's services `ids` for a lesson's length; the function returned starts them again. */
  quiet?(ids: readonly string[]): Promise<() => Promise<void>>;
}

export interface TutorOptions {
  lessons?: readonly Lesson[];
  /** Where progress is kept; null keeps it in memory. */
  progressFile?: string | null;
  env?: LessonEnv;
  /** How long a check keeps trying after an input (ms). */
  settleMs?: number;
  /** Period of the background check (ms). */
  pollMs?: number;
  /** Longest a single check may take (ms). */
  checkTimeoutMs?: number;
}

export class Tutor {
  private readonly state: LessonState;
  private readonly c: Colors;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private poller: NodeJS.Timeout | null = null;
  private checking = false;
  private armed = false;
  /** The last input was a line of the step's code, and more of it is to come. */
  private midCode = false;
  /** The services paused for the current lesson, and how to start them again. */
  private quieted: { lesson: Lesson; restart: () => Promise<void> } | null = null;

  constructor(
    private readonly host: Host,
    opts: TutorOptions = {},
  ) {
    this.state = new LessonState(host, {
      lessons: opts.lessons,
      progressFile: opts.progressFile,
      env: opts.env ?? lessonEnv(),
      checkTimeoutMs: opts.checkTimeoutMs,
    });
    this.c = pc.createColors(host.colors ?? false);
    this.settleMs = opts.settleMs ?? 1500;
    this.pollMs = opts.pollMs ?? 1000;
  }

  // Client API: the helpers at the prompt

  /** Without an id: every lesson with its progress. With one: starts or resumes it. */
  async lesson(id?: string): Promise<Note> {
    if (id === undefined) return new Note(listing(this.c, this.state.lessons, this.state.progress));
    const lesson = this.state.find(id);
    const index = this.state.open(lesson);
    this.entered(true);
    // The command that starts a suitable node, only to a node that does not suit (a
    // learner who started as ann need not be told to be alice).
    const problem = lesson.preflight?.();
    const notes = [intro(this.c, lesson, problem !== undefined)];
    const quiet = await this.quiet(lesson);
    if (quiet) notes.push(this.c.dim(quiet));
    if (problem) notes.push(this.c.yellow(problem));
    if (index > 0 && index < lesson.steps.length) {
      notes.push(this.c.dim(`Resuming at step ${index + 1}. If this node restarted since, what earlier steps defined is gone: back() shows them again.`));
    }
    return new Note(`${notes.join('\n')}\n\n${this.current()}`);
  }

  hint(): Note {
    const step = this.state.step();
    if (!step) return new Note(this.current());
    this.state.hinted();
    return new Note(`${this.c.yellow('hint:')} ${step.hint}`);
  }

  /** Skips the current step (it does not count as passed). */
  next(): Note {
    return this.move(1, true);
  }

  back(): Note {
    return this.move(-1, false);
  }

  /** Starts the current lesson (or lesson `id`) over from its first step. */
  reset(id?: string): Note {
    const lesson = id !== undefined ? this.state.find(id) : this.state.active?.lesson;
    if (!lesson) return new Note('No lesson is running: reset(id) resets one, lesson() lists them.');
    const current = this.state.active?.lesson === lesson;
    this.state.reset(lesson);
    if (!current) return new Note(`${lesson.id}: progress cleared.`);
    this.entered(false);
    return new Note(this.current());
  }

  // Client API: what the prompt reports

  /** An input was evaluated at the prompt. */
  observe(ev: Evaluation): void {
    if (!this.state.active || ev.value instanceof Note) return;
    this.state.record(ev);
    if (!this.state.step()) return;
    this.armed = true;
    const code = this.state.ownCode().map(normalize);
    const at = code.indexOf(normalize(ev.code));
    this.midCode = at >= 0 && at < code.length - 1;
    if (!this.midCode) void this.judge(at === code.length - 1 && at >= 0 && !this.state.othersAfterOwn());
  }

  /** A line was logged above the prompt (a greeting, a crash report). */
  log(line: string): void {
    this.state.log(line);
  }

  /** The shell took these messages from its mailbox (`flush()`). */
  took(messages: readonly unknown[]): void {
    this.state.took(messages);
  }

  /** Stops the background check. */
  close(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  // Internals

  private move(by: number, armed: boolean): Note {
    if (!this.state.move(by)) return new Note(NO_LESSON);
    this.entered(armed);
    return new Note(this.current());
  }

  /** A step became current; `armed`: it may be judged at once (see the module doc). */
  private entered(armed: boolean): void {
    this.armed = armed;
    this.midCode = false;
    void this.state.begin();
    if (this.state.step()) this.poller ??= setInterval(() => void this.poll(), this.pollMs).unref();
    else void this.unquiet();
  }

  /** After an input: give the check a moment, then tick, or say once that the typed code did not do it. */
  private async judge(typedAll: boolean): Promise<void> {
    const gen = this.state.generation;
    const passed = await this.state.checkFor(this.settleMs);
    if (gen !== this.state.generation) return;
    if (passed) this.advance();
    else if (typedAll) this.host.print(notDone(this.c, this.state.active!));
  }

  private async poll(): Promise<void> {
    if (this.checking || this.midCode || !this.state.step()) return;
    const gen = this.state.generation;
    this.checking = true;
    try {
      const passed = await this.state.check();
      if (gen !== this.state.generation) return;
      if (!this.armed) this.armed = !passed;
      else if (passed) this.advance();
    } finally {
      this.checking = false;
    }
  }

  private advance(): void {
    const a = this.state.active!;
    const title = a.lesson.steps[a.index]!.title;
    this.state.pass();
    this.state.enter(a.lesson, a.index + 1);
    this.entered(true);
    this.host.print(`${this.c.green(`✔ ${title}`)}\n\n${this.current()}`);
  }

  /** Pauses the services `lesson` builds its own of (and restarts another lesson's); says so. */
  private async quiet(lesson: Lesson): Promise<string | undefined> {
    if (this.quieted?.lesson === lesson) return quietNote(lesson);
    await this.unquiet();
    if (!lesson.quiet?.length || !this.host.quiet) return undefined;
    this.quieted = { lesson, restart: await this.host.quiet(lesson.quiet) };
    return quietNote(lesson);
  }

  private async unquiet(): Promise<void> {
    const q = this.quieted;
    this.quieted = null;
    await q?.restart();
  }

  /** The current step in full, or the end of the lesson. */
  private current(): string {
    const a = this.state.active;
    if (!a) return NO_LESSON;
    if (!this.state.step()) return doneText(this.c, a.lesson, this.state.passedCount(a.lesson));
    return stepText(this.c, a.lesson, a.index, this.state.env, (short) => this.host.nodeCommand(short));
  }
}

/** Code compared as typed, whatever the spacing and a final semicolon. */
function normalize(code: string): string {
  return code.replace(/\s+/g, ' ').trim().replace(/;$/, '');
}
