/**
 * @module repl/tables
 * `i(pid)` and `i()`: process info as small tables.
 */
import { format, type Pid } from '../term.ts';
import type { ProcessInfo } from '../process/index.ts';
import type { Colors } from './colors.ts';

/** `i(pid)`: one process, a row per property. */
export function infoTable(info: ProcessInfo, c: Colors): string {
  const rows: Array<[string, string]> = [
    ['Pid', String(info.pid)],
    ['Registered name', info.registeredName ?? '-'],
    ['Initial call', info.initialCall],
    ['Status', info.status],
    ['Message queue length', String(info.messageQueueLen)],
    ['Messages', info.messages.length === 0 ? '[]' : format(info.messages)],
    ['Links', list(info.links)],
    ['Monitors', list(info.monitors)],
    ['Monitored by', list(info.monitoredBy)],
    ['Trap exit', String(info.trapExit)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${c.bold(k.padEnd(width))}  ${v}`).join('\n');
}

/** `i()`: every process, a row each, as Erlang's `i()` does. */
export function processTable(infos: ProcessInfo[], c: Colors): string {
  const header = ['Pid', 'Name', 'Initial call', 'Status', 'Queue'];
  const rows = infos.map((p) => [String(p.pid), p.registeredName ?? '', p.initialCall, p.status, String(p.messageQueueLen)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}

function list(items: Array<Pid | readonly [string, string]>): string {
  return items.length === 0 ? '[]' : items.map((x) => format(x)).join(', ');
}
