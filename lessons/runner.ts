/**
 * @module lessons/runner
 * The lesson engine behind `lesson()`, `hint()`, `next()`, `back()` and `reset()` at the
 * prompt, and behind `--auto` (`auto.ts`).
 *
 * While a lesson runs, every evaluation at the prompt is reported here (`observe`). The
 * current step's check then runs against the live node, for a short while (a packet or
 * a greeting may take a moment to arrive): when it passes, a tick and the next step are
 * shown; when it does not, the step is shown again. A slow poll catches what happens
 * with no input at all (a node started in another terminal). A check that throws, a
 * crashed process or a typo only leaves the step where it is.
 *
 * Progress is saved after every change (see `progress.ts`); `--auto` keeps its own in
 * memory so that playing a lesson never moves the learner's place.
 *
 * Every lesson event (a lesson begun, a step shown or passed, a hint, a failed input)
 * also goes to the host's `report` (one call site each, through `report()`): that is
 * how a workshop's roster follows each attendee (`Workshop.progress`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import pc from 'picocolors';
import { CodedError, node, processInfo, type LessonEvent, type Pid } from '../src/index.ts';
import { LESSONS, lessonEnv, type CheckContext, type Evaluation, type Lesson, type LessonEnv, type Step } from './index.ts';
import { checkContext, runCheck, type Active } from './context.ts';
import { loadProgress, saveProgress, type Progress } from './progress.ts';
import { playLesson, type PlayOptions, type PlayResult } from './auto.ts';
import { NO_LESSON, Note, doneText, intro, listing, stepText, type Colors } from './text.ts';

export { Note } from './text.ts';
export type { PlayOptions, PlayResult } from './auto.ts';

/** What the runner needs from the REPL it lives in. */
export interface Host {
  /** Shows text to the learner (above the prompt while it waits for input). */
  print(text: string): void;
  /** The value `name` has at the prompt (undefined when it has none). */
  lookup(name: string): unknown;
  /** The shell process. */
  shell(): Pid | undefined;
  /** Types `code` at the prompt as if the learner typed it; resolves once it is evaluated. */
  type?(code: string): Promise<unknown>;
  /** Hears every lesson event, as it happens. */
  report?(event: LessonEvent): void;
  colors?: boolean;
}

export interface TutorOptions {
  lessons?: readonly Lesson[];
  /** Where progress is kept; null keeps it in memory. */
  progressFile?: string | null;
  env?: LessonEnv;
  /** How long a check keeps trying after an evaluation before the step is shown again (ms). */
  settleMs?: number;
  /** Period of the background check (ms). */
  pollMs?: number;
  /** Longest a single check may take (ms). */
  checkTimeoutMs?: number;
  /** The flags that name another node `short` of this cluster (default: like this node's name). */
  nameFlags?: (short: string) => string[];
}

export class LessonError extends CodedError<'ERR_NO_LESSON' | 'ERR_NO_AUTO'> {}

