/**
 * @module lessons/state
 * Where a learner stands: the lessons, their saved progress, and the current step with
 * what happened since it began (inputs evaluated, lines logged, messages taken from the
 * shell's mailbox). Plain state, with no timers and no output: the two drivers decide
 * when to check and what to say, `runner.ts` at the prompt and `auto.ts` for `--auto`.
 *
 * Progress is saved after every change when a file is given (see `progress.ts`);
 * `--auto` keeps its own in memory so that playing a lesson never moves the learner.
 *
 * Each change is also told, as it happens, to the prompt's `report` if it has one (a
 * lesson opened, a step entered or passed, a hint shown, an input that failed): the one
 * source of lesson events, whichever driver moves the state. A workshop's roster
 * follows each attendee through it (`Workshop.progress`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { CodedError, type LessonEvent } from '../src/index.ts';
import { checkContext, runCheck, type Active, type Prompt } from './context.ts';
import { actionsOf, LESSONS, type CheckContext, type Evaluation, type Lesson, type LessonEnv, type Step } from './index.ts';
import { loadProgress, saveProgress, type Progress } from './progress.ts';

export class LessonError extends CodedError<'ERR_NO_LESSON' | 'ERR_NO_AUTO'> {}

/** A prompt that may hear lesson events. */
export interface Reporting extends Prompt {
  report?(event: LessonEvent): void;
}

export interface StateOptions {
  lessons?: readonly Lesson[];
  /** Where progress is kept; null keeps it in memory. */
  progressFile?: string | null;
  env: LessonEnv;
  /** Longest a single check may take (ms). */
  checkTimeoutMs?: number;
}

export class LessonState {
  readonly lessons: readonly Lesson[];
  readonly env: LessonEnv;
  progress: Progress;
  /** The current step and what happened since it began; null before a lesson is opened. */
  active: Active | null = null;
  /** Bumped at every change of step, so that a check begun for an old step is ignored. */
  generation = 0;
  private readonly file: string | null;
  private readonly checkTimeoutMs: number;

  constructor(
    private readonly prompt: Reporting,
    opts: StateOptions,
  ) {
    this.lessons = opts.lessons ?? LESSONS;
    this.env = opts.env;
    this.file = opts.progressFile ?? null;
    this.checkTimeoutMs = opts.checkTimeoutMs ?? 3000;
    this.progress = this.file ? loadProgress(this.file) : { lessons: {} };
  }

  find(id: string): Lesson {
    const lesson = this.lessons.find((l) => l.id === id);
    if (lesson) return lesson;
    const ids = this.lessons.map((l) => `'${l.id}'`).join(', ');
    throw new LessonError('ERR_NO_LESSON', `no lesson ${inspect(id)}; the lessons are ${ids}`);
  }

  /** Makes `lesson` the current one, at its saved step; gives that step's index. */
  open(lesson: Lesson): number {
    this.progress.current = lesson.id;
    this.report(['lesson', lesson.id, lesson.steps.length]);
    const entry = (this.progress.lessons[lesson.id] ??= { step: 0, passed: [] });
    const index = Math.min(entry.step, lesson.steps.length);
    this.enter(lesson, index);
    return index;
  }

  /** Makes step `index` of `lesson` the current one, with nothing seen yet. */
  enter(lesson: Lesson, index: number): void {
    this.generation++;
    this.active = { lesson, index, inputs: [], logs: [], taken: [], memo: {} };
    this.progress.lessons[lesson.id] = { passed: [], ...this.progress.lessons[lesson.id], step: index };
    this.save();
    this.report(['step', lesson.id, index, lesson.steps.length, lesson.steps[index]?.title ?? '']);
  }

  /** Runs the step's `enter` (what its check compares against); a failing one leaves it to the check. */
  async begin(): Promise<void> {
    try {
      await this.step()?.enter?.(this.context());
    } catch {
      // A step whose baseline cannot be taken still runs; its check decides.
    }
  }

