/**
 * @module lessons/text
 * What the learner reads: the list of lessons with their progress, a step (in full, or
 * briefly while it waits for its action), and the end of a lesson.
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

/** The lesson's title, and the command that starts a node the way the lesson expects. */
export function intro(c: Colors, lesson: Lesson): string {
  const flags = lesson.flags.length ? ` ${lesson.flags.join(' ')}` : '';
  const start = `npx tsx playground --sname alice${flags} --lesson ${lesson.id}`;
  return `${c.bold(lesson.title)} — ${lesson.summary}\n${c.dim(`(this lesson's node: ${start})`)}`;
}

/**
 * Step `index` of `lesson`: in full, or (`brief`) just where the learner is and what
 * to type. `nodeFlags(short)` gives the flags that start another node of the lesson.
 */
export function stepText(
  c: Colors,
  lesson: Lesson,
  index: number,
  env: LessonEnv,
  nodeFlags: (short: string) => string[],
  brief = false,
): string {
  const step = lesson.steps[index];
  if (!step) return '';
  const lines = [c.cyan(`◆ ${lesson.id} · step ${index + 1}/${lesson.steps.length} · ${step.title}`)];
  if (!brief) lines.push(indent(step.explain, '  '));
  for (const short of step.start ?? []) {
    lines.push(`  In another terminal: ${c.bold(`npx tsx playground ${nodeFlags(short).join(' ')}`)}`);
  }
  let where: string | null = null;
  for (const action of actionsOf(step, env)) {
    const on = typeof action === 'string' ? 'here' : (action.on ?? 'here');
    if (on !== where) lines.push(on === 'here' ? '  Type:' : `  At ${on}'s prompt:`);
    where = on;
    lines.push(indent(typeof action === 'string' ? action : action.code, '    '));
  }
  lines.push(c.dim(brief ? '  (not done yet: hint() helps, next() skips)' : '  hint() · next() · back() · lesson()'));
  return lines.join('\n');
}

export function doneText(c: Colors, lesson: Lesson, passed: number): string {
  const more = 'lesson() lists the others; reset() starts this one over.';
  return c.green(`★ ${lesson.id} complete (${passed}/${lesson.steps.length} checked). ${more}`);
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
