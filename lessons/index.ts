/**
 * @module lessons
 * The guided lessons, in the order a learner meets them (their shape is in `lesson.ts`).
 *
 * A lesson is a list of steps. Each step says what to do and why, gives the exact code
 * to type at the prompt (plain JavaScript, valid as typed), and checks the live node to
 * see that it happened: processes, registered names, connected nodes, pg members,
 * messages in the shell's mailbox, what the learner evaluated. A check never trusts the
 * learner's word; it looks. A step that needs another node names the command to run in
 * another terminal, and the code to type there; `--auto` starts that node itself.
 *
 * @example
 * iex(bob)> lesson()
 * //=> hello-world  The hello-world cluster      0/12
 * //=> genserver    A GenServer from scratch     3/14
 */
import type { Lesson } from './lesson.ts';
import { helloWorld } from './hello-world.ts';
import { genserver } from './genserver.ts';
import { pubsub } from './pubsub.ts';
import { netsplit } from './netsplit.ts';
import { tracing } from './tracing.ts';

export type { Action, Check, CheckContext, Evaluation, Lesson, LessonEnv, Step, Typed } from './lesson.ts';
export { LESSON_UDP_PORT, actionsOf, lessonEnv } from './lesson.ts';

/** Every lesson, in the order they are meant to be taken (their ids are `LESSON_IDS`). */
export const LESSONS: readonly Lesson[] = [helloWorld, genserver, pubsub, netsplit, tracing];
