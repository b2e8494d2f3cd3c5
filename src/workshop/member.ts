/**
 * @module workshop/member
 * The attendee's side of a workshop, a GenServer registered as `workshop_member` on
 * every node: it keeps where this node stands (`Standing`: lesson, step, hints, last
 * error, raised hand), publishes it whole to the rosters at every change while a roster
 * is open somewhere (a node alone, or a class without a roster, sends nothing), answers
 * a roster's roll call, and prints what the room hears (`say`) above the prompt. It
 * subscribes to nothing, so a learner's own PubSub topics stay the learner's.
 *
 * A node that has just joined hears the roll call before pg has told it of the rosters:
 * a change in that moment (a hand raised at once) goes straight to the rosters that
 * called the roll, so it is not lost.
 *
 * Protocol: casts `['progress', LessonEvent]`; the call `['hand', text | null]` (raise
 * or lower; replies with the number of rosters watching); infos `['rollcall', roster]`
 * (answered with `['attendee', node, standing]` to that roster), `['say', from, text]`
 * and `['clear', target | null, by]`, sent to this member by name.
 */
import * as GenServer from '../genserver.ts';
import { currentRuntime, monitor, send } from '../process/index.ts';
import { node } from '../node/index.ts';
import { getMembers } from '../pg.ts';
import * as PubSub from '../pubsub/index.ts';
import { Pid, equal, type NodeName } from '../term.ts';
import { MEMBER, PROGRESS_TOPIC, ROSTERS, newStanding, preciseNow, type LessonEvent, type Standing } from './types.ts';

interface State {
  standing: Standing;
  /** This node's clock (ms) when the current step was shown, and when the hand went up. */
  stepSince: number;
  handSince: number;
  /** The rosters that called the roll here, newest last (at most `ROLLCALLS`). */
  rollcalls: Pid[];
}

const ROLLCALLS = 4;

// Client API

/** Starts the member linked to the caller (the node's supervisor). */
export function startMember(): Promise<Pid> {
  return GenServer.startLink(Member, undefined, { name: MEMBER });
}

// Callbacks

export const Member = {
  name: 'WorkshopMember',

  init(): ['ok', State] {
    return ['ok', { standing: newStanding(), stepSince: Date.now(), handSince: 0, rollcalls: [] }];
  },

  handleCast(msg: unknown, state: State): ['noreply', State] {
    if (!Array.isArray(msg) || msg[0] !== 'progress' || !isLessonEvent(msg[1])) return ['noreply', state];
    return ['noreply', publish(progressed(state, msg[1]))];
  },

  handleCall(msg: unknown, _from: unknown, state: State): ['reply', unknown, State] {
    if (!Array.isArray(msg) || msg[0] !== 'hand') return ['reply', ['error', 'unknown_call'], state];
    const hand = typeof msg[1] === 'string' ? msg[1] : null;
    const next = { ...state, standing: { ...state.standing, hand }, handSince: hand === null ? 0 : Date.now() };
    return ['reply', watching(next), publish(next)];
  },

  handleInfo(msg: unknown, state: State): ['noreply', State] {
    if (!Array.isArray(msg)) return ['noreply', state];
    switch (msg[0]) {
      case 'rollcall': {
        const roster = msg[1];
        if (!(roster instanceof Pid)) return ['noreply', state];
        send(roster, ['attendee', node(), standingNow(state)]);
        if (state.rollcalls.some((p) => equal(p, roster))) return ['noreply', state];
        monitor(roster);
        return ['noreply', { ...state, rollcalls: [...state.rollcalls, roster].slice(-ROLLCALLS) }];
      }
      case 'DOWN':
        return ['noreply', { ...state, rollcalls: state.rollcalls.filter((p) => !equal(p, msg[3])) }];
      case 'say':
        if (msg[1] !== node()) currentRuntime().log('info', `${String(msg[1])} says: ${String(msg[2])}`);
        return ['noreply', state];
      case 'clear':
        if (state.standing.hand === null || !meant(msg[1])) return ['noreply', state];
        currentRuntime().log('info', `${String(msg[2])} saw your raised hand and lowered it`);
        return ['noreply', publish({ ...state, standing: { ...state.standing, hand: null }, handSince: 0 })];
      default:
        return ['noreply', state];
    }
  },
};

// Internals

/** The standing after one lesson event. */
function progressed(state: State, event: LessonEvent): State {
  const s = state.standing;
  switch (event[0]) {
    case 'lesson': {
      const [, lesson, steps] = event;
      if (lesson === s.lesson) return { ...state, standing: { ...s, steps } };
      return { ...state, standing: { ...s, lesson, steps, step: 0, title: '', hints: 0, error: null }, stepSince: Date.now() };
    }
    case 'step': {
      const [, lesson, step, steps, title] = event;
      const moved = lesson !== s.lesson || step !== s.step;
      const standing = { ...s, lesson, step, steps, title, ...(lesson !== s.lesson && { hints: 0, error: null }) };
      return { ...state, standing, stepSince: moved ? Date.now() : state.stepSince };
    }
    case 'passed': {
      // The next step is where the attendee stands now, even before it is shown (--auto
      // shows it after a pause, and after the last step nothing is shown).
      const [, lesson, index, steps] = event;
      if (lesson !== s.lesson || index + 1 <= s.step) return state;
      return { ...state, standing: { ...s, step: index + 1, steps, title: '' }, stepSince: Date.now() };
    }
    case 'hint':
      return { ...state, standing: { ...s, hints: s.hints + 1 } };
    case 'error':
      return { ...state, standing: { ...s, error: event[3] } };
  }
}

/**
 * Sends the standing to every roster, if any is open (else to the rosters that called
 * the roll, whose group pg may not have reported yet); returns the state unchanged.
 */
function publish(state: State): State {
  const msg = ['attendee', node(), standingNow(state)];
  if (getMembers(ROSTERS).length > 0) PubSub.publish(PROGRESS_TOPIC, msg);
  else for (const roster of state.rollcalls) send(roster, msg);
  return state;
}

/** How many rosters watch this node: pg's group, or the roll calls while pg has not said. */
function watching(state: State): number {
  return getMembers(ROSTERS).length || state.rollcalls.length;
}

function standingNow(state: State): Standing {
  const now = Date.now();
  return {
    ...state.standing,
    onStepMs: now - state.stepSince,
    handMs: state.standing.hand === null ? 0 : now - state.handSince,
    sentAt: preciseNow(),
  };
}

/** A `clear` for everyone (null), for this node, or for its short name. */
function meant(target: unknown): boolean {
  const me: NodeName = node();
  return target === null || target === me || target === me.slice(0, me.indexOf('@'));
}

/** A lesson event in its exact shape (a malformed cast from elsewhere is ignored). */
function isLessonEvent(e: unknown): e is LessonEvent {
  if (!Array.isArray(e) || typeof e[1] !== 'string') return false;
  const n = (i: number) => Number.isInteger(e[i]) && e[i] >= 0;
  switch (e[0]) {
    case 'lesson':
      return e.length === 3 && n(2);
    case 'step':
    case 'passed':
      return e.length === 5 && n(2) && n(3) && typeof e[4] === 'string';
    case 'hint':
      return e.length === 3 && n(2);
    case 'error':
      return e.length === 4 && n(2) && typeof e[3] === 'string';
    default:
      return false;
  }
}
