/**
 * @module lessons/text
 * What the learner reads: the list of lessons with their progress, a step, the command
 * that starts another node of the lesson, and the end of a lesson.
 *
 * @example
 * //=> ◆ pubsub · step 8/14 · Process groups
 * //=>   pg gives groups that span the cluster: ...
 * //=>   At bob's prompt:
 * //=>     pg.join('my_group', self())
 * //=>   Type:
 * //=>     getMembers('my_group')
 * //=>   hint() · next() · back() · lesson()
 */
import { inspect } from 'node:util';
import type pc from 'picocolors';
import type { Active } from './context.ts';
import { actionsOf, type Lesson, type LessonEnv } from './index.ts';
import type { Progress } from './progress.ts';

export type Colors = ReturnType<typeof pc.createColors>;

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

export const NO_LESSON = 'No lesson is running: lesson() lists them.';

/** Every lesson with how many of its steps passed; the current one marked. */
export function listing(c: Colors, lessons: readonly Lesson[], progress: Progress): string {
  const rows = lessons.map((l) => {
    const done = `${progress.lessons[l.id]?.passed.length ?? 0}/${l.steps.length}`;
    const mark = progress.current === l.id ? c.cyan('▸') : ' ';
    return `${mark} ${l.id.padEnd(12)} ${done.padStart(5)}  ${l.title}`;
  });
  return `${rows.join('\n')}\n\n${c.dim(`lesson('${lessons[0]?.id}') starts or resumes a lesson.`)}`;
}

/** How to start a node: the environment it needs and its flags. */
export interface NodeCommand {
  env: Readonly<Record<string, string>>;
  flags: readonly string[];
}

/** `cmd` with the flags `lesson` gives its node `short`. */
export function lessonNode(cmd: NodeCommand, lesson: Lesson, short: string): NodeCommand {
  return { env: cmd.env, flags: [...cmd.flags, ...(lesson.nodes[short] ?? [])] };
}

/** The command as typed in a shell: `PLAYGROUND_HOME=/tmp/x npx tsx playground --sname bob`. */
export function commandText(cmd: NodeCommand): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${shellWord(v)}`);
  return [...env, 'npx tsx playground', ...cmd.flags.map(shellWord)].join(' ');
}

/**
 * The lesson's title; with `restart` (this node does not suit the lesson) also the
 * command that starts a node the way the lesson expects.
 */
export function intro(c: Colors, lesson: Lesson, restart: boolean): string {
  const title = `${c.bold(lesson.title)} — ${lesson.summary}`;
  return restart ? `${title}\n${c.dim(`(this lesson's node: npx tsx playground --sname alice --lesson ${lesson.id})`)}` : title;
}

/**
 * Step `index` of `lesson`, in full. `nodeCommand(short)` gives the command that starts
 * another node of this cluster (its name, the cookie and the environment it needs).
 */
export function stepText(
  c: Colors,
  lesson: Lesson,
  index: number,
  env: LessonEnv,
  nodeCommand: (short: string) => NodeCommand,
): string {
  const step = lesson.steps[index];
  if (!step) return '';
  const lines = [c.cyan(`◆ ${lesson.id} · step ${index + 1}/${lesson.steps.length} · ${step.title}`)];
  lines.push(indent(step.explain, '  '));
  for (const short of step.start ?? []) {
    lines.push(`  In another terminal: ${c.bold(commandText(lessonNode(nodeCommand(short), lesson, short)))}`);
  }
  let where: string | null = null;
  for (const action of actionsOf(step, env)) {
    const on = typeof action === 'string' ? 'here' : (action.on ?? 'here');
    if (on !== where) lines.push(on === 'here' ? '  Type:' : `  At ${on}'s prompt:`);
    where = on;
    lines.push(indent(typeof action === 'string' ? action : action.code, '    '));
  }
  lines.push(c.dim('  hint() · next() · back() · lesson()'));
  return lines.join('\n');
}

/** Says which services of this node `lesson` pauses because it builds its own. */
export function quietNote(lesson: Lesson): string {
  return `(This lesson builds its own ${lesson.quiet!.join(' and ')}: this node's own are paused until it ends or another lesson starts.)`;
}

/** One line, when the learner typed all of a step's code and its check still fails. */
export function notDone(c: Colors, a: Active): string {
  return c.dim(`(step ${a.index + 1} is not done yet: hint() helps, next() skips it)`);
}

export function doneText(c: Colors, lesson: Lesson, passed: number): string {
  const more = 'lesson() lists the others; reset() starts this one over.';
  return c.green(`★ ${lesson.id} complete (${passed}/${lesson.steps.length} checked). ${more}`);
}

/** A word as a POSIX shell reads it back: quoted when it has anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
