/**
 * @module trace/diagram
 * A sequential trace drawn: one lane per process (its registered name, or its pid, and
 * its node), one arrow per message with a short label, top to bottom in causal order
 * (by the serials of `seq_trace`), fitted to the terminal's width; or the same as
 * Mermaid text.
 *
 *        self()        PubSub.Adapter  PubSub.Adapter
 *        alice              bob            carol
 *          │                 │               │
 *          │ [ 'broadcast_to_local', 'news', 'hello' ]
 *          │────────────────▶│               │
 *          │ [ 'broadcast_to_local', 'news', 'hello' ]
 *          │────────────────────────────────▶│
 *
 * A label starts just right of its arrow's left end and may run over the lanes it
 * crosses; a message a process sent to itself is a `↻` on its own lane; a spawn is a
 * dashed arrow. With more lanes than the width has room for, the diagram becomes a
 * list, one message a line.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';
import { Pid, type NodeName } from '../term.ts';
import type { SeqEvent } from '../process/index.ts';
import { messageLabel, reason } from './format.ts';

/** One process of the diagram. */
export interface Lane {
  /** Null for a name no process was seen to answer to (a message to a name nobody had). */
  pid: Pid | null;
  label: string;
  node: NodeName;
}

/** One message (or spawn) of the diagram, lanes by index. */
export interface Arrow {
  from: number;
  to: number;
  label: string;
  kind: 'send' | 'spawn';
  msg: unknown;
  /** False when the receiver had not taken it out of its mailbox by the end of the trace. */
  taken: boolean;
}

/** Narrowest lane the diagram draws; below it, it becomes a list. */
const MIN_LANE = 8;
const MAX_LANE = 24;

export class SeqDiagram {
  constructor(
    readonly lanes: readonly Lane[],
    readonly arrows: readonly Arrow[],
    /** What the traced function gave (or threw: `error`). */
    readonly value: unknown,
    readonly error: unknown,
    private readonly width?: number,
  ) {}

  /** Builds the diagram from the events of one trace; `runner` is the process that ran the function. */
  static from(events: readonly SeqEvent[], runner: Pid, outcome: { value?: unknown; error?: unknown }, width?: number): SeqDiagram {
    const order = { send: 0, spawn: 0, arrived: 1, dropped: 1, receive: 1 };
    const sorted = [...events].sort((a, b) => a.serial[1] - b.serial[1] || order[a.type] - order[b.type] || a.time - b.time);
    const taken = new Map<string, SeqEvent>();
    for (const e of sorted) if (e.type === 'receive') taken.set(`${e.from.key}/${e.serial[1]}`, e);
    const lanes: Lane[] = [];
    const index = new Map<string, number>();
    const lane = (pid: Pid | null, name: string | undefined, node: NodeName): number => {
      const key = pid?.key ?? `${name}@${node}`;
      let i = index.get(key);
      if (i === undefined) {
        index.set(key, (i = lanes.length));
        lanes.push({ pid, label: pid !== null && pid.equals(runner) ? 'self()' : (name ?? shortPid(pid!)), node });
      } else if (name !== undefined && pid !== null && !pid.equals(runner)) {
        lanes[i]!.label = name;
      }
      return i;
    };
    lane(runner, undefined, runner.node);
    const arrows: Arrow[] = [];
    for (const e of sorted) {
      if (e.type !== 'send' && e.type !== 'spawn') continue;
      const from = lane(e.from, e.name, e.from.node);
      const got = taken.get(`${e.from.key}/${e.serial[1]}`);
      const to = got !== undefined && got.type === 'receive' ? lane(got.to, got.name, got.to.node) : destination(lane, e.to, e.from.node);
      if (e.type === 'spawn') arrows.push({ from, to, label: `spawn ${e.fn}()`, kind: 'spawn', msg: e.fn, taken: true });
      else arrows.push({ from, to, label: messageLabel(e.msg), kind: 'send', msg: e.msg, taken: got !== undefined });
    }
    return new SeqDiagram(lanes, arrows, outcome.value, outcome.error, width);
  }

  /** The diagram as text, `width` columns wide at most. */
  toString(width: number = this.width ?? process.stdout.columns ?? 80): string {
    return this.render(width, (s) => s);
  }

  /** The same trace as Mermaid text (a `sequenceDiagram`). */
  mermaid(): Text {
    const lines = ['sequenceDiagram'];
    this.lanes.forEach((l, i) => lines.push(`    participant L${i} as ${escape(`${l.label} (${l.node})`)}`));
    for (const a of this.arrows) lines.push(`    L${a.from}${a.kind === 'spawn' ? '-->>' : '->>'}L${a.to}: ${escape(a.label)}`);
    return new Text(lines.join('\n'));
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return this.render(this.width ?? process.stdout.columns ?? 80, (s) => options.stylize(s, 'special'));
  }

