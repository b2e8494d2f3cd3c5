/**
 * @module supervisor/server
 * The supervisor's GenServer callbacks: starting children, restarting them by strategy
 * and intensity, and stopping them in reverse order.
 *
 * Requests (GenServer calls from supervisor.ts) and their answers: `['which_children']`,
 * `['count_children']`, `['terminate_child', id]`, `['restart_child', id]`,
 * `['delete_child', id]`, `['start_child', spec]`; answers are 'ok', `['ok', value]`
 * or `['error', reason]`, as in OTP. Infos: `['EXIT', pid, reason]` from a child, and
 * `['$try_again', id]`, which a supervisor sends itself when a restart failed, so the
 * retry counts toward the intensity and other messages get their turn in between.
 *
 * Invariant: `children` is in start order; a child's `pid` is its live process, or
 * 'undefined' (stopped) or 'restarting' (a failed restart waits for its retry).
 */
import { Pid, _, equal, short } from '../term.ts';
import {
  TIMEOUT, currentProcess, setBehaviour, exit, isQuietReason, monitor, receive, self, send, trapExit, unlink, formatReason,
} from '../process/index.ts';
import { GenServerError } from '../genserver.ts';
import type { GenServerModule } from '../genserver.ts';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** A checked child spec; `start` is called in the supervisor's process. */
export interface Spec {
  id: unknown;
  start: () => unknown;
  restart: 'permanent' | 'transient' | 'temporary';
  shutdown: number | 'brutal_kill';
  type: 'worker' | 'supervisor';
}

export interface SupFlags {
  strategy: Strategy;
  intensity: number;
  period: number;
}

interface Child {
  spec: Spec;
  pid: Pid | 'undefined' | 'restarting';
}

interface State {
  flags: SupFlags;
  /** In start order. */
  children: Child[];
  /** When the recent restarts happened (Date.now()), for the intensity check. */
  restarts: number[];
}

// Callbacks

export const SupervisorServer: GenServerModule<State> & { name: string } = {
  name: 'Supervisor',

  async init([specs, flags]: [Spec[], SupFlags]) {
    trapExit(true);
    setBehaviour('Supervisor');
    const state: State = { flags, children: [], restarts: [] };
    for (const spec of specs) {
      const started = await startSpec(spec);
      if (started[0] === 'error') {
        await stopChildren(state.children);
        return ['stop', ['shutdown', ['failed_to_start_child', spec.id, started[1]]]];
      }
      state.children.push({ spec, pid: started[1] });
    }
    return ['ok', state];
  },

  async handleCall(req: unknown[], _from, state) {
    return ['reply', await answer(req, state), state];
  },

  async handleInfo(msg: unknown[], state) {
    if (msg[0] === 'EXIT') {
      const child = state.children.find((c) => c.pid instanceof Pid && c.pid.equals(msg[1]));
      return child ? childExited(state, child, msg[2]) : ['noreply', state];
    }
    if (msg[0] === '$try_again') {
      const child = state.children.find((c) => equal(c.spec.id, msg[1]));
      return child && !(child.pid instanceof Pid) ? restart(state, child) : ['noreply', state];
    }
    currentProcess()!.rt.log('warning', `${who()} received an unexpected message: ${short(msg)}`);
    return ['noreply', state];
  },

  async terminate(_reason, state) {
    await stopChildren(state.children);
  },
};

// Internals

async function answer(req: unknown[], state: State): Promise<unknown> {
  const { children } = state;
  if (req[0] === 'which_children') return children.map((c) => [c.spec.id, c.pid, c.spec.type]);
  if (req[0] === 'count_children') {
    const supervisors = children.filter((c) => c.spec.type === 'supervisor').length;
    const active = children.filter((c) => c.pid instanceof Pid).length;
    return { specs: children.length, active, supervisors, workers: children.length - supervisors };
  }
  if (req[0] === 'start_child') {
    const spec = req[1] as Spec;
    const known = children.find((c) => equal(c.spec.id, spec.id));
    if (known) return ['error', known.pid instanceof Pid ? ['already_started', known.pid] : 'already_present'];
    const started = await startSpec(spec);
    if (started[0] === 'ok') children.push({ spec, pid: started[1] });
    return started;
  }
  const child = children.find((c) => equal(c.spec.id, req[1]));
  if (!child) return ['error', 'not_found'];
  if (req[0] === 'terminate_child') {
    await stopChild(child);
    if (child.spec.restart === 'temporary') children.splice(children.indexOf(child), 1);
    return 'ok';
  }
  if (child.pid !== 'undefined') return ['error', child.pid instanceof Pid ? 'running' : 'restarting'];
  if (req[0] === 'delete_child') {
    children.splice(children.indexOf(child), 1);
    return 'ok';
  }
  const started = await startSpec(child.spec);
  if (started[0] === 'ok') child.pid = started[1];
  return started;
}

