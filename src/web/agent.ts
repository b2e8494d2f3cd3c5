/**
 * @module web/agent
 * The web agent: a process registered as `web_agent` on every node (a child of the
 * node's supervisor), which tells the nodes whose pages watch this one what it holds.
 * Idle, it waits in receive and collects nothing. With a watcher, it sends a view of
 * its node (`snapshot.ts`) at once, then whenever something changes: at once on a pg
 * join or leave and on a nodeup or nodedown, and every `TICK_MS` for the rest (new
 * processes, queues, message rates). A view equal to the last one sent is not sent.
 * When the last watcher goes (it exited, or its node went down), the agent lets go of
 * pg's and the node's events and is idle again.
 *
 * Protocol (messages to `['web_agent', node]`, small tagged arrays):
 * - `['web_watch', viewer]`: `viewer` (a pid) gets `['web_view', view]` until it
 *   exits (the agent monitors it).
 * - `['web_info', from, ref, pid]`: answered `['web_info', ref, info]`, `info` being
 *   `processInfo(pid)` (undefined for a dead process), or its rows as text when a term
 *   in it cannot travel.
 *
 * @example
 * // On alice, a process watching bob (narrative: the web server's hub does this):
 * send(['web_agent', 'bob@vm'], ['web_watch', self()])
 * (await receive(['web_view', _]))[1].node //=> 'bob@vm'
 */
import { Pid, Ref, format } from '../term.ts';
import {
  TIMEOUT, currentRuntime, demonitor, monitor, processInfo, receive, register, self, send, type ProcessInfo,
} from '../process/index.ts';
import { monitorNodes } from '../node/index.ts';
import * as pg from '../pg.ts';
import { Rates, snapshot } from './snapshot.ts';
import type { NodeView } from './view.ts';

export const AGENT = 'web_agent';
/** ms between views while watched (rates are per second over the last second or more). */
const TICK_MS = 250;
const RATE_WINDOW_MS = 1000;

interface Watching {
  /** Watchers by pid key, with the monitor on each. */
  watchers: Map<string, [Pid, Ref]>;
  /** The pg scope subscription while watched. */
  scope: Ref | null;
  rates: Rates;
  /** The last view sent, as text, to send only what changed. */
  last: string;
  /** Something changed since the last view. */
  dirty: boolean;
  nextTick: number;
}

// Callbacks: the process body

/** The agent's body: registers as `web_agent`, then serves watchers. */
export async function webAgent(): Promise<void> {
  register(AGENT, self());
  const w: Watching = { watchers: new Map(), scope: null, rates: new Rates(), last: '', dirty: false, nextTick: 0 };
  for (;;) {
    const wait = w.watchers.size === 0 ? Infinity : w.dirty ? 0 : Math.max(0, w.nextTick - performance.now());
    const msg = await receive(undefined, { after: wait });
    if (msg === TIMEOUT) await publish(w);
    else handle(w, msg);
  }
}

// Internals

function handle(w: Watching, msg: unknown): void {
  if (!Array.isArray(msg)) return;
  const [tag, a, b, c] = msg as unknown[];
  if (tag === 'web_watch' && a instanceof Pid) return watch(w, a);
  if (tag === 'web_info' && a instanceof Pid && b instanceof Ref && c instanceof Pid) return answerInfo(a, b, c);
  if (tag === 'DOWN' && c === 'process' && msg[3] instanceof Pid) return unwatch(w, msg[3].key);
  // A pg event, nodeup or nodedown: the view changes now, not at the next tick.
  if ((w.scope !== null && tag instanceof Ref && tag.equals(w.scope)) || tag === 'nodeup' || tag === 'nodedown') w.dirty = true;
}

function watch(w: Watching, viewer: Pid): void {
  if (w.watchers.has(viewer.key)) return;
  if (w.watchers.size === 0) {
    w.scope = tryOr(() => pg.monitorScope()[0], null);
    monitorNodes(true);
  }
  w.watchers.set(viewer.key, [viewer, monitor(viewer)]);
  w.last = ''; // the newcomer gets a view even if nothing changed
  w.dirty = true;
}

function unwatch(w: Watching, key: string): void {
  const entry = w.watchers.get(key);
  if (!entry) return;
  demonitor(entry[1], { flush: true });
  w.watchers.delete(key);
  if (w.watchers.size > 0) return;
  if (w.scope) tryOr(() => pg.demonitor(w.scope!), null);
  monitorNodes(false);
  w.scope = null;
  w.rates = new Rates();
}

async function publish(w: Watching): Promise<void> {
  w.dirty = false;
  w.nextTick = performance.now() + TICK_MS;
  const view = await snapshot(w.rates, RATE_WINDOW_MS);
  const text = signature(view);
  if (text === w.last) return;
  w.last = text;
  for (const [viewer] of w.watchers.values()) deliver(viewer, ['web_view', view]);
}

/** The view as text with pids by key: equal views give equal text. */
function signature(view: NodeView): string {
  return JSON.stringify(view, (_k, v: unknown) => (v instanceof Pid ? v.key : v));
}

function answerInfo(from: Pid, ref: Ref, pid: Pid): void {
  const info = processInfo(pid);
  if (!deliver(from, ['web_info', ref, info])) deliver(from, ['web_info', ref, info && asText(info)]);
}

/** processInfo with every term printed here, for a message that cannot travel as it is. */
function asText(info: ProcessInfo): ProcessInfo {
  return { ...info, messages: info.messages.map((m) => format(m)) };
}

/** Sends, and says whether the message could go (a term that cannot travel throws). */
function deliver(to: Pid, msg: unknown[]): boolean {
  try {
    send(to, msg);
    return true;
  } catch (err) {
    currentRuntime().log('debug', `web agent: could not send to ${String(to)}: ${(err as Error).message}`);
    return false;
  }
}

function tryOr<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
