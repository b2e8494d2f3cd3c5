/**
 * @module web/page/roster
 * A workshop's roster, on the page of the teacher's node (the one whose roster is
 * open): a line that counts the room, then a row per node in the roster's order
 * (raised hands first, the oldest first): its lesson and step, time on the step, hints
 * used, what the attendee said with a raised hand and the last error, or why it was
 * refused, or for how long it has been gone. Clicking a row shows that node's
 * processes. Every cell is text (`dom.ts`): an attendee's error that carries markup
 * shows as its characters.
 */
import type { Model, RosterRow } from '../view.ts';
import { el } from './dom.ts';

/** The roster, or null when none is open on the page's node. */
export function roster(model: Model, select: (node: string) => void): HTMLElement | null {
  if (!model.roster) return null;
  const rows = model.roster;
  const known = new Set(model.nodes.map((n) => n.name));
  if (rows.length === 0) return el('p', { class: 'muted' }, `No attendee yet: they join with --join ${model.self}.`);
  return el('div', {},
    el('p', { class: 'count' }, count(rows)),
    el('table', { class: 'roster' },
      el('thead', {}, el('tr', {}, ...['', 'Node', 'Lesson', 'Step', 'On step', 'Hints', 'Notes'].map((h, i) => el('th', { class: i === 5 ? 'num' : undefined }, h)))),
      el('tbody', {}, ...rows.map((r) => row(r, known.has(r.node) ? () => select(r.node) : undefined)))));
}

function row(r: RosterRow, onclick: (() => void) | undefined): HTMLElement {
  const hand = r.hand !== null;
  return el('tr', { class: `${r.status}${hand ? ' hand' : ''}`, data: { node: r.node, status: r.status }, onclick },
    // A word, not ✋: a projector's laptop may have no emoji font.
    el('td', { class: 'hand-mark' }, hand ? el('span', { class: 'badge', title: `for ${duration(Date.now() - r.handSince)}` }, 'hand up') : ''),
    el('td', {}, r.node),
    el('td', {}, r.lesson ?? '-'),
    el('td', { data: { cell: 'step' } }, r.step, r.title ? el('span', { class: 'muted' }, ` ${r.title}`) : null),
    el('td', { data: { cell: 'on-step' } }, onStep(r)),
    el('td', { class: 'num' }, r.lesson ? String(r.hints) : ''),
    el('td', { class: 'notes', data: { cell: 'notes' } }, ...notes(r)));
}

function onStep(r: RosterRow): string {
  if (r.status === 'gone') return `gone ${duration(Date.now() - r.since)} ago`;
  return r.stepSince === null ? '' : duration(Date.now() - r.stepSince);
}

/** What the attendee said with a raised hand, then the last error; or why it was refused. */
function notes(r: RosterRow): Array<HTMLElement | string> {
  if (r.status === 'refused') return [el('span', { class: 'warn' }, `refused: ${r.reason ?? ''}`)];
  const out: Array<HTMLElement | string> = [];
  if (r.hand !== null) out.push(el('span', { class: 'said', data: { said: r.node } }, r.hand ? `“${r.hand}”` : `hand up ${duration(Date.now() - r.handSince)}`));
  if (r.error) out.push(el('span', { class: 'error', data: { error: r.node } }, r.error));
  return out;
}

function count(rows: RosterRow[]): string {
  const n = (status: RosterRow['status']) => rows.filter((r) => r.status === status).length;
  const hands = rows.filter((r) => r.hand !== null).length;
  const parts = [`${n('here')} here`];
  if (n('gone') > 0) parts.push(`${n('gone')} gone`);
  if (n('refused') > 0) parts.push(`${n('refused')} refused`);
  parts.push(hands === 0 ? 'no hand up' : hands === 1 ? '1 hand up' : `${hands} hands up`);
  return parts.join(' · ');
}

/** `45s`, `2m 10s`, `1h 03m`, as the roster at the prompt reads. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (x: number) => String(x).padStart(2, '0');
  if (s < 60) return `${s}s`;
  return s < 3600 ? `${Math.floor(s / 60)}m ${two(s % 60)}s` : `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`;
}
