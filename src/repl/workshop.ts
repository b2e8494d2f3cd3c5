/**
 * @module repl/workshop
 * A workshop at the prompt (the room itself is `src/workshop`):
 * - the instructor's `workshop()` opens the roster and shows it live: on a terminal as
 *   a table pinned above the prompt (`panel.ts`), its times ticking every second; piped,
 *   as a line per change (`[workshop] ann@10.0.0.7: pubsub 5/14 (...)`);
 *   `workshop.say(text)`, `workshop.clear(node)`, `workshop.table()` (every row, once)
 *   and `workshop.close()` go with it;
 * - an attendee's `help(text)` raises a hand, `help(false)` lowers it.
 *
 * The live view is a process watching the roster (`Workshop.watch`): it ends with the
 * roster, and `workshop.close()` ends both.
 */
import { NO_NODE, TIMEOUT, Workshop, isAlive, monitor, node, receive, self, spawn, type Pid } from '../index.ts';
import type { HelperEnv, Helpers } from './helpers.ts';
import { rosterLine, rosterTable } from './roster-table.ts';

type Attendee = Workshop.Attendee;

/** How often the table's times are brought up to date on a terminal (ms). */
const TICK_MS = 1000;

// Client API

/** `workshop` (with its members) and `help`. */
export function workshopHelpers(env: HelperEnv): Helpers {
  let view: Pid | null = null;
  const distributed = (what: string) => {
    if (node() !== NO_NODE) return true;
    env.print(`${what} needs a named node: start it with --name <name>@<address> (or --sname <name> on one machine).`);
    return false;
  };

  async function workshop(): Promise<void> {
    if (!distributed('A workshop')) return;
    const roster = await Workshop.openRoster();
    if (view && isAlive(view)) return workshop.table();
    view = spawn(rosterView, env, roster);
    env.print(
      env.colors.dim(`roster open on ${node()}: workshop.say(text) speaks to the room, workshop.clear(node) lowers a hand, workshop.close() ends it`),
    );
  }

  workshop.say = function say(text: unknown): 'ok' {
    return Workshop.say(String(text));
  };
  workshop.clear = function clear(target?: string): 'ok' {
    return Workshop.clear(target);
  };
  workshop.table = async function table(): Promise<void> {
    if (!Workshop.roster()) return env.print('No roster is open here: workshop() opens one.');
    env.print(rosterTable(await Workshop.rows(), Date.now(), env.colors, 1000, node()).join('\n'));
  };
  workshop.rows = function rows(): Promise<Attendee[]> {
    return Workshop.rows();
  };
  workshop.close = function close(): Promise<'ok'> {
    return Workshop.closeRoster();
  };

  async function help(text?: unknown): Promise<void> {
    if (!distributed('Raising a hand')) return;
    if (text === false) {
      await Workshop.lowerHand();
      return env.print('Hand lowered.');
    }
    const said = text === undefined ? '' : String(text);
    const watching = await Workshop.raiseHand(said);
    const who = watching === 0 ? 'no roster is open in this cluster yet; your hand shows as soon as one opens' : 'the teacher sees it in the roster';
    env.print(`✋ Your hand is up${said ? ` (${JSON.stringify(said)})` : ''}: ${who}. help(false) lowers it; h() lists the helpers, hint() helps with a lesson step.`);
  }

  return { workshop, help };
}

// Internals

/** The live view: renders the roster at every change (and every second on a terminal) until it closes. */
async function rosterView(env: HelperEnv, roster: Pid): Promise<void> {
  monitor(roster);
  let rows = await Workshop.watch(self());
  const panel = env.panel();
  const printed = new Map<string, string>();
  const render = () => {
    if (panel) return panel.show(fitted(rosterTable(rows, Date.now(), env.colors, panel.columns, node()), panel.capacity));
    for (const r of rows) {
      const line = rosterLine(r);
      if (printed.get(r.node) === line) continue;
      printed.set(r.node, line);
      env.print(`[workshop] ${line}`);
    }
  };
  try {
    render();
    for (;;) {
      const msg = (await receive(undefined, { after: panel ? TICK_MS : Infinity })) as unknown[] | typeof TIMEOUT;
      if (msg !== TIMEOUT && msg[0] === 'DOWN') return;
      if (msg !== TIMEOUT && msg[0] === 'roster') rows = msg[1] as Attendee[];
      render();
    }
  } finally {
    panel?.close();
  }
}

/** `lines` cut to `capacity`, the last line saying how many rows did not fit. */
function fitted(lines: string[], capacity: number): string[] {
  if (lines.length <= capacity) return lines;
  const shown = lines.slice(0, Math.max(1, capacity - 1));
  return [...shown, `   … and ${lines.length - shown.length} more: workshop.table() lists every node`];
}