export class Tutor {
  private readonly lessons: readonly Lesson[];
  private readonly file: string | null;
  private readonly env: LessonEnv;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly checkTimeoutMs: number;
  private readonly c: Colors;
  private progress: Progress;
  private active: Active | null = null;
  /** Bumped at every change of step, so that a check begun for an old step is ignored. */
  private generation = 0;
  private checking = false;
  private playing = false;
  private poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: Host,
    private readonly opts: TutorOptions = {},
  ) {
    this.lessons = opts.lessons ?? LESSONS;
    this.file = opts.progressFile ?? null;
    this.env = opts.env ?? lessonEnv();
    this.settleMs = opts.settleMs ?? 1500;
    this.pollMs = opts.pollMs ?? 1000;
    this.checkTimeoutMs = opts.checkTimeoutMs ?? 3000;
    this.c = pc.createColors(host.colors ?? false);
    this.progress = this.file ? loadProgress(this.file) : { lessons: {} };
  }

  // Client API: the helpers at the prompt

  /** Without an id: every lesson with its progress. With one: starts or resumes it. */
  lesson(id?: string): Note {
    if (id === undefined) return new Note(listing(this.c, this.lessons, this.progress));
    const lesson = this.find(id);
    this.progress.current = lesson.id;
    this.report(['lesson', lesson.id, lesson.steps.length]);
    const entry = (this.progress.lessons[lesson.id] ??= { step: 0, passed: [] });
    this.enter(lesson, Math.min(entry.step, lesson.steps.length));
    this.save();
    const notes = [intro(this.c, lesson)];
    const problem = lesson.preflight?.();
    if (problem) notes.push(this.c.yellow(problem));
    if (entry.step > 0 && entry.step < lesson.steps.length) {
      notes.push(this.c.dim(`Resuming at step ${entry.step + 1}. If this node restarted since, what earlier steps defined is gone: back() shows them again.`));
    }
    return new Note(`${notes.join('\n')}\n\n${this.current()}`);
  }

  hint(): Note {
    const step = this.step();
    if (!step) return new Note(this.current());
    this.report(['hint', this.active!.lesson.id, this.active!.index]);
    return new Note(`${this.c.yellow('hint:')} ${step.hint}`);
  }

  /** Skips the current step (it does not count as passed). */
  next(): Note {
    return this.move(1);
  }

  back(): Note {
    return this.move(-1);
  }

  /** Starts the current lesson (or lesson `id`) over from its first step. */
  reset(id?: string): Note {
    const lesson = id !== undefined ? this.find(id) : this.active?.lesson;
    if (!lesson) return new Note('No lesson is running: reset(id) resets one, lesson() lists them.');
    this.progress.lessons[lesson.id] = { step: 0, passed: [] };
    if (this.active?.lesson === lesson) this.enter(lesson, 0);
    this.save();
    return new Note(this.active?.lesson === lesson ? this.current() : `${lesson.id}: progress cleared.`);
  }

  // Client API: what the REPL reports

  /** An input was evaluated at the prompt. */
  observe(ev: Evaluation): void {
    const a = this.active;
    if (!a || ev.value instanceof Note) return;
    a.inputs.push(ev);
    if (!ev.ok) this.report(['error', a.lesson.id, a.index, firstLine(ev.error)]);
    if (!this.playing && this.step()) void this.settle();
  }

  /** A log line (greeting, crash report) was printed. */
  log(line: string): void {
    this.active?.logs.push(line);
  }

  /** The shell is about to empty its mailbox (`flush()`): note what it takes. */
  beforeFlush(): void {
    const shell = this.host.shell();
    if (this.active && shell) this.active.taken.push(...(processInfo(shell)?.messages ?? []));
  }

  /** Stops the background check. */
  close(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** The `--auto` mode: plays lesson `id` by itself (see `auto.ts`). */
  async play(id: string, opts: PlayOptions = {}): Promise<PlayResult> {
    const type = this.host.type?.bind(this.host);
    if (!type) throw new LessonError('ERR_NO_AUTO', 'this REPL cannot type code by itself');
    const lesson = this.find(id);
    const saved = this.progress;
    this.close();
    this.playing = true;
    this.progress = { current: lesson.id, lessons: { [lesson.id]: { step: 0, passed: [] } } };
    this.report(['lesson', lesson.id, lesson.steps.length]);
    try {
      return await playLesson(
        {
          c: this.c,
          env: this.env,
          print: (text) => this.host.print(text),
          type,
          nodeFlags: (short) => this.nodeFlags(lesson, short),
          begin: async (index) => {
            this.enter(lesson, index);
            await this.runEnter(lesson.steps[index]);
          },
          text: () => this.current(),
          check: () => this.check(),
          checkFor: (ms) => this.checkFor(ms),
          pass: (index) => this.pass(index),
        },
        lesson,
        opts,
      );
    } finally {
      this.progress = saved;
      this.active = null;
      this.playing = false;
    }
  }

  // Internals

  private find(id: string): Lesson {
    const lesson = this.lessons.find((l) => l.id === id);
    if (lesson) return lesson;
    const ids = this.lessons.map((l) => `'${l.id}'`).join(', ');
    throw new LessonError('ERR_NO_LESSON', `no lesson ${inspect(id)}; the lessons are ${ids}`);
  }

  private step(): Step | undefined {
    return this.active ? this.active.lesson.steps[this.active.index] : undefined;
  }

  private move(by: number): Note {
    const a = this.active;
    if (!a) return new Note(NO_LESSON);
    this.enter(a.lesson, Math.max(0, Math.min(a.index + by, a.lesson.steps.length)));
    this.save();
    return new Note(this.current());
  }

  private enter(lesson: Lesson, index: number): void {
    this.generation++;
    this.active = { lesson, index, inputs: [], logs: [], taken: [], memo: {} };
    this.report(['step', lesson.id, index, lesson.steps.length, lesson.steps[index]?.title ?? '']);
    this.progress.lessons[lesson.id] = { passed: [], ...this.progress.lessons[lesson.id], step: index };
    if (!this.playing) {
      void this.runEnter(lesson.steps[index]);
      this.poller ??= setInterval(() => void this.poll(), this.pollMs).unref();
    }
  }

  private async runEnter(step: Step | undefined): Promise<void> {
    try {
      await step?.enter?.(this.context());
    } catch {
      // A step whose baseline cannot be taken still runs; its check decides.
    }
  }

  private pass(index: number): void {
    const a = this.active!;
    const entry = this.progress.lessons[a.lesson.id]!;
    if (!entry.passed.includes(index)) entry.passed = [...entry.passed, index].sort((x, y) => x - y);
    this.report(['passed', a.lesson.id, index, a.lesson.steps.length, a.lesson.steps[index]?.title ?? '']);
    if (!this.playing) this.enter(a.lesson, index + 1);
    this.save();
  }

  /** Tells the host of a lesson event; a host that fails to listen never stops the lesson. */
  private report(event: LessonEvent): void {
    try {
      this.host.report?.(event);
    } catch {
      // the roster misses one event; the lesson goes on
    }
  }

  private save(): void {
    if (this.file && !this.playing) saveProgress(this.file, this.progress);
  }

  /** After an evaluation: give the check a moment, then tick or show the step again. */
  private async settle(): Promise<void> {
    const gen = this.generation;
    const passed = await this.checkFor(this.settleMs);
    if (gen !== this.generation) return;
    if (passed) this.advance();
    else this.host.print(this.current(true));
  }

  private async poll(): Promise<void> {
    if (this.playing || this.checking || !this.step()) return;
    const gen = this.generation;
    this.checking = true;
    try {
      if ((await this.check()) && gen === this.generation) this.advance();
    } finally {
      this.checking = false;
    }
  }

  private advance(): void {
    const a = this.active!;
    const title = a.lesson.steps[a.index]!.title;
    this.pass(a.index);
    this.host.print(`${this.c.green(`✔ ${title}`)}\n\n${this.current()}`);
  }

  /** Runs the check until it passes or `ms` have gone by. */
  private async checkFor(ms: number): Promise<boolean> {
    const gen = this.generation;
    const until = Date.now() + ms;
    for (;;) {
      if (await this.check()) return gen === this.generation;
      if (Date.now() >= until || gen !== this.generation) return false;
      await sleep(100);
    }
  }

  private async check(): Promise<boolean> {
    const step = this.step();
    return step ? runCheck(step, this.context(), this.checkTimeoutMs) : false;
  }

  private context(): CheckContext {
    return checkContext(this.active!, this.host, this.env, this.checkTimeoutMs);
  }

  /** The current step, in full or brief, or the end of the lesson. */
  private current(brief = false): string {
    const a = this.active;
    if (!a) return NO_LESSON;
    if (!this.step()) return doneText(this.c, a.lesson, this.progress.lessons[a.lesson.id]?.passed.length ?? 0);
    return stepText(this.c, a.lesson, a.index, this.env, (short) => this.nodeFlags(a.lesson, short), brief);
  }

  /** The flags that start node `short` of `lesson`: its name, the way this node is named, and the lesson's flags. */
  private nodeFlags(lesson: Lesson, short: string): string[] {
    const host = node().split('@')[1] ?? '';
    const name = this.opts.nameFlags?.(short) ?? (host.includes('.') ? ['--name', `${short}@${host}`] : ['--sname', short]);
    return [...name, ...(lesson.nodes[short] ?? [])];
  }
}

/** The first line of what an input threw, for the roster's "last error". */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : inspect(err);
  return text.split('\n')[0]!.slice(0, 200);
}
