/**
 * @module lessons/runner
 * The lesson engine behind `lesson()`, `hint()`, `next()`, `back()` and `reset()` at the
 * prompt, and behind `--auto`.
 *
 * While a lesson runs, every evaluation at the prompt is reported here (`observe`). The
 * current step's check then runs against the live node, for a short while (a packet or
 * a greeting may take a moment to arrive): when it passes, a tick and the next step are
 * shown; when it does not, the step is shown again. A slow poll catches what happens
 * with no input at all (a node started in another terminal). A check that throws, a
 * crashed process or a typo only leaves the step where it is.
 *
 * `play` is the `--auto` mode: it types each step's code into the real REPL (the output
 * shows as if typed), starts the other nodes a step needs as child processes and types
 * their code there, waits (bounded) for each check, pauses between steps, and stops
 * every node it started, pass or fail. Before typing a step's code it checks once that
 * the step is not already done: a check that passes before its action is a broken check.
 *
 * Progress is saved after every change (see `progress.ts`); `--auto` keeps its own in
 * memory so that playing a lesson never moves the learner's place.
 */
import { inspect } from 'node:util';
import pc from 'picocolors';
import { match, node, processInfo, spawn, type Pid } from '../src/index.ts';
import {
  LESSONS, actionsOf, lessonEnv, type Action, type CheckContext, type Evaluation, type Lesson, type LessonEnv, type Step,
} from './index.ts';
import { loadProgress, saveProgress, type Progress } from './progress.ts';
import { Peer } from './peers.ts';

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
  /** The flags that start another node named `short` in this cluster (name and cookie flags). */
  peerFlags?: (short: string) => string[];
}

export interface PlayOptions {
  /** Pause between steps (ms). */
  delayMs?: number;
  /** Longest wait for one step's check (ms). */
  timeoutMs?: number;
}

export type PlayResult =
  | { ok: true; lesson: string; ms: number }
  | { ok: false; lesson: string; ms: number; step: number; title: string; reason: string };

