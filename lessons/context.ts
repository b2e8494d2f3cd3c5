/**
 * @module lessons/context
 * What a step's check sees (`CheckContext`), built from the runner's record of the
 * current step and the live node, and how a check runs: bounded in time, and a check
 * that throws is a check that did not pass.
 */
import { inProcess, match, node, processInfo, type Pid } from '../src/index.ts';
import type { CheckContext, Evaluation, Lesson, LessonEnv, Step } from './index.ts';

/** The current step and what happened since it began. */
export interface Active {
  lesson: Lesson;
  index: number;
  inputs: Evaluation[];
  logs: string[];
  /** Messages the shell took from its mailbox (flush) since the step began. */
  taken: unknown[];
  memo: Record<string, unknown>;
}

/** What the context needs from the prompt. */
export interface Prompt {
  lookup(name: string): unknown;
  shell(): Pid | undefined;
}

export function checkContext(a: Active, prompt: Prompt, env: LessonEnv, timeoutMs: number): CheckContext {
  const shell = prompt.shell();
  const mailbox = () => (shell ? (processInfo(shell)?.messages ?? []) : []);
  const inResult = (pattern: unknown, v: unknown) => match(pattern, v) || (Array.isArray(v) && v.some((m) => match(pattern, m)));
  return {
    node: node(),
    shell,
    inputs: a.inputs,
    logs: a.logs,
    memo: a.memo,
    env,
    lookup: (name) => prompt.lookup(name),
    seen: (pattern) =>
      mailbox().some((m) => match(pattern, m)) ||
      a.taken.some((m) => match(pattern, m)) ||
      a.inputs.some((ev) => ev.ok && inResult(pattern, ev.value)),
    evaluated: (re) => lastOf(a.inputs, (ev) => ev.ok && re.test(ev.code)),
    inProcess: (fn) => inProcess(fn, { timeout: timeoutMs }),
  };
}

/** True when `step`'s check passes within `ms`; false when it fails, throws or takes longer. */
export async function runCheck(step: Step, ctx: CheckContext, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(r, ms, false)));
  try {
    return (await Promise.race([Promise.resolve().then(() => step.check(ctx)), timeout])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function lastOf<T>(items: readonly T[], ok: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (ok(items[i]!)) return items[i];
  return undefined;
}
