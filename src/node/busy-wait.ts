/**
 * @module node/busy-wait
 * After traffic on a connection, keep the event loop turning for a moment instead of
 * letting the thread sleep in the kernel. A reply usually comes back within tens of
 * microseconds, and on an idle machine a sleeping thread takes longer than that just to
 * wake up: measured here, a remote call's median went from about 150 µs to about 40 µs.
 * BEAM's schedulers busy-wait the same way before they sleep, and as they do, this one
 * stops when the core is wanted elsewhere: spinning then only takes CPU from the
 * processes it waits for (fifty nodes on two cores formed their mesh in 7 to 47 s
 * spinning, 4 to 5 s not). It rests, then spins again: the rest starts at
 * `MIN_REST_MS` and doubles with each contention in a row, up to `MAX_REST_MS`, and
 * halves again with each spin that ran its course. On two cores, two nodes spinning
 * in a call take both, so any third thread that wakes (a collector's helper, another
 * program) preempts one of them now and then: with a fixed rest of a second, one such
 * preemption made the rest of a run of remote calls sleep between replies (median 35
 * to 70 µs). A machine that stays busy still quiets the spinning within about a second.
 *
 * A turn of the loop that took longer than `CONTENDED_MS` is the sign to look at. It
 * means contention only if the thread spent that time waiting for a core, which the
 * kernel's scheduler statistics say (`/proc/thread-self/schedstat`, read in about 1 µs,
 * and only after such a turn). A long turn of our own work, a garbage collection say,
 * is no reason to stop: taken for one, a single scavenge in a run of remote calls made
 * the rest of the run sleep between replies and doubled its median (35 to 70 µs).
 * Where the kernel keeps no such statistics, every long turn counts as contention.
 *
 * Cost: at most `SPIN_MS` of one core after the last chunk read or written; nothing
 * while there is no traffic, or while the machine is busy. The loop keeps running timers
 * and I/O as usual meanwhile.
 */
import { openSync, readSync } from 'node:fs';

const SPIN_MS = 2;
const CONTENDED_MS = 1;
const MIN_REST_MS = 20;
const MAX_REST_MS = 1000;

let until = 0;
let spinning = false;
let lastTurn = 0;
let restUntil = 0;
let restMs = MIN_REST_MS;
/** What `waitedMs` said when this spin began or at its last long turn. */
let waitMark = 0;

/** Notes traffic: the event loop stays awake for the next `SPIN_MS`, unless the machine is busy. */
export function stayAwake(): void {
  const now = performance.now();
  until = now + SPIN_MS;
  if (spinning || now < restUntil) return;
  spinning = true;
  lastTurn = now;
  waitMark = waitedMs();
  setImmediate(spin);
}

function spin(): void {
  const now = performance.now();
  if (now - lastTurn > CONTENDED_MS) {
    const waited = waitedMs();
    if (Number.isNaN(waited) || waited - waitMark > CONTENDED_MS / 2) {
      spinning = false;
      restUntil = now + restMs;
      restMs = Math.min(restMs * 2, MAX_REST_MS);
      return;
    }
    waitMark = waited;
  }
  lastTurn = now;
  if (now < until) {
    setImmediate(spin);
  } else {
    spinning = false;
    restMs = Math.max(restMs / 2, MIN_REST_MS);
  }
}

/** The schedstat file of the thread that loaded this module (the main thread), or -1. */
const schedstat = openSchedstat();
const line = Buffer.alloc(96);

/** How long this thread has waited for a core since it started (ms); NaN where unknown. */
function waitedMs(): number {
  if (schedstat < 0) return NaN;
  try {
    // "<ns on a core> <ns waiting for one> <time slices>"
    const fields = /^\d+ (\d+) /.exec(line.toString('latin1', 0, readSync(schedstat, line, 0, line.length, 0)));
    return fields === null ? NaN : Number(fields[1]) / 1e6;
  } catch {
    return NaN;
  }
}

function openSchedstat(): number {
  try {
    return openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return -1;
  }
}