  // Internals

  private render(width: number, heading: (s: string) => string): string {
    const n = this.lanes.length;
    const lane = Math.min(MAX_LANE, Math.floor((width - 1) / Math.max(n, 1)));
    const out = lane < MIN_LANE ? this.list() : this.draw(lane, width);
    if (this.arrows.length === 0) out.push('(no messages)');
    if (this.error !== undefined) out.push(`** the function threw ${reason(this.error)}`);
    return out.map((line, i) => (i < this.headerRows(lane) ? heading(line) : line)).join('\n');
  }

  private headerRows(lane: number): number {
    return lane < MIN_LANE ? 0 : this.nodes() > 1 ? 2 : 1;
  }

  private nodes(): number {
    return new Set(this.lanes.map((l) => l.node)).size;
  }

  private draw(lane: number, width: number): string[] {
    const n = this.lanes.length;
    const total = Math.max(n * lane, width);
    // The first lane as far left as its heading allows; then one lane width apart.
    const longest = Math.max(...this.lanes.map((l) => Math.min(l.label.length, lane - 1)));
    const offset = Math.min(Math.floor(lane / 2), Math.max(2, Math.ceil(longest / 2)));
    const x = (i: number) => offset + i * lane;
    const blank = () => {
      const row = new Array<string>(total).fill(' ');
      for (let i = 0; i < n; i++) row[x(i)] = '│';
      return row;
    };
    const put = (row: string[], at: number, text: string) => {
      const room = total - at;
      const fit = text.length > room ? text.slice(0, Math.max(0, room - 1)) + '…' : text;
      for (let i = 0; i < fit.length; i++) row[at + i] = fit[i]!;
    };
    const heading = (text: (l: Lane) => string) => {
      const row = new Array<string>(total).fill(' ');
      this.lanes.forEach((l, i) => {
        const t = fitTo(text(l), lane - 1);
        put(row, Math.max(0, Math.min(x(i) - Math.floor(t.length / 2), total - t.length)), t);
      });
      return row;
    };
    const rows: string[][] = [heading((l) => l.label)];
    if (this.nodes() > 1) rows.push(heading((l) => l.node.split('@')[0]!));
    rows.push(blank());
    for (const a of this.arrows) {
      const label = blank();
      if (a.from === a.to) {
        put(label, x(a.from) + 2, `↻ ${a.label}`);
        rows.push(label);
        continue;
      }
      const [lo, hi] = a.from < a.to ? [x(a.from), x(a.to)] : [x(a.to), x(a.from)];
      put(label, lo + 2, a.label);
      const arrow = blank();
      for (let c = lo + 1; c < hi; c++) arrow[c] = a.kind === 'spawn' ? '╌' : '─';
      if (a.from < a.to) arrow[hi - 1] = a.taken ? '▶' : '▷';
      else arrow[lo + 1] = a.taken ? '◀' : '◁';
      rows.push(label, arrow);
    }
    return rows.map((r) => r.join('').trimEnd());
  }

  private list(): string[] {
    const name = (i: number) => `${this.lanes[i]!.label}@${this.lanes[i]!.node.split('@')[0]}`;
    return this.arrows.map((a) => `${name(a.from)} ${a.kind === 'spawn' ? '╌╌▶' : '──▶'} ${name(a.to)}  ${a.label}`);
  }
}

/** Text the prompt prints as it is (no quotes): what `mermaid()` gives. */
export class Text {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  [inspect.custom](): string {
    return this.text;
  }
}

// Internals

/** The lane a message went to when its receive was not seen: its pid, or the name it was sent to. */
function destination(lane: (pid: Pid | null, name: string | undefined, node: NodeName) => number, to: unknown, here: NodeName): number {
  if (to instanceof Pid) return lane(to, undefined, to.node);
  if (Array.isArray(to)) return lane(null, String(to[0]), String(to[1]));
  return lane(null, String(to), here);
}

/** `#PID<0.130.0>` as `<0.130.0>`, to keep lanes narrow. */
function shortPid(pid: Pid): string {
  return String(pid).replace(/^#PID/, '');
}

function fitTo(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(1, width - 1)) + '…' : text;
}

/** Mermaid's text escapes: `#` and `;` as entity codes. */
function escape(text: string): string {
  return text.replace(/\n/g, ' ').replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;'));
}