/** A child ended: forget it, leave it stopped, or restart by the strategy. */
async function childExited(state: State, child: Child, reason: unknown) {
  const pid = child.pid;
  child.pid = 'undefined';
  const kind = child.spec.restart;
  if (kind === 'temporary' || (kind === 'transient' && isQuietReason(reason))) {
    if (kind === 'temporary') state.children.splice(state.children.indexOf(child), 1);
    return ['noreply', state] as const;
  }
  if (!isQuietReason(reason)) {
    currentProcess()!.rt.log('error', `${who()}: child ${short(child.spec.id)} (${pid}) terminated\n${formatReason(reason)}`);
  }
  return restart(state, child);
}

/** Restarts `child` (and its group, by the strategy) unless the restart intensity is spent. */
async function restart(state: State, child: Child) {
  const { strategy, intensity, period } = state.flags;
  const now = Date.now();
  state.restarts = state.restarts.filter((t) => now - t < period);
  state.restarts.push(now);
  if (state.restarts.length > intensity) {
    currentProcess()!.rt.log(
      'error',
      `${who()} shutting down: reached its maximum restart intensity (${intensity} restarts in ${period} ms); last child: ${short(child.spec.id)}`,
    );
    return ['stop', 'shutdown', state] as const;
  }
  const at = state.children.indexOf(child);
  let group = strategy === 'one_for_one' ? [child] : strategy === 'one_for_all' ? state.children : state.children.slice(at);
  if (group.length > 1) {
    await stopChildren(group);
    // Temporary children are never restarted: stopped with their group, they are forgotten.
    const dropped = group.filter((c) => c.spec.restart === 'temporary');
    state.children = state.children.filter((c) => !dropped.includes(c));
    group = group.filter((c) => !dropped.includes(c));
  }
  for (const c of group) {
    const started = await startSpec(c.spec);
    if (started[0] === 'error') {
      c.pid = 'restarting';
      send(self(), ['$try_again', c.spec.id]);
      break;
    }
    c.pid = started[1];
  }
  return ['noreply', state] as const;
}

/** Calls a spec's start function; a pid means started, anything else an error. */
async function startSpec(spec: Spec): Promise<readonly ['ok', Pid] | readonly ['error', unknown]> {
  try {
    const pid = await spec.start();
    if (pid instanceof Pid) return ['ok', pid];
    return ['error', ['bad_start_result', pid]];
  } catch (err) {
    return ['error', err instanceof GenServerError ? err.reason : err];
  }
}

/** Stops the running children of `children`, last started first. */
async function stopChildren(children: readonly Child[]): Promise<void> {
  for (let i = children.length - 1; i >= 0; i--) await stopChild(children[i]!);
}

/**
 * Stops one child: an exit signal 'shutdown' (or 'kill' for brutal_kill), then 'kill'
 * if it has not ended within its shutdown time. The link is removed first, so its end
 * does not come back as an 'EXIT' that would look like a crash to restart.
 */
async function stopChild(child: Child): Promise<void> {
  const pid = child.pid;
  child.pid = 'undefined';
  if (!(pid instanceof Pid)) return;
  const { shutdown } = child.spec;
  const ref = monitor(pid);
  unlink(pid);
  const early = await receive(['EXIT', pid, _], { after: 0 });
  exit(pid, shutdown === 'brutal_kill' ? 'kill' : 'shutdown');
  const downOf = ['DOWN', ref, 'process', _, _];
  let down = await receive(downOf, { after: shutdown === 'brutal_kill' ? Infinity : shutdown });
  if (down === TIMEOUT) {
    exit(pid, 'kill');
    down = await receive(downOf);
  }
  const reason = early === TIMEOUT ? down[4] : early[2];
  const expected = shutdown === 'brutal_kill' ? 'killed' : 'shutdown';
  if (reason !== expected && reason !== 'normal' && reason !== 'noproc') {
    currentProcess()!.rt.log('error', `${who()}: child ${short(child.spec.id)} (${pid}) did not shut down cleanly\n${formatReason(reason)}`);
  }
}

function who(): string {
  const p = currentProcess()!;
  return p.name === undefined ? `Supervisor ${p.pid}` : `Supervisor ${p.pid} (${p.name})`;
}
