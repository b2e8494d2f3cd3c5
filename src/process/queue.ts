/**
 * @module process/queue
 * The messages waiting in one mailbox: a first-in first-out queue that selective
 * receive can also take from the middle.
 *
 * Layout. A chain of segments, each an array of slots twice the size of the one before
 * it, up to SEGMENT_MAX: a queue of two messages costs a few words, a backlog of a
 * million never copies a slot or allocates an array larger than a page (a single
 * growing array cost 18 ns a message there, in copies, page faults and large-object
 * collections; segments cost 3).
 *
 * Invariants:
 * - Slots from (`head`, `hi`) up to (`tail`, `ti`) hold the messages in arrival order,
 *   and HOLEs where a message was taken from the middle; every other slot is empty.
 * - The head slot is never a HOLE: taking the head also steps over the holes behind it.
 * - Holes are at most half the slots, and at most COMPACT_AT of them otherwise: past
 *   that the live messages move to a fresh chain, so a process that keeps taking from
 *   the middle behind one old message does not grow without bound.
 * - `count` is the number of messages. The mailbox drops a queue that reaches zero, so
 *   an emptied queue is left as it is.
 */

/** A taken slot in the middle; module-private, so no message can be it. */
const HOLE = Symbol('hole');

const SEGMENT_MIN = 8;
const SEGMENT_MAX = 1024;
const COMPACT_AT = 64;

class Segment {
  readonly slots: unknown[];
  next: Segment | null = null;

  constructor(size: number) {
    this.slots = new Array(size);
  }
}

/**
 * The messages waiting in one mailbox, made with its first message.
 *
 * @example
 * const q = new Queue('a'); q.add('b'); q.add('c')
 * q.find((wanted, msg) => msg === wanted, 'b') && q.takeFound() //=> 'b'
 * q.shift() //=> 'a'
 * q.toArray() //=> [ 'c' ]
 */
export class Queue {
  private head: Segment;
  private hi = 0;
  private tail: Segment;
  private ti = 0;
  /** Where the last successful `find` stopped. */
  private at: Segment;
  private ai = 0;
  count = 0;
  private holes = 0;

  constructor(first: unknown) {
    this.head = this.tail = this.at = new Segment(SEGMENT_MIN);
    this.add(first);
  }

  add(msg: unknown): void {
    let t = this.tail;
    if (this.ti === t.slots.length) {
      t = t.next = new Segment(Math.min(t.slots.length * 2, SEGMENT_MAX));
      this.tail = t;
      this.ti = 0;
    }
    t.slots[this.ti++] = msg;
    this.count++;
  }

  /** Takes the oldest message (the queue must not be empty). */
  shift(): unknown {
    const msg = this.head.slots[this.hi];
    // An emptied queue is dropped whole: no need to clear its slots.
    if (--this.count > 0) this.advance();
    return msg;
  }

  /**
   * Finds the oldest message that `test(arg, msg)` accepts and marks it for `takeFound`,
   * which must come next. (`arg` rather than a closure: a receive allocates nothing.)
   */
  find<A>(test: (arg: A, msg: unknown) => boolean, arg: A): boolean {
    for (let s: Segment | null = this.head, i = this.hi; s !== null; s = s.next, i = 0) {
      const slots = s.slots;
      const end = s === this.tail ? this.ti : slots.length;
      for (; i < end; i++) {
        const msg = slots[i];
        if (msg !== HOLE && test(arg, msg)) {
          this.at = s;
          this.ai = i;
          return true;
        }
      }
    }
    return false;
  }

  /** Takes the message the last `find` found. */
  takeFound(): unknown {
    const s = this.at;
    const i = this.ai;
    this.at = this.head;
    if (s === this.head && i === this.hi) return this.shift();
    const msg = s.slots[i];
    s.slots[i] = HOLE;
    this.count--;
    if (++this.holes > COMPACT_AT && this.holes > this.count) this.compact();
    return msg;
  }

  /** The messages, oldest first. */
  toArray(): unknown[] {
    const out = new Array<unknown>(this.count);
    let n = 0;
    for (let s: Segment | null = this.head, i = this.hi; s !== null; s = s.next, i = 0) {
      const end = s === this.tail ? this.ti : s.slots.length;
      for (; i < end; i++) if (s.slots[i] !== HOLE) out[n++] = s.slots[i];
    }
    return out;
  }

  // Internals

  /** Clears the head slot and moves the head to the next message, over any holes. */
  private advance(): void {
    for (;;) {
      this.head.slots[this.hi++] = undefined;
      if (this.hi === this.head.slots.length && this.head !== this.tail) {
        this.head = this.head.next!;
        this.hi = 0;
      }
      if (this.head.slots[this.hi] !== HOLE) return;
      this.holes--;
    }
  }

  private compact(): void {
    const live = this.toArray();
    this.head = this.tail = this.at = new Segment(Math.max(SEGMENT_MIN, Math.min(live.length, SEGMENT_MAX)));
    this.hi = this.ti = this.ai = 0;
    this.count = this.holes = 0;
    for (const msg of live) this.add(msg);
  }
}
