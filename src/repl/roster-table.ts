/**
 * @module repl/roster-table
 * How a workshop's roster reads: as a table pinned above the prompt on a terminal, and
 * as one line per change when the output is piped (a log the teacher can keep, and the
 * tests can read). Pure functions of the rows and the time.
 *
 * ```
 * workshop · 3 here, 1 gone, 1 refused · 1 hand up · workshop.close() hides this
 *    node            lesson      step                 on step      hints  last error
 * ✋ cat@10.0.0.9    pubsub      5/14 pg across nodes 2m 10s       1      "stuck on pg" · ReferenceError: x is...
 *    ann@10.0.0.7    genserver   done                              0
 *    ben@10.0.0.8    -
 *    dan@10.0.0.10   pubsub      3/14 A local PubSub  gone 4m ago  0
 *    eve@10.0.0.11   -                                              refused: wrong cookie
 * ```
 * Raised hands come first (the oldest first), then the nodes here, then the refused,
 * then the gone; by name within each (`Workshop.byAttention`, the page's order too).
 */
import { Workshop } from '../index.ts';
import type { Colors } from './colors.ts';

type Attendee = Workshop.Attendee;

const HAND = '✋';
const HEAD = ['node', 'lesson', 'step', 'on step', 'hints', 'last error'];

// Client API

/** The table: a title line, a header and a line per row, each at most `width` columns; `me` is the roster's node. */
export function rosterTable(rows: readonly Attendee[], now: number, c: Colors, width: number, me: string): string[] {
  const sorted = [...rows].sort(Workshop.byAttention);
  const cells = sorted.map((r) => cellsOf(r, now));
  const widths = HEAD.slice(0, 5).map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (cols: string[]) => {
    let text = '';
    for (let i = 0; i < cols.length; i++) text += i < 5 ? (cols[i] ?? '').padEnd(widths[i]! + 2) : (cols[i] ?? '');
    return clip(text.trimEnd(), width - 3);
  };
  const out = [clip(title(rows), width), c.dim(`   ${line(HEAD)}`)];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const text = line(cells[i]!);
    const styled = r.status === 'gone' ? c.dim(text) : r.status === 'refused' ? c.yellow(text) : text;
    out.push((r.standing?.hand != null && r.status === 'here' ? c.bold(`${HAND} `) : '   ') + styled);
  }
  if (rows.length === 0) out.push(c.dim(clip(`   no other node in the cluster yet: attendees join with --join ${me}`, width)));
  return out;
}

/** One line for one row, as the piped log prints it at a change (without the times, which change by themselves). */
export function rosterLine(r: Attendee): string {
  if (r.status === 'refused') return `${r.node}: refused: ${r.reason ?? ''}`;
  if (r.status === 'gone') return `${r.node}: gone${r.standing?.lesson ? ` (was at ${where(r)})` : ''}`;
  const s = r.standing;
  if (!s) return `${r.node}: joined`;
  const parts = [s.lesson ? where(r) : 'no lesson yet'];
  if (s.hints > 0) parts.push(`hints ${s.hints}`);
  if (s.error) parts.push(`last error: ${s.error}`);
  if (s.hand !== null) parts.push(`hand up${s.hand ? `: ${JSON.stringify(s.hand)}` : ''}`);
  return `${r.node}: ${parts.join(', ')}`;
}

/** `45s`, `2m 10s`, `1h 03m`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// Internals

function title(rows: readonly Attendee[]): string {
  const count = (status: Attendee['status']) => rows.filter((r) => r.status === status).length;
  const hands = rows.filter((r) => r.status === 'here' && r.standing?.hand != null).length;
  const parts = [`${count('here')} here`];
  if (count('gone') > 0) parts.push(`${count('gone')} gone`);
  if (count('refused') > 0) parts.push(`${count('refused')} refused`);
  const handText = hands === 0 ? 'no hand up' : hands === 1 ? '1 hand up' : `${hands} hands up`;
  return `workshop · ${parts.join(', ')} · ${handText} · workshop.close() hides this`;
}

function cellsOf(r: Attendee, now: number): string[] {
  if (r.status === 'refused') return [r.node, '-', '', '', '', `refused: ${r.reason ?? ''}`];
  const s = r.standing;
  const gone = r.status === 'gone' ? `gone ${duration(now - r.since)} ago` : '';
  const notes: string[] = [];
  if (s?.hand != null && r.status === 'here') notes.push(s.hand ? JSON.stringify(s.hand) : `hand up ${duration(now - r.handSince)}`);
  if (s?.error) notes.push(s.error);
  if (!s?.lesson) return [r.node, '-', '', gone, '', notes.join(' · ')];
  const done = s.step >= s.steps;
  const onStep = gone || (done ? '' : duration(now - r.stepSince));
  const step = done ? 'done' : `${s.step + 1}/${s.steps}${s.title ? ` ${clip(s.title, 22)}` : ''}`;
  return [r.node, s.lesson, step, onStep, String(s.hints), notes.join(' · ')];
}

function where(r: Attendee): string {
  const s = r.standing!;
  return `${s.lesson} ${s.step >= s.steps ? 'done' : `${s.step + 1}/${s.steps}`}`;
}

/** `text` cut to `width` columns, with an ellipsis. */
function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}
