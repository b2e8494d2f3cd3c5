/**
 * @module workshop/types
 * The shapes that travel between a workshop's nodes (see `index.ts` for who sends
 * what), and the topics they travel on.
 */
import type { NodeName } from '../term.ts';

/** Attendees' standings, from each member to every roster (a topic of the default PubSub). */
export const PROGRESS_TOPIC = 'workshop:progress';
/** The pg group of the open rosters: members publish only while there is one, and a raised hand knows whether anyone watches. */
export const ROSTERS: readonly [string, string] = ['workshop', 'rosters'];
/** The registered names of the two servers. */
export const MEMBER = 'workshop_member';
export const ROSTER = 'workshop_roster';

/**
 * What a lesson runner reports, as it happens (each a small tagged array):
 * - `['lesson', id, steps]`: a lesson started or resumed;
 * - `['step', id, index, steps, title]`: step `index` (0-based) is shown; `index ===
 *   steps` means the lesson is done;
 * - `['passed', id, index, steps, title]`: the check of step `index` passed;
 * - `['hint', id, index]`: a hint was shown;
 * - `['error', id, index, text]`: an input failed (its error's first line).
 */
export type LessonEvent =
  | readonly ['lesson', string, number]
  | readonly ['step', string, number, number, string]
  | readonly ['passed', string, number, number, string]
  | readonly ['hint', string, number]
  | readonly ['error', string, number, string];

/** Where one attendee stands: what its member sends, whole, at every change. */
export interface Standing {
  /** The lesson under way, or null before the first. */
  lesson: string | null;
  /** The current step's index (0-based); equal to `steps` once the lesson is done. */
  step: number;
  steps: number;
  title: string;
  /** ms spent on the current step when this was sent (the sender's clock never leaves it). */
  onStepMs: number;
  /** Hints shown in this lesson. */
  hints: number;
  /** The last failed input's error, its first line; null when none since the lesson began. */
  error: string | null;
  /** A raised hand: '' or what the attendee said with it; null when no hand is up. */
  hand: string | null;
  /** ms the hand has been up when this was sent. */
  handMs: number;
  /** When it was sent, in ms since 1970 with a fraction (for measuring on one machine only). */
  sentAt: number;
}

/** One row of a roster: a node of the cluster as the roster's node sees it. */
export interface Attendee {
  node: NodeName;
  /** `here`: connected; `gone`: it left or died; `refused`: it tried to join and was refused. */
  status: 'here' | 'gone' | 'refused';
  /** The roster's clock (ms) when the status last changed. */
  since: number;
  /** The last standing received, or null before the first. */
  standing: Standing | null;
  /** The roster's clock when the current step began, and when the hand went up. */
  stepSince: number;
  handSince: number;
  /** Why a refused node was refused. */
  reason: string | null;
}

/** A fresh standing: no lesson yet. */
export function newStanding(): Standing {
  return { lesson: null, step: 0, steps: 0, title: '', onStepMs: 0, hints: 0, error: null, hand: null, handMs: 0, sentAt: 0 };
}

/** ms since 1970 with a fraction: comparable between processes of one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
