/**
 * @module playground/lessons
 * Plugs the lessons into the prompt: the helpers `lesson`, `hint`, `next`, `back`,
 * `reset` (and `log`, which lesson code uses as Elixir code uses Logger), every
 * evaluation and every log line reported to the runner, every lesson event reported to
 * the node's workshop member (so a roster follows it), and the flags `--lesson ID`,
 * `--auto` and `--auto-delay MS`.
 *
 * The runner and the lessons load on first use (a lesson helper, or `--lesson`), so
 * they cost the prompt nothing when unused; the helpers give promises, which the
 * prompt awaits. `flush()` is wrapped so the runner sees the messages it takes: iex's
 * flush prints them and returns 'ok', so its result alone would not show them.
 */
import { runInThisContext } from 'node:vm';
import { Workshop, type LogLevel, type Runtime } from '../src/index.ts';
import type { HelpDoc, Repl } from '../src/repl/index.ts';
import type { Host, Note, Tutor } from '../lessons/runner.ts';

export interface LessonFlags {
  lesson?: string;
  auto?: boolean;
  /** Pause between steps in --auto mode (ms). */
  autoDelay?: number;
}

export interface Lessons {
  /** The exit status the process should end with (--auto: 1 when a step failed). */
  exitCode(): number;
}

const DEFAULT_AUTO_DELAY_MS = 800;

const GROUP = 'Lessons';
const DOCS: HelpDoc[] = [
  {
    name: 'lesson', group: GROUP, signature: 'lesson(id?)',
    summary: 'Lists the lessons with your progress; lesson(id) starts or resumes one.',
    example: "> lesson('hello-world')",
  },
  { name: 'hint', group: GROUP, signature: 'hint()', summary: 'A hint for the current step.' },
  { name: 'next', group: GROUP, signature: 'next()', summary: 'Skips the current step.' },
  { name: 'back', group: GROUP, signature: 'back()', summary: 'Goes back one step.' },
  { name: 'reset', group: GROUP, signature: 'reset(id?)', summary: 'Starts the current lesson (or lesson id) over.' },
  {
    name: 'log', group: GROUP, signature: 'log(level, text)',
    summary: "Logs a line the way the node does ('info', 'warning' or 'error'); it prints above the prompt.",
    example: "> log('info', 'Hello world from ' + node())\n[info] Hello world from alice@vm\n'ok'",
  },
];

/** Adds the lesson helpers to `repl` and starts `--lesson` / `--auto` if asked. */
export function attachLessons(repl: Repl, runtime: Runtime, flags: LessonFlags): Lessons {
  let status = 0;
  let tutor: Tutor | null = null;
  let loading: Promise<Tutor> | null = null;
  const host: Host = {
    print: (text) => repl.print(text),
    lookup,
    shell: () => repl.shellPid(),
    type: (code) => repl.type(code),
    report: (event) => Workshop.progress(event),
    colors: repl.server.useColors,
  };
  const load = () =>
    (loading ??= Promise.all([import('../lessons/runner.ts'), import('../lessons/progress.ts')]).then(
      ([runner, progress]) => (tutor = new runner.Tutor(host, { progressFile: flags.auto ? null : progress.progressFile() })),
    ));
  const use = <T>(fn: (t: Tutor) => T) => load().then(fn);

  const coreFlush = (globalThis as { flush?: () => unknown }).flush;
  const log = runtime.log.bind(runtime);
  runtime.log = (level, text) => {
    log(level, text);
    if (level !== 'debug') tutor?.log(text);
  };
  repl.define(
    {
      lesson: (id?: string): Promise<Note> => use((t) => t.lesson(id)),
      hint: (): Promise<Note> => use((t) => t.hint()),
      next: (): Promise<Note> => use((t) => t.next()),
      back: (): Promise<Note> => use((t) => t.back()),
      reset: (id?: string): Promise<Note> => use((t) => t.reset(id)),
      log: function log(level: unknown, text: unknown): 'ok' {
        const known: LogLevel[] = ['info', 'warning', 'error', 'debug'];
        runtime.log(known.includes(level as LogLevel) ? (level as LogLevel) : 'info', String(text));
        return 'ok';
      },
      flush: function flush(): unknown {
        tutor?.beforeFlush();
        return coreFlush?.();
      },
    },
    DOCS,
  );
  repl.onEval((e) => tutor?.observe({ code: e.input, ok: e.ok, value: e.value, error: e.error }));
  void repl.closed.then(() => tutor?.close());

  const id = flags.lesson;
  if (id !== undefined) {
    const playing = Promise.all([repl.ready, load()]).then(async ([, t]) => {
      try {
        if (!flags.auto) return repl.print(t.lesson(id).text);
        const result = await t.play(id, { delayMs: flags.autoDelay ?? DEFAULT_AUTO_DELAY_MS });
        status = result.ok ? 0 : 1;
      } catch (err) {
        repl.print(err instanceof Error ? err.message : String(err));
        if (flags.auto) status = 2;
      }
      if (flags.auto) repl.close();
    });
    // With --auto and no input (stdin at its end, as in CI) the REPL waits for the play.
    if (flags.auto) repl.keepOpen(playing);
  }
  return { exitCode: () => status };
}

/** The value `name` has at the prompt: the REPL evaluates in this context, so its declarations are here. */
function lookup(name: string): unknown {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  try {
    return runInThisContext(`typeof ${name} === 'undefined' ? undefined : ${name}`);
  } catch {
    return undefined;
  }
}
