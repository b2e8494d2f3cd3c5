/**
 * @module lessons/auto
 * `--auto`: a lesson playing itself, for a presenter on stage and for the tests.
 *
 * For each step: show it; check once that it is not already done (a check that passes
 * before its action is a broken check, and the run says so); start the other nodes it
 * needs as child processes (`peers.ts`); type its code into the real REPL, and the
 * other nodes' code at their prompts, so every output shows as if typed; wait, bounded,
 * for its check; type the inputs that show the result (`whenDone`); pause; go on.
 * Every node started is stopped at the end, pass or fail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Action, Lesson, LessonEnv } from './index.ts';
import { actionsOf } from './index.ts';
import { Peer } from './peers.ts';
import type { Colors } from './text.ts';

export interface PlayOptions {
  /** Pause between steps (ms). */
  delayMs?: number;
  /** Longest wait for one step's check (ms). */
  timeoutMs?: number;
}

export type PlayResult =
  | { ok: true; lesson: string; ms: number }
  | { ok: false; lesson: string; ms: number; step: number; title: string; reason: string };

/** What playing needs from the runner: its current step, its checks, the prompt. */
export interface Stage {
  readonly c: Colors;
  readonly env: LessonEnv;
  print(text: string): void;
  /** Types `code` at the learner's prompt; resolves once it has been evaluated. */
  type(code: string): Promise<unknown>;
  /** The flags that start node `short` of the lesson (its name flag included). */
  nodeFlags(short: string): string[];
  /** Makes step `index` the current one, its `enter` run. */
  begin(index: number): Promise<void>;
  /** The current step, in full. */
  text(): string;
  check(): Promise<boolean>;
  /** Runs the check until it passes or `ms` have gone by. */
  checkFor(ms: number): Promise<boolean>;
  pass(index: number): void;
}

export async function playLesson(stage: Stage, lesson: Lesson, opts: PlayOptions = {}): Promise<PlayResult> {
  const { c } = stage;
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const peers = new Map<string, Peer>();
  const failed = (step: number, reason: string): PlayResult => {
    const title = lesson.steps[step - 1]?.title ?? '';
    stage.print(c.red(`✘ ${lesson.id} step ${step} "${title}" failed: ${reason}`));
    return { ok: false, lesson: lesson.id, ms: Date.now() - started, step, title, reason };
  };

  const peer = async (short: string): Promise<Peer> => {
    let p = peers.get(short);
    if (!p) {
      const flags = stage.nodeFlags(short);
      p = new Peer({ name: short, args: flags, onLine: (name, line) => stage.print(c.dim(`${name}│ `) + line) });
      peers.set(short, p);
      stage.print(c.dim(`starting ${short} (pid ${p.pid}): npx tsx playground ${flags.join(' ')}`));
      await p.ready();
    }
    return p;
  };
  const input = async (action: Action): Promise<void> => {
    const { code, on } = typeof action === 'string' ? { code: action, on: undefined } : action;
    if (on === undefined) return void (await stage.type(code));
    stage.print(c.dim(`${on}> `) + code);
    await (await peer(on)).type(code);
  };

  let tick = '';
  try {
    for (let i = 0; i < lesson.steps.length; i++) {
      const step = lesson.steps[i]!;
      await stage.begin(i);
      stage.print(tick + stage.text());
      if (await stage.check()) return failed(i + 1, 'its check passed before its code was typed');
      const actions = actionsOf(step, stage.env);
      let passed = false;
      try {
        for (const short of step.start ?? []) await peer(short);
        for (const action of actions) if (!isWhenDone(action)) await input(action);
        passed = await stage.checkFor(timeoutMs);
        if (passed) for (const action of actions) if (isWhenDone(action)) await input(action);
      } catch (err) {
        return failed(i + 1, err instanceof Error ? err.message : String(err));
      }
      if (!passed) return failed(i + 1, `its check did not pass within ${timeoutMs} ms`);
      stage.pass(i);
      tick = c.green(`✔ ${step.title}`) + '\n\n';
      if (opts.delayMs) await sleep(opts.delayMs);
    }
    const ms = Date.now() - started;
    stage.print(tick + c.green(`✔ ${lesson.id}: all ${lesson.steps.length} steps passed in ${(ms / 1000).toFixed(1)} s`));
    return { ok: true, lesson: lesson.id, ms };
  } finally {
    await Promise.all([...peers.values()].map((p) => p.stop()));
  }
}

function isWhenDone(action: Action): boolean {
  return typeof action !== 'string' && action.whenDone === true;
}
