/**
 * @module term/list
 * Erlang's lists. In the playground an array is a tuple (`['ok', 1]` is `{:ok, 1}`), so
 * a list that comes from the BEAM needs a type of its own to go back as a list: `List`,
 * an Array (it indexes, iterates and spreads like one) that the wire encodes as a list.
 * An improper list (`[1 | 2]`) is a List with a `tail`.
 *
 * It prints as iex prints lists: `[1, 2, 3]`, `[1 | 2]`, and a list of printable ASCII
 * codes (a charlist) as `~c"abc"`, the way iex has since Elixir 1.15 (the older
 * `'abc'` would read, at this prompt, as the atom 'abc').
 */
import { inspect, type InspectOptionsStylized } from 'node:util';
import { escape } from './binary.ts';

/** An Erlang list: an Array that travels as a list, not as a tuple. */
export class List<T = unknown> extends Array<T> {
  /** The tail of an improper list (`[1 | 2]` has tail 2); absent on a proper list. */
  declare readonly tail?: unknown;

  /** map, filter, slice... give plain arrays: only what is built as a List is one. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * A list of the given items (`List.of(1, 2, 3)` is `[1, 2, 3]` in Elixir).
   *
   * @example
   * iex(bob)> List.of(1, 2, 3)
   * [1, 2, 3]
   * iex(bob)> List.of(104, 105)
   * ~c"hi"
   */
  static override of<T>(...items: T[]): List<T> {
    const list = new List<T>();
    for (const item of items) list.push(item);
    return list;
  }

  /** A list of the items of an iterable. */
  static override from<T>(items: Iterable<T> | ArrayLike<T>): List<T> {
    const list = new List<T>();
    for (const item of Array.from(items)) list.push(item);
    return list;
  }

  /**
   * An improper list: `items` ending in `tail` instead of `[]`.
   *
   * @example
   * iex(bob)> List.improper([1], 2)
   * [1 | 2]
   */
  static improper<T>(items: readonly T[], tail: unknown): List<T> {
    const list = List.of(...items);
    if (tail instanceof List && tail.tail === undefined) {
      list.push(...(tail as List<T>));
      return list;
    }
    if (tail instanceof List) return List.improper([...list, ...tail], tail.tail);
    Object.defineProperty(list, 'tail', { value: tail, enumerable: false });
    return list;
  }

  [inspect.custom](depth: number, options: InspectOptionsStylized, show: typeof inspect): string {
    if (this.tail === undefined && isCharlist(this)) {
      return options.stylize(`~c"${escape(String.fromCharCode(...(this as unknown as number[])))}"`, 'string');
    }
    if (depth < 0) return options.stylize('[List]', 'special');
    const inner = { ...options, depth: options.depth === null ? null : (options.depth ?? 2) - 1 };
    const items = Array.from(this, (x) => show(x, inner));
    if (this.tail !== undefined) items[items.length - 1] += ` | ${show(this.tail, inner)}`;
    const flat = `[${items.join(', ')}]`;
    if (flat.length <= (options.breakLength ?? 80) && !flat.includes('\n')) return flat;
    return `[\n${items.map((s) => '  ' + s.replace(/\n/g, '\n  ')).join(',\n')}\n]`;
  }
}

// Internals

/** iex's test for printing a list as a charlist: printable ASCII (and the usual escapes). */
function isCharlist(list: readonly unknown[]): boolean {
  if (list.length === 0) return false;
  for (const c of list) {
    if (typeof c !== 'number' || !Number.isInteger(c)) return false;
    if (!((c >= 32 && c <= 126) || (c >= 7 && c <= 13) || c === 27)) return false;
  }
  return true;
}
