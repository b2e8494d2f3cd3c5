/**
 * @module repl/docs-workshop
 * The docs `h()` shows for a workshop's helpers (`workshop.ts`). Same format as `docs.ts`.
 */
import type { HelpDoc } from './help.ts';

const WORKSHOP = 'Workshops';

export const WORKSHOP_DOCS: HelpDoc[] = [
  {
    name: 'workshop', group: WORKSHOP, signature: 'workshop()',
    summary: "Opens the instructor's roster: every node of the cluster, live above the prompt.",
    details:
      'One row per node: its lesson and step, time on the step, hints used, the last error and a raised hand.\n' +
      'Attendees push their progress as they go; a node that leaves or dies stays, marked gone; one refused\n' +
      'for a wrong cookie or a short name shows why. Start with --workshop to open it at once.',
    example: "> workshop()\nworkshop · 2 here · 1 hand up · workshop.close() hides this\n   node          lesson   step  on step  hints  last error\n✋ ann@10.0.0.7  pubsub   5/14  2m 10s   1      \"stuck on pg\"",
  },
  {
    name: 'workshop.say', group: WORKSHOP, signature: 'workshop.say(text)',
    summary: 'Prints text above the prompt of every other node of the cluster.',
    example: "> workshop.say('Next: the pubsub lesson, lesson(\\'pubsub\\')')\n'ok'",
  },
  {
    name: 'workshop.clear', group: WORKSHOP, signature: 'workshop.clear(node?)',
    summary: "Lowers a node's raised hand (by full or short name); every hand without an argument.",
    example: "> workshop.clear('ann')\n'ok'",
  },
  {
    name: 'workshop.table', group: WORKSHOP, signature: 'workshop.table()',
    summary: 'Prints the whole roster once, however many rows (the live one shows half a screen).',
  },
  {
    name: 'workshop.rows', group: WORKSHOP, signature: 'workshop.rows()',
    summary: "The roster's rows as data: node, status ('here', 'gone', 'refused'), standing, times.",
    example: "> (await workshop.rows()).map((r) => [r.node, r.status])\n[ [ 'ann@10.0.0.7', 'here' ], [ 'ben@10.0.0.8', 'gone' ] ]",
  },
  {
    name: 'workshop.close', group: WORKSHOP, signature: 'workshop.close()',
    summary: 'Closes the roster and gives the screen back.',
    example: "> workshop.close()\n'ok'",
  },
  {
    name: 'help', group: WORKSHOP, signature: 'help(text?)',
    summary: "Raises your hand in the teacher's roster, with what you want to say; help(false) lowers it.",
    details: 'The hand stays up until the teacher clears it (workshop.clear) or you lower it.\nFor the helpers themselves, h(); for a lesson step, hint().',
    example: "> help('my pubsub step does not pass')\n✋ Your hand is up (\"my pubsub step does not pass\"): the teacher sees it in the roster. ...",
  },
];
