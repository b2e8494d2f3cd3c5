/**
 * @module trace/seq
 * Sequence diagrams of what a piece of code sets off, after Erlang's `seq_trace` and
 * Livebook's `Kino.Process.render_seq_trace`: `seqTrace(fn)` runs `fn` in a process of
 * its own that holds a trace token, follows every message that token reaches, through
 * every process and node (see `process/trace.ts`), and draws them.
 *
 *     self()            stack
 *       │ call 'pop'      │
 *       │────────────────▶│
 *       │ reply 'hello'   │
 *       │◀────────────────│
 *
 * When is it over? Once `fn` has settled and no message is in flight (each one seen sent
 * has been reported taken, or put in a mailbox, or dropped for want of a process, by the
 * node it went to): a moment (`GRACE_MS`) after the last event when every message was
 * taken, or `quiet` ms when some wait in a mailbox (longer when messages were seen to
 * take long to arrive). `timeout` bounds it all, and a token older than that is dropped
 * by the process holding it.
 *
 * @example
 * iex(bob)> const Stack = { init: (items) => ['ok', items], handleCall: (req, _from, [top, ...rest]) => ['reply', top, rest] }
 * iex(bob)> await GenServer.start(Stack, ['hello'], { name: 'stack' })
 * iex(bob)> const d = await seqTrace(() => GenServer.call('stack', 'pop'))
 * iex(bob)> d.arrows.map((a) => a.label)
 * [ "call 'pop'", "reply 'hello'" ]
 * iex(bob)> d.lanes.map((l) => l.label)
 * [ 'self()', 'stack' ]
 */
import { currentProcess, currentRuntime, markTracer, setToken, type Process, type Runtime, type SeqEvent } from '../process/index.ts';
import { SeqDiagram } from './diagram.ts';
import { TraceError } from './tracer.ts';

export { SeqDiagram, type Arrow, type Lane } from './diagram.ts';

export interface SeqTraceOptions {
  /** Longest the whole trace may take, in ms (default 5000). */
  timeout?: number;
  /** How long nothing must happen before a trace with unreceived messages is over, in ms (default 200). */
  quiet?: number;
  /** The width to draw in (default: the terminal's, or 80). */
  width?: number;
}

/** How long nothing must happen once every message seen has been received. */
const GRACE_MS = 25;
/** How often the collector's progress is looked at while waiting. */
const POLL_MS = 5;

let labels = 0;

/** How many diagrams each node keeps for `recentDiagrams`. */
const KEPT = 5;
const recent = new WeakMap<Runtime, Array<{ at: number; diagram: SeqDiagram }>>();

// Client API

/**
 * Runs `fn` in a new process and draws every message it causes, on every node, as a
 * sequence diagram (`.mermaid()` gives the same as Mermaid text). Resolves with the
 * diagram once the messages have settled; `fn`'s result is its `value` (or `error`).
 *
 * @example
 * iex(bob)> (await seqTrace(() => GenServer.call('stack', 'pop'))).arrows.length
 * 2
 */
export async function seqTrace(fn: () => unknown, opts: SeqTraceOptions = {}): Promise<SeqDiagram> {
  if (typeof fn !== 'function') throw new TraceError('ERR_BAD_ARG', `seqTrace expects a function to run, e.g. seqTrace(() => GenServer.call('stack', 'pop')). Got: ${String(fn)}`);
  const timeout = positive(opts.timeout, 5000, 'timeout');
  const quiet = positive(opts.quiet, 200, 'quiet');
  const rt = currentRuntime();
  const label = `seq${++labels}`;
  const started = performance.now();
  const seen: SeqEvent[] = [];
  let last = started;
  let slowest = 0;

  const [collector] = rt.spawn(async function seqCollector() {
    const me = currentProcess()!;
    markTracer(me);
    for (;;) {
      const msg = (await me.receive(undefined, Infinity)) as unknown[] | string;
      if (msg === 'done') return;
      if (Array.isArray(msg) && msg[0] === 'seq_trace' && msg[1] === label) {
        const event = msg[2] as SeqEvent;
        seen.push(event);
        last = performance.now();
        slowest = Math.max(slowest, Date.now() - event.time);
      }
    }
  }, [], null);

  let runner!: Process;
  const outcome = await new Promise<{ value?: unknown; error?: unknown }>((resolve) => {
    rt.spawn(async function seqTraced() {
      runner = currentProcess()!;
      setToken(runner, [label, collector, Date.now() + timeout, 0, 0, runner.pid]);
      try {
        resolve({ value: await fn() });
      } catch (error) {
        resolve({ error });
      } finally {
        setToken(runner, null);
      }
    }, [], null);
  });

  const deadline = started + timeout;
  for (;;) {
    const idle = performance.now() - last;
    const { inFlight, waiting } = progress(seen);
    if (inFlight === 0 && idle >= (waiting === 0 ? GRACE_MS : Math.max(quiet, 4 * slowest))) break;
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  rt.route(collector, 'done', null);
  const diagram = SeqDiagram.from(seen, runner.pid, outcome, opts.width);
  const kept = recent.get(rt) ?? [];
  recent.set(rt, [...kept.slice(1 - KEPT), { at: Date.now(), diagram }]);
  return diagram;
}

/**
 * The last diagrams `seqTrace` drew on this node (at most `KEPT`), oldest first, each
 * with when it was drawn (ms since the epoch): what the live page shows.
 *
 * @example
 * // After a seqTrace on this node (narrative: the web agent reads it, not the prompt):
 * recentDiagrams().at(-1).diagram.arrows.map((a) => a.label) //=> [ "call 'pop'", "reply 'hello'" ]
 */
export function recentDiagrams(): ReadonlyArray<{ at: number; diagram: SeqDiagram }> {
  return recent.get(currentRuntime()) ?? [];
}

// Internals

/**
 * Where the messages seen sent stand: `inFlight`, not yet known to have reached a
 * mailbox (or found none); `waiting`, in a mailbox, not yet taken. The others were taken
 * or dropped.
 */
function progress(events: readonly SeqEvent[]): { inFlight: number; waiting: number } {
  const done = new Set<string>();
  const there = new Set<string>();
  for (const e of events) {
    const key = `${e.from.key}/${e.serial[1]}`;
    if (e.type === 'receive' || e.type === 'dropped') done.add(key);
    else if (e.type === 'arrived') there.add(key);
  }
  let inFlight = 0;
  let waiting = 0;
  for (const e of events) {
    if (e.type !== 'send') continue;
    const key = `${e.from.key}/${e.serial[1]}`;
    if (done.has(key)) continue;
    if (there.has(key)) waiting++;
    else inFlight++;
  }
  return { inFlight, waiting };
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value > 0) return value;
  throw new TraceError('ERR_BAD_ARG', `seqTrace expects ${name} as a number of ms > 0. Got: ${String(value)}`);
}
