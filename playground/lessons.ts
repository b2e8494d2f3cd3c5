/**
 * @module playground/lessons
 * Plugs the lessons into the prompt: the helpers `lesson`, `hint`, `next`, `back`,
 * `reset` (and `log`, which lesson code uses as Elixir code uses Logger), what the
 * prompt reports (evaluations, log lines, the messages `flush()` takes) handed to the
 * lesson driver through the REPL's hooks, every lesson event handed to the node's
 * workshop member (so a roster follows it), and the flags `--lesson ID`, `--auto` and
 * `--auto-delay MS`.
 *
 * It also gives the lessons what only the command line knows: how to start another
 * node of this cluster (the name flag, `--cookie` if one was given, and the port, home
 * and cookie environment this node runs with), and how to pause a service of the node's
 * supervisor while a lesson builds its own.
 *
 * The driver and the lessons load on first use (a lesson helper, or `--lesson`), so
 * they cost the prompt nothing when unused; the helpers give promises, which the
 * prompt awaits.
 */
import { runInThisContext } from 'node:vm';
import type { LogLevel, Runtime } from '../src/index.ts';
import type { HelpDoc, Repl } from '../src/repl/index.ts';
import type { Host, NodeCommand, Note, Tutor } from '../lessons/runner.ts';
import type { Player } from '../lessons/auto.ts';

export interface LessonFlags {
  lesson?: string;
  auto?: boolean;
  /** Pause between steps in --auto mode (ms). */
  autoDelay?: number;
  /** The --cookie this node was started with, which another node needs too. */
  cookie?: string;
}

export interface Lessons {
  /** The exit status the process should end with (--auto: 1 when a step failed). */
  exitCode(): number;
}

const DEFAULT_AUTO_DELAY_MS = 800;

/** The environment another node of this cluster needs from this one's, when set. */
const SHARED_ENV = ['PLAYGROUND_HOME', 'PLAYGROUND_COOKIE', 'PLAYGROUND_EPMD_PORT', 'ERL_EPMD_PORT', 'PLAYGROUND_DISCOVERY_PORT', 'PLAYGROUND_LESSON_PORT'];

/** The supervisor of a node's services. */
const NODE_SUP = 'node_sup';

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

/**
 * The workshop's client, loaded on the first lesson event rather than before the prompt:
 * importing it brings the whole library (about 70 ms of a 160 ms start on Node 24).
 * Events stay in order, as every one waits on the same promise.
 */
let workshopModule: Promise<typeof import('../src/index.ts').Workshop> | null = null;
function workshop(): Promise<typeof import('../src/index.ts').Workshop> {
  return (workshopModule ??= import('../src/index.ts').then((library) => library.Workshop));
}

/** Adds the lesson helpers to `repl` and starts `--lesson` / `--auto` if asked. */
export function attachLessons(repl: Repl, runtime: Runtime, flags: LessonFlags): Lessons {
  let status = 0;
  const host: Host = {
    print: (text) => repl.print(text),
    lookup,
    shell: () => repl.shellPid(),
    type: (code) => repl.type(code),
    report: (event) => void workshop().then((w) => w.progress(event)),
    colors: repl.server.useColors,
    nodeCommand: (short) => nodeCommand(runtime.node, short, flags.cookie),
    quiet: (ids) => quiet(ids, (text) => repl.print(text)),
  };
  /** Where what the prompt reports goes: the learner's tutor, or a lesson playing itself. */
  let driver: Pick<Tutor, 'observe' | 'log' | 'took'> | null = null;
  let loading: Promise<Tutor> | null = null;
  const tutor = () =>
    (loading ??= Promise.all([import('../lessons/runner.ts'), import('../lessons/progress.ts')]).then(([runner, progress]) => {
      const t = new runner.Tutor(host, { progressFile: progress.progressFile() });
      driver = t;
      void repl.closed.then(() => t.close());
      return t;
    }));
  const use = <T>(fn: (t: Tutor) => T): Promise<Awaited<T>> => tutor().then(fn) as Promise<Awaited<T>>;

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
    },
    DOCS,
  );
  repl.onEval((e) => driver?.observe({ code: e.input, ok: e.ok, value: e.value, error: e.error }));
  repl.onLog((_level, text) => driver?.log(text));
  repl.onFlush((messages) => driver?.took(messages));

  const id = flags.lesson;
  if (id !== undefined && !flags.auto) {
    void Promise.all([repl.ready, tutor()]).then(async ([, t]) => {
      try {
        repl.print((await t.lesson(id)).text);
      } catch (err) {
        repl.print(err instanceof Error ? err.message : String(err));
      }
    });
  } else if (id !== undefined) {
    const playing = Promise.all([repl.ready, import('../lessons/auto.ts')]).then(async ([, auto]) => {
      try {
        const player: Player = auto.play(host, id, { delayMs: flags.autoDelay ?? DEFAULT_AUTO_DELAY_MS });
        driver = player;
        status = (await player.done).ok ? 0 : 1;
      } catch (err) {
        repl.print(err instanceof Error ? err.message : String(err));
        status = 2;
      }
      repl.close();
    });
    // With --auto and no input (stdin at its end, as in CI) the REPL waits for the play.
    repl.keepOpen(playing);
  }
  return { exitCode: () => status };
}

// Internals

/** How to start node `short` of the cluster of node `self`: named the way it is, with its cookie and environment. */
function nodeCommand(self: string, short: string, cookie: string | undefined): NodeCommand {
  const host = self.split('@')[1] ?? '';
  const name = host.includes('.') ? ['--name', `${short}@${host}`] : ['--sname', short];
  const env: Record<string, string> = {};
  for (const key of SHARED_ENV) if (process.env[key]) env[key] = process.env[key]!;
  return { env, flags: [...name, ...(cookie === undefined ? [] : ['--cookie', cookie])] };
}

/** Stops the node's services `ids` (those it runs); the function returned starts them again. */
async function quiet(ids: readonly string[], print: (text: string) => void): Promise<() => Promise<void>> {
  const { Supervisor } = await import('../src/index.ts');
  const stopped: string[] = [];
  for (const id of ids) {
    const ok = await Supervisor.terminateChild(NODE_SUP, id).then(
      () => true,
      () => false, // not running here (--no-greet, --discovery none, or no supervisor)
    );
    if (ok) stopped.push(id);
  }
  return async function restart() {
    for (const id of stopped.splice(0)) {
      await Supervisor.restartChild(NODE_SUP, id).catch((err: Error) => print(`(this node's ${id} was not started again: ${err.message})`));
    }
  };
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