  /** Moves `by` steps within the current lesson (bounded); false when no lesson is open. */
  move(by: number): boolean {
    const a = this.active;
    if (!a) return false;
    this.enter(a.lesson, Math.max(0, Math.min(a.index + by, a.lesson.steps.length)));
    return true;
  }

  /** Forgets the progress of `lesson`; back to its first step when it is the current one. */
  reset(lesson: Lesson): void {
    this.progress.lessons[lesson.id] = { step: 0, passed: [] };
    if (this.active?.lesson === lesson) this.enter(lesson, 0);
    this.save();
  }

  /** The current step passed. */
  pass(): void {
    const a = this.active!;
    const entry = this.progress.lessons[a.lesson.id]!;
    if (!entry.passed.includes(a.index)) entry.passed = [...entry.passed, a.index].sort((x, y) => x - y);
    this.save();
    this.report(['passed', a.lesson.id, a.index, a.lesson.steps.length, a.lesson.steps[a.index]?.title ?? '']);
  }

  /** A hint for the current step was shown. */
  hinted(): void {
    const a = this.active;
    if (a) this.report(['hint', a.lesson.id, a.index]);
  }

  step(): Step | undefined {
    return this.active ? this.active.lesson.steps[this.active.index] : undefined;
  }

  passedCount(lesson: Lesson): number {
    return this.progress.lessons[lesson.id]?.passed.length ?? 0;
  }

  // What happened at the prompt

  record(ev: Evaluation): void {
    const a = this.active;
    if (!a) return;
    a.inputs.push(ev);
    if (!ev.ok) this.report(['error', a.lesson.id, a.index, firstLine(ev.error)]);
  }

  log(line: string): void {
    this.active?.logs.push(line);
  }

  took(messages: readonly unknown[]): void {
    this.active?.taken.push(...messages);
  }

  // Checks

  check(): Promise<boolean> {
    const step = this.step();
    return step ? runCheck(step, this.context(), this.checkTimeoutMs) : Promise.resolve(false);
  }

  /** Runs the check until it passes or `ms` have gone by; false too when the step changed meanwhile. */
  async checkFor(ms: number): Promise<boolean> {
    const gen = this.generation;
    const until = Date.now() + ms;
    for (;;) {
      if (await this.check()) return gen === this.generation;
      if (Date.now() >= until || gen !== this.generation) return false;
      await sleep(100);
    }
  }

  /**
   * The code of the current step typed at this node's own prompt, as its action (not the
   * inputs that only show the result once it passed).
   */
  ownCode(): string[] {
    const step = this.step();
    if (!step) return [];
    return actionsOf(step, this.env).flatMap((a) => (typeof a === 'string' ? [a] : a.on === undefined && !a.whenDone ? [a.code] : []));
  }

  /**
   * Another node has a part of the current step after this node's last line of it: this
   * node's code typed in full then leaves the step waiting on that node, not failed.
   */
  othersAfterOwn(): boolean {
    const step = this.step();
    if (!step) return false;
    const actions = actionsOf(step, this.env).filter((a) => typeof a === 'string' || !a.whenDone);
    const own = (a: (typeof actions)[number]) => typeof a === 'string' || a.on === undefined;
    const lastOwn = actions.length - 1 - [...actions].reverse().findIndex(own);
    return actions.slice(lastOwn + 1).some((a) => !own(a));
  }

  private context(): CheckContext {
    return checkContext(this.active!, this.prompt, this.env, this.checkTimeoutMs);
  }

  private save(): void {
    if (this.file) saveProgress(this.file, this.progress);
  }

  /** Tells the prompt of a lesson event; one that fails to listen never stops the lesson. */
  private report(event: LessonEvent): void {
    try {
      this.prompt.report?.(event);
    } catch {
      // the roster misses one event; the lesson goes on
    }
  }
}

/** The first line of what an input threw, for a roster's "last error". */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : inspect(err);
  return text.split('\n')[0]!.slice(0, 200);
}
