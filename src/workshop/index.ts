/**
 * @module workshop
 * A workshop's room, on the cluster itself: an instructor and attendees, each on a node
 * of one cluster (joined with `--join teacher@10.0.0.5`, or found with `--discovery lan`).
 *
 * - Every node runs a member (`member.ts`, a service of the node): its lesson runner
 *   reports each lesson event (`progress`), and the member pushes where the node stands,
 *   whole, to the rosters over PubSub (while one is open). `raiseHand` and `lowerHand`
 *   put a hand up and down; the member prints what the room hears.
 * - The instructor opens a roster (`openRoster`, `roster.ts`): a row per node with its
 *   lesson and step, time on the step, hints used, last error and raised hand; a node
 *   that leaves or dies stays, marked gone; one refused for a mistake shows why.
 * - `say(text)` prints a line above every prompt of the cluster; `clear(node)` lowers a
 *   hand (every hand without an argument).
 *
 * Protocol (a topic of the default PubSub, and sends to the registered members):
 * ```
 * member -> 'workshop:progress'    ['attendee', node, standing]   at every change
 * roster -> ['workshop_member', n] ['rollcall', roster]          on nodeup, and at start
 * member -> roster                 ['attendee', node, standing]   the roll call's answer
 * anyone -> ['workshop_member', n] ['say', from, text]  ['clear', node | short | null, by]
 *                                  (to every connected node)
 * ```
 * Rosters join the pg group `['workshop', 'rosters']`, so a raised hand can tell
 * whether anyone watches.
 *
 * @example
 * // On alice, the teacher (narrative: the prompt's helpers `workshop()` and `help()` are
 * // these functions, and test/workshop.test.ts runs them on real nodes):
 * await Workshop.openRoster() //=> #PID<0.120.0>
 * // On bob, an attendee:
 * await Workshop.raiseHand('stuck on step 3') //=> 1 (one roster watches)
 * // On alice:
 * (await Workshop.rows()).map((r) => [r.node, r.status, r.standing.hand]) //=> [ [ 'bob@vm', 'here', 'stuck on step 3' ] ]
 * Workshop.clear('bob') //=> 'ok'
 */
import * as GenServer from '../genserver.ts';
import { send, whereis } from '../process/index.ts';
import { list, node } from '../node/index.ts';
import * as pg from '../pg.ts';
import { startRoster } from './roster.ts';
import { MEMBER, ROSTER, ROSTERS, type Attendee, type LessonEvent } from './types.ts';
import type { Pid, Ref } from '../term.ts';

export { startMember } from './member.ts';
export { byAttention } from './roster.ts';
export { preciseNow } from './types.ts';
export type { Attendee, LessonEvent, Standing } from './types.ts';

// Client API: an attendee's

/** Reports a lesson event to this node's member (nothing when none runs: no distribution). */
export function progress(event: LessonEvent): void {
  if (whereis(MEMBER)) GenServer.cast(MEMBER, ['progress', event]);
}

/**
 * Raises this node's hand, with what the attendee wants to say, until a roster clears
 * it or `lowerHand()`; resolves with the number of rosters watching.
 */
export function raiseHand(text = ''): Promise<number> {
  return GenServer.call(MEMBER, ['hand', String(text)]);
}

/** Lowers this node's hand. */
export async function lowerHand(): Promise<'ok'> {
  await GenServer.call(MEMBER, ['hand', null]);
  return 'ok';
}

// Client API: the instructor's

/** Opens the roster on this node (once; later calls return the same); resolves with its pid. */
export async function openRoster(): Promise<Pid> {
  return roster() ?? startRoster();
}

/** The open roster of this node, if any. */
export function roster(): Pid | undefined {
  return whereis(ROSTER);
}

/** Closes the roster. */
export async function closeRoster(): Promise<'ok'> {
  if (roster()) await GenServer.stop(ROSTER);
  return 'ok';
}

/** Every row of the open roster. */
export function rows(): Promise<Attendee[]> {
  return GenServer.call(ROSTER, 'rows');
}

/** Sends `['roster', rows]` to `pid` at every change of the open roster; resolves with the rows now. */
export function watch(pid: Pid): Promise<Attendee[]> {
  return GenServer.call(ROSTER, ['watch', pid]);
}

/**
 * Tells the calling process when a roster opens or closes anywhere in the cluster, as
 * pg's `monitor` does (a roster is a member of the group `['workshop', 'rosters']`):
 * `[ref, 'join', group, pids]` and `[ref, 'leave', group, pids]`. Returns the ref and
 * the rosters open now. The live page follows its own node's roster this way.
 *
 * @example
 * // On alice, no roster open yet (narrative: test/web.test.ts runs it on real nodes):
 * const [ref, open] = Workshop.monitorRosters() //=> open is []
 * await Workshop.openRoster()
 * await receive([ref, 'join', _, _]) //=> [ #Reference<0.0.0.9>, 'join', [ 'workshop', 'rosters' ], [ #PID<0.120.0> ] ]
 */
export function monitorRosters(): [Ref, Pid[]] {
  return pg.monitor(ROSTERS);
}

/** Prints `text` above the prompt of every other node of the cluster. */
export function say(text: string): 'ok' {
  return toRoom(['say', node(), String(text)]);
}

/** Lowers the hand of `target` (a node, or its short name), or every hand. */
export function clear(target?: string): 'ok' {
  return toRoom(['clear', target ?? null, node()]);
}

// Internals

/** Sends `msg` to the member of every connected node. */
function toRoom(msg: unknown[]): 'ok' {
  for (const n of list()) send([MEMBER, n], msg);
  return 'ok';
}
