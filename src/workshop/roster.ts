/**
 * @module workshop/roster
 * The instructor's roster, a GenServer registered as `workshop_roster` on the node that
 * opens it (`workshop()` at the prompt, or `--workshop`): one row per other node of the
 * cluster, with where it stands in its lesson, kept up to date by what the members push
 * (nothing is polled), and told to its watchers (the prompt's live table) at every change.
 *
 * Where each row comes from:
 * - `nodeup`: a row `here` at once, and a roll call to that node's member, whose answer
 *   fills the row in (also for nodes that were there before the roster opened);
 * - `['attendee', node, standing]` on the progress topic (or in answer to a roll call):
 *   the row's standing; the step's and the hand's start are set back by the time the
 *   member says it has spent on them, so no two machines' clocks are ever compared;
 * - `nodedown`: the row stays, marked `gone`;
 * - `['refused', node, reason]` (the node refused a mistaken join): a row `refused`.
 *
 * Protocol: calls `'rows'` (every row) and `['watch', pid]` (rows now; then `['roster',
 * rows]` to pid at every change, until pid exits); the info messages above.
 */
import * as GenServer from '../genserver.ts';
import { monitor, self, send } from '../process/index.ts';
import { list, monitorNodes, monitorRefusals, node } from '../node/index.ts';
import { join } from '../pg.ts';
import * as PubSub from '../pubsub/index.ts';
import type { NodeName, Pid } from '../term.ts';
import { MEMBER, PROGRESS_TOPIC, ROSTER, ROSTERS, type Attendee, type Standing } from './types.ts';

interface State {
  rows: Map<NodeName, Attendee>;
  watchers: Map<string, Pid>;
}

// Client API

/** Starts the roster, not linked (it outlives the shell that opened it); resolves with its pid. */
export function startRoster(): Promise<Pid> {
  return GenServer.start(Roster, undefined, { name: ROSTER });
}

/**
 * The order a roster reads in, wherever it is shown (the prompt's table, the live page):
 * raised hands first, the oldest first; then the nodes here, the refused, the gone; by
 * name within each.
 */
export function byAttention(a: Attendee, b: Attendee): number {
  const handA = a.status === 'here' && a.standing?.hand != null;
  const handB = b.status === 'here' && b.standing?.hand != null;
  if (handA !== handB) return handA ? -1 : 1;
  if (handA && handB) return a.handSince - b.handSince;
  return RANK[a.status] - RANK[b.status] || a.node.localeCompare(b.node);
}

// Callbacks

export const Roster = {
  name: 'WorkshopRoster',

  init(): ['ok', State] {
    PubSub.subscribe(PROGRESS_TOPIC);
    monitorNodes(true);
    monitorRefusals(true);
    join(ROSTERS, self());
    const state: State = { rows: new Map(), watchers: new Map() };
    for (const n of list()) arrived(state, n);
    return ['ok', state];
  },

  handleCall(msg: unknown, _from: unknown, state: State): ['reply', unknown, State] {
    if (msg === 'rows') return ['reply', rows(state), state];
    if (Array.isArray(msg) && msg[0] === 'watch' && msg[1] !== undefined) {
      const pid = msg[1] as Pid;
      state.watchers.set(pid.key, pid);
      monitor(pid);
      return ['reply', rows(state), state];
    }
    return ['reply', ['error', 'unknown_call'], state];
  },

  handleInfo(msg: unknown, state: State): ['noreply', State] {
    if (!Array.isArray(msg)) return ['noreply', state];
    const [tag, who] = msg as [string, NodeName];
    switch (tag) {
      case 'nodeup':
        arrived(state, who);
        break;
      case 'nodedown':
        setStatus(state, who, 'gone');
        break;
      case 'refused': {
        const row = state.rows.get(who);
        if (row?.status === 'here') return ['noreply', state];
        setStatus(state, who, 'refused').reason = String(msg[2]);
        break;
      }
      case 'attendee':
        if (who === node() || !standingOf(msg[2])) return ['noreply', state];
        stood(state, who, msg[2]);
        break;
      case 'DOWN':
        state.watchers.delete((msg[3] as Pid).key);
        return ['noreply', state];
      default:
        return ['noreply', state];
    }
    tell(state);
    return ['noreply', state];
  },
};

// Internals

const RANK = { here: 1, refused: 2, gone: 3 } as const;

function arrived(state: State, who: NodeName): void {
  setStatus(state, who, 'here').reason = null;
  send([MEMBER, who], ['rollcall', self()]);
}

function setStatus(state: State, who: NodeName, status: Attendee['status']): Attendee {
  let row = state.rows.get(who);
  if (!row) {
    row = { node: who, status, since: Date.now(), standing: null, stepSince: Date.now(), handSince: 0, reason: null };
    state.rows.set(who, row);
  } else if (row.status !== status) {
    row.status = status;
    row.since = Date.now();
  }
  return row;
}

function stood(state: State, who: NodeName, standing: Standing): void {
  const row = state.rows.get(who) ?? setStatus(state, who, 'here');
  const now = Date.now();
  row.standing = standing;
  row.stepSince = now - standing.onStepMs;
  row.handSince = now - standing.handMs;
}

function rows(state: State): Attendee[] {
  return [...state.rows.values()].map((r) => ({ ...r }));
}

function tell(state: State): void {
  if (state.watchers.size === 0) return;
  const now = rows(state);
  for (const pid of state.watchers.values()) send(pid, ['roster', now]);
}

/** A standing as a member sends it (anything else from the topic is ignored). */
function standingOf(x: unknown): x is Standing {
  if (x === null || typeof x !== 'object') return false;
  const s = x as Record<string, unknown>;
  return Number.isFinite(s.step) && Number.isFinite(s.steps) && Number.isFinite(s.onStepMs) && Number.isFinite(s.handMs);
}
