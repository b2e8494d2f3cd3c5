/**
 * @module term
 * The values every layer shares: process identifiers (`Pid`), references (`Ref`),
 * structural pattern matching (`match`, `_`) and Elixir-flavoured printing.
 *
 * Terms follow one rule so that they cross the wire unchanged: atoms are strings,
 * tuples are arrays, maps are plain objects, and the only classes are `Pid` and `Ref`
 * (plus `Error`, which the codec carries as data). A pid is plain data — the node it
 * lives on, that node's incarnation (`creation`) and a number — so a pid that arrives
 * from another node compares equal to the one that was sent.
 *
 * Printing mirrors iex: `#PID<0.110.0>` for a local process, `#PID<12.110.0>` for one
 * on the 12th node this node has heard of, `#Reference<0.1.2.3>` for a reference.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';

/** A node name such as `'alice@vm'`; `'nonode@nohost'` when not distributed. */
export type NodeName = string;

export const NO_NODE: NodeName = 'nonode@nohost';

// Printing: which node is "0" in `#PID<0.110.0>`. One table per OS process: the node
// the REPL shows is the local one; every other node gets the next number on first sight.
const nodeNumbers = new Map<NodeName, number>();
/** The incarnation of each node as its pids were last printed, so `pid('12.98.0')` names that one. */
const printedCreations = new Map<NodeName, number>();
let localNode: NodeName = NO_NODE;

/** Makes `name` the node printed as `0` (the REPL's own node). */
export function setPrintedLocalNode(name: NodeName): void {
  localNode = name;
}

/**
 * The node printed as number `n` (0 is the local node) and the incarnation its pids were
 * last printed with; undefined when no pid of such a node has been printed.
 */
export function printedNode(n: number): { node: NodeName; creation: number | undefined } | undefined {
  if (n === 0) return { node: localNode, creation: printedCreations.get(localNode) };
  for (const [node, number] of nodeNumbers) if (number === n) return { node, creation: printedCreations.get(node) };
  return undefined;
}

function nodeNumber(name: NodeName): number {
  if (name === localNode) return 0;
  let n = nodeNumbers.get(name);
  if (n === undefined) nodeNumbers.set(name, (n = nodeNumbers.size + 1));
  return n;
}

/**
 * What Pid and Ref share: plain data naming something made on one incarnation
 * (`creation`) of one node, equal by value and printed the iex way.
 */
abstract class NodeLocal {
  constructor(
    readonly node: NodeName,
    readonly id: number,
    readonly creation: number = 0,
  ) {}

  /** True when `other` names the same thing (a pid equals only pids, a ref only refs). */
  equals(other: unknown): boolean {
    return (
      other instanceof NodeLocal &&
      other.constructor === this.constructor &&
      other.id === this.id &&
      other.node === this.node &&
      other.creation === this.creation
    );
  }

  /** A string that identifies it, for use as a Map key. */
  get key(): string {
    return `${this.node}/${this.creation}/${this.id}`;
  }

  abstract toString(): string;

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return options.stylize(this.toString(), 'special');
  }
}

/** A process identifier. Plain data: equal pids may be different objects. */
export class Pid extends NodeLocal {
  toString(): string {
    printedCreations.set(this.node, this.creation);
    return `#PID<${nodeNumber(this.node)}.${this.id}.0>`;
  }
}

/** A unique reference, as `make_ref()` gives in Erlang. */
export class Ref extends NodeLocal {
  #key: string | undefined;

  /** Kept once made: each monitor, demonitor and DOWN keys maps by it, and a new string costs a hash. */
  override get key(): string {
    return (this.#key ??= super.key);
  }

  toString(): string {
    const id = this.id;
    return `#Reference<${nodeNumber(this.node)}.${this.creation}.${Math.floor(id / 65536)}.${id % 65536}>`;
  }
}

/** The wildcard: matches any value. */
export const _: unique symbol = Symbol('_');
export type Wildcard = typeof _;

/**
 * A pattern: `_` matches anything, a function is a guard called with the value,
 * an array matches an array of the same length element by element, a plain object
 * matches an object that has at least its keys (each matched recursively), and
 * anything else matches by value (`Pid` and `Ref` compare by what they name).
 */
export type Pattern = unknown;

/**
 * Does `value` match `pattern`?
 *
 * @example
 * iex(bob)> match(['reply', _, 'ok'], ['reply', 7, 'ok'])
 * true
 * iex(bob)> match({ type: 'join' }, { type: 'join', who: 'ann' })
 * true
 * iex(bob)> match([n => n > 2], [1])
 * false
 */
export function match(pattern: Pattern, value: unknown): boolean {
  if (pattern === _) return true;
  if (typeof pattern === 'function') return Boolean(pattern(value));
  if (pattern === null || typeof pattern !== 'object') return Object.is(pattern, value);
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value) || value.length !== pattern.length) return false;
    for (let i = 0; i < pattern.length; i++) if (!match(pattern[i], value[i])) return false;
    return true;
  }
  if (pattern instanceof Pid || pattern instanceof Ref) return pattern.equals(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key of Object.keys(pattern)) {
    if (!(key in value)) return false;
    if (!match((pattern as Record<string, unknown>)[key], (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** Structural equality of two terms (arrays, plain objects, pids, refs, primitives). */
export function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Pid || a instanceof Ref) return a.equals(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!(k in b) || !equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * A stable string for a term, equal for equal terms: how groups and registry keys
 * that are arrays (`['hermes', 'PubSub']`) become Map keys.
 */
export function termKey(term: unknown): string {
  if (typeof term === 'string' && !term.startsWith('\u0000')) return term;
  return '\u0000' + JSON.stringify(term, function keyOf(this: unknown, _k, v: unknown) {
    if (v instanceof Pid) return `#PID:${v.key}`;
    if (v instanceof Ref) return `#Ref:${v.key}`;
    if (typeof v === 'bigint') return `#n:${v}`;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** Prints a term the way the REPL does (pids as `#PID<0.110.0>`). */
export function format(term: unknown, colors = false): string {
  return inspect(term, { colors, depth: 6, breakLength: 100 });
}
