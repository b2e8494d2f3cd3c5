/**
 * @module process/trace-agent
 * The far end of a message trace: a small process on the traced process's node that
 * holds the trace for a tracer, which may be on another node. The process shape is
 * recon_trace's: the traced process only reports (`trace.ts`), the agent forwards and
 * counts, the tracer formats and prints.
 *
 *     [traced process] --event--> [agent] --['trace', id, event]--> [tracer]
 *                                    | monitors the traced process and the tracer
 *
 * The agent ends, and the trace with it, when the limit is reached, when the traced
 * process exits, when the tracer is gone (a lost connection to the tracer's node fires
 * its monitor with 'noconnection'), when it gets 'stop', or when a newer trace of the
 * same process replaces it (it exits with reason 'replaced' then, for its tracer to
 * say so). A killed agent leaves nothing behind either: the traced process turns its
 * flags off at its next event, finding the agent gone.
 */
import type { Pid } from '../term.ts';
import { running } from './context.ts';
import { ExitSignal, type TraceRequest } from './process.ts';
import type { Process, Runtime } from './runtime.ts';
import { clearMessageTrace, isTracer, markTracer, sendEvent, setMessageTrace } from './trace.ts';

/** What starting an agent gives: its pid, or why there is none. */
export type AgentStart = Pid | 'noproc' | 'not_traceable';

/** Starts an agent tracing the local process `target` (a pid or a registered name) for `req.tracer`. */
export function startTraceAgent(rt: Runtime, target: Pid | string, req: TraceRequest): AgentStart {
  const p = rt.localTarget(target);
  if (p === undefined) return 'noproc';
  if (isTracer(p)) return 'not_traceable';
  return rt.spawn(traceAgent, [rt, p, req], null)[0];
}

// Internals

async function traceAgent(rt: Runtime, target: Process, req: TraceRequest): Promise<void> {
  const me = running() as Process;
  markTracer(me);
  const tracerRef = rt.monitor(me, req.tracer);
  const targetRef = rt.monitor(me, target.pid);
  const previous = target.trace?.sink;
  setMessageTrace(target, me.pid, req.id, req.flags, req.limit);
  if (previous) rt.route(previous, 'replaced', null);
  let count = 0;
  try {
    for (;;) {
      const msg = (await me.receive(undefined, Infinity)) as unknown[] | string;
      if (msg === 'stop') return;
      if (msg === 'replaced') throw new ExitSignal('replaced');
      if (msg[0] === 'trace') {
        sendEvent(me, req.tracer, msg);
        if (++count >= req.limit) return;
      } else if (msg[0] === 'DOWN' && (tracerRef.equals(msg[1]) || targetRef.equals(msg[1]))) {
        return;
      }
    }
  } finally {
    clearMessageTrace(target, me.pid);
  }
}
