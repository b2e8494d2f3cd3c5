/**
 * @module lessons/auto
 * `--auto`: a lesson playing itself, for a presenter on stage and for the tests; the
 * other driver of `state.ts` (the prompt's is `runner.ts`).
 *
 * For each step: show it; check once that it is not already done (a check that passes
 * before its action is a broken check, and the run says so); start the other nodes it
 * needs as child processes (`peers.ts`); type its code into the real REPL, and the
 * other nodes' code at their prompts, so every output shows as if typed; wait, bounded,
 * for its check; type the inputs that show the result (`whenDone`); pause; go on.
 * Every node started is stopped at the end, pass or fail, and the services the lesson
 * paused (`Lesson.quiet`) run again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import type { Action, Evaluation, Lesson } from './index.ts';
import { actionsOf, lessonEnv } from './index.ts';
import { Peer } from './peers.ts';
import type { Host } from './runner.ts';
import { LessonError, LessonState } from './state.ts';
import { commandText, lessonNode, quietNote, stepText } from './text.ts';

export interface PlayOptions {
  /** Pause between steps (ms). */
  delayMs?: number;
  /** Longest wait for one step's check (ms). */
  timeoutMs?: number;
}

export type PlayResult =
  | { ok: true; lesson: string; ms: number }
  | { ok: false; lesson: string; ms: number; step: number; title: string; reason: string };

/** A lesson being played: what the prompt reports goes to its state. */
export interface Player {
  observe(ev: Evaluation): void;
  log(line: string): void;
  took(messages: readonly unknown[]): void;
  /** Resolves when the lesson has played to its end or failed. */
  readonly done: Promise<PlayResult>;
}

/** Plays lesson `id` at `host`'s prompt; its progress is kept in memory, never saved. */
export function play(host: Host, id: string, opts: PlayOptions = {}): Player {
  const state = new LessonState(host, { progressFile: null, env: lessonEnv() });
  return {
    observe: (ev) => state.record(ev),
    log: (line) => state.log(line),
    took: (messages) => state.took(messages),
    done: Promise.resolve().then(() => playLesson(host, state, state.find(id), opts)),
  };
}

// Internals

async function playLesson(host: Host, state: LessonState, lesson: Lesson, opts: PlayOptions): Promise<PlayResult> {
  const type = host.type?.bind(host);
  if (!type) throw new LessonError('ERR_NO_AUTO', 'this REPL cannot type code by itself');
  const c = pc.createColors(host.colors ?? false);
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const peers = new Map<string, Peer>();
  const failed = (step: number, reason: string): PlayResult => {
    const title = lesson.steps[step - 1]?.title ?? '';
    host.print(c.red(`✘ ${lesson.id} step ${step} "${title}" failed: ${reason}`));
    return { ok: false, lesson: lesson.id, ms: Date.now() - started, step, title, reason };
  };

  const peer = async (short: string): Promise<Peer> => {
    let p = peers.get(short);
    if (!p) {
      const cmd = lessonNode(host.nodeCommand(short), lesson, short);
      p = new Peer({ name: short, args: cmd.flags, env: { ...process.env, ...cmd.env }, onLine: (name, line) => host.print(c.dim(`${name}│ `) + line) });
      peers.set(short, p);
      host.print(c.dim(`starting ${short} (pid ${p.pid}): ${commandText(cmd)}`));
      await p.ready();
    }
    return p;
  };
  const input = async (action: Action): Promise<void> => {
    const { code, on } = typeof action === 'string' ? { code: action, on: undefined } : action;
    if (on === undefined) return void (await type(code));
    host.print(c.dim(`${on}> `) + code);
    await (await peer(on)).type(code);
  };

  const restart = lesson.quiet?.length && host.quiet ? await host.quiet(lesson.quiet) : null;
  if (restart) host.print(c.dim(quietNote(lesson)));
  let tick = '';
  try {
    for (let i = 0; i < lesson.steps.length; i++) {
      const step = lesson.steps[i]!;
      state.enter(lesson, i);
      await state.begin();
      host.print(tick + stepText(c, lesson, i, state.env, (short) => host.nodeCommand(short)));
      if (await state.check()) return failed(i + 1, 'its check passed before its code was typed');
      const actions = actionsOf(step, state.env);
      let passed = false;
      try {
        for (const short of step.start ?? []) await peer(short);
        for (const action of actions) if (!isWhenDone(action)) await input(action);
        passed = await state.checkFor(timeoutMs);
        if (passed) for (const action of actions) if (isWhenDone(action)) await input(action);
      } catch (err) {
        return failed(i + 1, err instanceof Error ? err.message : String(err));
      }
      if (!passed) return failed(i + 1, `its check did not pass within ${timeoutMs} ms`);
      state.pass();
      tick = c.green(`✔ ${step.title}`) + '\n\n';
      if (opts.delayMs) await sleep(opts.delayMs);
    }
    const ms = Date.now() - started;
    host.print(tick + c.green(`✔ ${lesson.id}: all ${lesson.steps.length} steps passed in ${(ms / 1000).toFixed(1)} s`));
    return { ok: true, lesson: lesson.id, ms };
  } finally {
    await Promise.all([...peers.values()].map((p) => p.stop()));
    await restart?.();
  }
}

function isWhenDone(action: Action): boolean {
  return typeof action !== 'string' && action.whenDone === true;
}
