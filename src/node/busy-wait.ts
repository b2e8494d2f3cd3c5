/**
 * @module node/busy-wait
 * After traffic on a connection, keep the event loop turning for a moment instead of
 * letting the thread sleep in the kernel. A reply usually comes back within tens of
 * microseconds, and on an idle machine a sleeping thread takes longer than that just to
 * wake up: measured here, a remote call's median went from about 150 µs to about 40 µs.
 * BEAM's schedulers busy-wait the same way before they sleep, and as they do, this one
 * stops when the core is wanted elsewhere: a turn of the loop that took longer than
 * `CONTENDED_MS` means the process was put aside for another, and spinning then only
 * takes CPU from the processes it waits for (fifty nodes on two cores formed their mesh
 * in 7 to 47 s spinning, 4 to 5 s not). It spins again `REST_MS` later.
 *
 * Cost: at most `SPIN_MS` of one core after the last chunk read or written; nothing
 * while there is no traffic, or while the machine is busy. The loop keeps running timers
 * and I/O as usual meanwhile.
 */
const SPIN_MS = 2;
const CONTENDED_MS = 1;
const REST_MS = 1000;

let until = 0;
let spinning = false;
let lastTurn = 0;
let restUntil = 0;

/** Notes traffic: the event loop stays awake for the next `SPIN_MS`, unless the machine is busy. */
export function stayAwake(): void {
  const now = performance.now();
  until = now + SPIN_MS;
  if (spinning || now < restUntil) return;
  spinning = true;
  lastTurn = now;
  setImmediate(spin);
}

function spin(): void {
  const now = performance.now();
  if (now - lastTurn > CONTENDED_MS) {
    spinning = false;
    restUntil = now + REST_MS;
    return;
  }
  lastTurn = now;
  if (now < until) setImmediate(spin);
  else spinning = false;
}
