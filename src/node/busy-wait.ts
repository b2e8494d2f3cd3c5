/**
 * @module node/busy-wait
 * After traffic on a connection, keep the event loop turning for a moment instead of
 * letting the thread sleep in the kernel. A reply usually comes back within tens of
 * microseconds, and on an idle machine a sleeping thread takes longer than that just to
 * wake up: measured here, a remote call's median went from about 150 µs to about 40 µs.
 * BEAM's schedulers busy-wait the same way before they sleep.
 *
 * Cost: at most `SPIN_MS` of one core after the last chunk read or written; nothing
 * while there is no traffic. The loop keeps running timers and I/O as usual meanwhile.
 */
const SPIN_MS = 2;

let until = 0;
let spinning = false;

/** Notes traffic: the event loop stays awake for the next `SPIN_MS`. */
export function stayAwake(): void {
  until = performance.now() + SPIN_MS;
  if (spinning) return;
  spinning = true;
  setImmediate(spin);
}

function spin(): void {
  if (performance.now() < until) setImmediate(spin);
  else spinning = false;
}