/** Text that the REPL prints as is (no quotes): what the lesson helpers return. */
export class Note {
  constructor(readonly text: string) {}
  [inspect.custom](): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

export class LessonError extends Error {
  constructor(
    readonly code: 'ERR_NO_LESSON' | 'ERR_NO_AUTO',
    message: string,
  ) {
    super(message);
    this.name = 'LessonError';
  }
}

interface Active {
  lesson: Lesson;
  index: number;
  inputs: Evaluation[];
  logs: string[];
  /** Messages the shell took from its mailbox (flush) since the step began. */
  taken: unknown[];
  memo: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Tutor {
  private readonly lessons: readonly Lesson[];
  private readonly file: string | null;
  private readonly env: LessonEnv;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly checkTimeoutMs: number;
  private readonly c: ReturnType<typeof pc.createColors>;
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

  /** The REPL helpers, bound to this runner. */
  helpers() {
    return {
      lesson: (id?: string) => this.lesson(id),
      hint: () => this.hint(),
      next: () => this.next(),
      back: () => this.back(),
      reset: (id?: string) => this.reset(id),
    };
  }

  /** Without an id: every lesson with its progress. With one: starts or resumes it. */
  lesson(id?: string): Note {
    if (id === undefined) return new Note(this.listing());
    const lesson = this.find(id);
    this.progress.current = lesson.id;
    const entry = (this.progress.lessons[lesson.id] ??= { step: 0, passed: [] });
    this.enter(lesson, Math.min(entry.step, lesson.steps.length));
    this.save();
    const intro = `${this.c.bold(lesson.title)} — ${lesson.summary}\n${this.startLine(lesson)}`;
    return new Note(`${intro}\n\n${this.current()}`);
  }

  hint(): Note {
    const step = this.step();
    if (!step) return new Note(this.active ? this.doneText() : 'No lesson is running: lesson() lists them.');
    return new Note(`${this.c.yellow('hint:')} ${step.hint}`);
  }

  /** Skips the current step (it does not count as passed). */
  next(): Note {
    const a = this.active;
    if (!a) return new Note('No lesson is running: lesson() lists them.');
    this.enter(a.lesson, Math.min(a.index + 1, a.lesson.steps.length));
    this.save();
    return new Note(this.current());
  }

  back(): Note {
    const a = this.active;
    if (!a) return new Note('No lesson is running: lesson() lists them.');
    this.enter(a.lesson, Math.max(a.index - 1, 0));
    this.save();
    return new Note(this.current());
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
    if (!this.playing && a.index < a.lesson.steps.length) void this.settle();
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

  /** The `--auto` mode: plays lesson `id` by itself. */
  async play(id: string, opts: PlayOptions = {}): Promise<PlayResult> {
    const type = this.host.type;
    if (!type) throw new LessonError('ERR_NO_AUTO', 'this REPL cannot type code by itself');
    const lesson = this.find(id);
    const started = Date.now();
    const peers = new Map<string, Peer>();
    const saved = this.progress;
    this.playing = true;
    this.progress = { current: lesson.id, lessons: { [lesson.id]: { step: 0, passed: [] } } };
    const result = (extra: object) => ({ lesson: lesson.id, ms: Date.now() - started, ...extra }) as PlayResult;
    try {
      for (let i = 0; i < lesson.steps.length; i++) {
        const step = lesson.steps[i]!;
        this.enter(lesson, i);
        await this.runEnter(step);
        this.host.print(this.current());
        if (await this.check()) {
          const reason = 'its check passed before its code was typed';
          return this.failed(result({ ok: false, step: i + 1, title: step.title, reason }));
        }
        const actions = actionsOf(step, this.env);
        const input = async (action: Action) => {
          const { code, on } = typeof action === 'string' ? { code: action, on: undefined } : action;
          if (on === undefined) return void (await type(code));
          this.host.print(this.c.dim(`${on}> `) + code);
          await (await this.peer(lesson, on, peers)).type(code);
        };
        let passed = false;
        try {
          for (const short of step.start ?? []) await this.peer(lesson, short, peers);
          for (const action of actions) if (!isWhenDone(action)) await input(action);
          passed = await this.checkFor(opts.timeoutMs ?? 20_000);
          if (passed) for (const action of actions) if (isWhenDone(action)) await input(action);
        } catch (err) {
          return this.failed(result({ ok: false, step: i + 1, title: step.title, reason: errorText(err) }));
        }
        if (!passed) {
          const reason = `its check did not pass within ${opts.timeoutMs ?? 20_000} ms`;
          return this.failed(result({ ok: false, step: i + 1, title: step.title, reason }));
        }
        this.pass(i);
        this.host.print(this.c.green(`✔ ${step.title}`));
        if (opts.delayMs) await sleep(opts.delayMs);
      }
      const done = result({ ok: true });
      this.host.print(this.c.green(`✔ ${lesson.id}: all ${lesson.steps.length} steps passed in ${(done.ms / 1000).toFixed(1)} s`));
      return done;
    } finally {
      await Promise.all([...peers.values()].map((p) => p.stop()));
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

  private enter(lesson: Lesson, index: number): void {
    this.generation++;
    this.active = { lesson, index, inputs: [], logs: [], taken: [], memo: {} };
    const entry = (this.progress.lessons[lesson.id] ??= { step: 0, passed: [] });
    entry.step = index;
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
    if (!this.playing) this.enter(a.lesson, index + 1);
    this.save();
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
    const rest = this.step() ? this.current() : this.doneText();
    this.host.print(`${this.c.green(`✔ ${title}`)}\n\n${rest}`);
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
    if (!step) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(r, this.checkTimeoutMs, false)));
    try {
      return (await Promise.race([Promise.resolve().then(() => step.check(this.context())), timeout])) === true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private context(): CheckContext {
    const a = this.active!;
    const shell = this.host.shell();
    const mailbox = () => (shell ? (processInfo(shell)?.messages ?? []) : []);
    return {
      node: node(),
      shell,
      inputs: a.inputs,
      logs: a.logs,
      memo: a.memo,
      env: this.env,
      lookup: (name) => this.host.lookup(name),
      seen: (pattern) =>
        mailbox().some((m) => match(pattern, m)) ||
        a.taken.some((m) => match(pattern, m)) ||
        a.inputs.some((ev) => ev.ok && (match(pattern, ev.value) || (Array.isArray(ev.value) && ev.value.some((v) => match(pattern, v))))),
      evaluated: (re) => lastOf(a.inputs, (ev) => ev.ok && re.test(ev.code)),
      inProcess: (fn) => inProcess(fn, this.checkTimeoutMs),
    };
  }

  private async peer(lesson: Lesson, short: string, peers: Map<string, Peer>): Promise<Peer> {
    let peer = peers.get(short);
    if (!peer) {
      const flags = [...this.nameFlags(short), ...(lesson.nodes[short] ?? [])];
      peer = new Peer({ name: short, args: flags, onLine: (name, line) => this.host.print(this.c.dim(`${name}│ `) + line) });
      this.host.print(this.c.dim(`starting ${short} (pid ${peer.pid}): npx tsx playground ${flags.join(' ')}`));
      peers.set(short, peer);
      await peer.ready();
    }
    return peer;
  }

  private nameFlags(short: string): string[] {
    if (this.opts.peerFlags) return this.opts.peerFlags(short);
    const host = node().split('@')[1] ?? '';
    return host.includes('.') ? ['--name', `${short}@${host}`] : ['--sname', short];
  }

  private failed(r: PlayResult): PlayResult {
    if (!r.ok) this.host.print(this.c.red(`✘ ${r.lesson} step ${r.step} "${r.title}" failed: ${r.reason}`));
    return r;
  }

  // Internals: text

  private listing(): string {
    const rows = this.lessons.map((l) => {
      const done = this.progress.lessons[l.id]?.passed.length ?? 0;
      const mark = this.progress.current === l.id ? '▸' : ' ';
      return `${mark} ${l.id.padEnd(12)} ${`${done}/${l.steps.length}`.padStart(5)}  ${l.title}`;
    });
    return `${rows.join('\n')}\n\nlesson('${this.lessons[0]?.id}') starts or resumes a lesson.`;
  }

  private startLine(lesson: Lesson): string {
    const flags = lesson.flags.length ? ` ${lesson.flags.join(' ')}` : '';
    return this.c.dim(`(this lesson's node: npx tsx playground --sname alice${flags} --lesson ${lesson.id})`);
  }

  /** The current step: in full, or (`brief`) just where the learner is and what to type. */
  private current(brief = false): string {
    const a = this.active;
    const step = this.step();
    if (!a || !step) return this.doneText();
    const head = this.c.cyan(`◆ ${a.lesson.id} · step ${a.index + 1}/${a.lesson.steps.length} · ${step.title}`);
    const lines = [head];
    if (!brief) lines.push(indent(step.explain, '  '));
    for (const short of step.start ?? []) {
      const flags = [...this.nameFlags(short), ...(a.lesson.nodes[short] ?? [])].join(' ');
      lines.push(`  In another terminal: ${this.c.bold(`npx tsx playground ${flags}`)}`);
    }
    let where: string | null = null;
    for (const action of actionsOf(step, this.env)) {
      const on = typeof action === 'string' ? 'here' : (action.on ?? 'here');
      if (on !== where) lines.push(on === 'here' ? '  Type:' : `  At ${on}'s prompt:`);
      where = on;
      lines.push(indent(typeof action === 'string' ? action : action.code, '    '));
    }
    lines.push(this.c.dim(brief ? '  (not done yet: hint() helps, next() skips)' : '  hint() · next() · back() · lesson()'));
    return lines.join('\n');
  }

  private doneText(): string {
    const a = this.active;
    if (!a) return 'No lesson is running: lesson() lists them.';
    const passed = this.progress.lessons[a.lesson.id]?.passed.length ?? 0;
    return this.c.green(`★ ${a.lesson.id} complete (${passed}/${a.lesson.steps.length} checked). lesson() lists the others; reset() starts this one over.`);
  }
}

function indent(text: string, pad: string): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

function isWhenDone(action: Action): boolean {
  return typeof action !== 'string' && action.whenDone === true;
}

function lastOf<T>(items: readonly T[], ok: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (ok(items[i]!)) return items[i];
  return undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` inside a fresh process (so a check may call servers without touching the shell). */
function inProcess<T>(fn: () => T | Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`check did not finish within ${ms} ms`)), ms);
    spawn(async function lessonCheck() {
      try {
        resolve(await fn());
      } catch (err) {
        reject(err);
      } finally {
        clearTimeout(timer);
      }
    });
  });
}
