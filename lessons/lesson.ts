/**
 * @module lessons/lesson
 * The shape of a lesson, its steps and their checks, shared by the lessons and the
 * runner; `index.ts` lists the lessons themselves.
 */
import type { NodeName, Pattern, Pid } from '../src/index.ts';
import { portFromEnv } from '../src/env.ts';

/** One input the learner (or the auto player) evaluated at the prompt. */
export interface Evaluation {
  code: string;
  ok: boolean;
  /** The result (after awaiting a promise), when `ok`. */
  value?: unknown;
  /** What was thrown, when not `ok`. */
  error?: unknown;
}

/** What a step's check is given: the runner's record of this step, plus the live node. */
export interface CheckContext {
  /** This node's name (`node()`). */
  readonly node: NodeName;
  /** The shell's pid, when the REPL has a shell process. */
  readonly shell: Pid | undefined;
  /** Inputs evaluated since the step began, oldest first. */
  readonly inputs: readonly Evaluation[];
  /** Log lines (greetings, crash reports) printed since the step began. */
  readonly logs: readonly string[];
  /** The value a name has at the prompt (a variable the learner defined), or undefined. */
  lookup(name: string): unknown;
  /** Scratch space of this step, filled by its `enter`. */
  readonly memo: Record<string, unknown>;
  readonly env: LessonEnv;
  /**
   * True when a message matching `pattern` waits in the shell's mailbox, or was taken
   * from it (`flush()`, `receive()`) or appeared in a result since the step began.
   */
  seen(pattern: Pattern): boolean;
  /** The latest successful input since the step began whose code matches `re`. */
  evaluated(re: RegExp): Evaluation | undefined;
  /** Runs `fn` in a fresh process, so that a check can call a server without touching the shell. */
  inProcess<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** True when the step is done. A check that throws counts as not done. */
export type Check = (ctx: CheckContext) => boolean | Promise<boolean>;

/** An input with more to say than its code. */
export interface Typed {
  code: string;
  /** Typed at this node of `Lesson.nodes` instead of the learner's own prompt. */
  on?: string;
  /** With --auto, typed once the step's check has passed, so that it shows the result. */
  whenDone?: boolean;
}

/** One input to type: code for the learner's own prompt, or a `Typed`. */
export type Action = string | Typed;

/** Settings that lesson code may depend on (a port, chosen so that parallel runs do not meet). */
export interface LessonEnv {
  /** The UDP port of the hello-world lesson's hand-made discovery. */
  udpPort: number;
}

export interface Step {
  title: string;
  /** A short explanation, in a few lines. */
  explain: string;
  /** What to type, in order. */
  code: readonly Action[] | ((env: LessonEnv) => readonly Action[]);
  check: Check;
  hint: string;
  /** Nodes (keys of `Lesson.nodes`) that must run from this step on; their command is shown. */
  start?: readonly string[];
  /** Runs once when the step becomes current: note what the check compares against. */
  enter?: (ctx: CheckContext) => void | Promise<void>;
}

export interface Lesson {
  id: string;
  title: string;
  /** One line: what the learner builds. */
  summary: string;
  /**
   * Services of the learner's node (children of its supervisor) that the lesson builds
   * its own of: they are paused while the lesson is the current one.
   */
  quiet?: readonly string[];
  /** Other nodes by short name, with the flags they start with (the name flag is added). */
  nodes: Readonly<Record<string, readonly string[]>>;
  /** What is wrong with this node for the lesson (e.g. a missing flag), if anything. */
  preflight?: () => string | undefined;
  steps: readonly Step[];
}

/** The default port of the hand-made discovery; `PLAYGROUND_LESSON_PORT` overrides it. */
export const LESSON_UDP_PORT = 45826;

/** The lesson settings of this OS process. */
export function lessonEnv(env: NodeJS.ProcessEnv = process.env): LessonEnv {
  return { udpPort: portFromEnv('PLAYGROUND_LESSON_PORT', LESSON_UDP_PORT, env) };
}

/** The inputs of a step, with its env applied. */
export function actionsOf(step: Step, env: LessonEnv): readonly Action[] {
  return typeof step.code === 'function' ? step.code(env) : step.code;
}
