/**
 * @module term
 * The values every layer shares: process identifiers (`Pid`), references (`Ref`),
 * structural pattern matching (`match`, `_`) and Elixir-flavoured printing.
 *
 * Terms follow one rule so that they cross the wire unchanged: atoms are strings,
 * tuples are arrays, maps are plain objects, and the only classes are `Pid` and `Ref`
 * (plus `Error`, which the codec carries as data), and the three Erlang types that
 * JavaScript has no twin for, which only values from a BEAM node need: `Binary` (text
 * and bytes), `List` (a list, not a tuple) and `Opaque` (funs and ports). A pid is
 * plain data — the node it lives on, that node's incarnation (`creation`) and a number
 * — so a pid that arrives from another node compares equal to the one that was sent.
 *
 * Printing mirrors iex: `#PID<0.110.0>` for a local process, `#PID<12.110.0>` for one
 * on the 12th node this node has heard of, `#Reference<0.1.2.3>` for a reference.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';
import { Binary } from './term/binary.ts';
import { List } from './term/list.ts';
import { Opaque } from './term/opaque.ts';
import { restoreFastLayout } from './term/fast.ts';

export { Binary, List, Opaque };
export type { OpaqueKind } from './term/opaque.ts';

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

/**
 * The number a node gets in printed pids (`12` in `#PID<12.110.0>`): 0 for the local node,
 * then 1, 2... in the order other nodes are first seen.
 */
export function printedNodeNumber(name: NodeName): number {
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
  constructor(
    node: NodeName,
    id: number,
    creation = 0,
    /** The BEAM's second pid number (`0.110.1`); always 0 for the playground's own pids. */
    readonly serial: number = 0,
  ) {
    super(node, id, creation);
  }

  override equals(other: unknown): boolean {
    return super.equals(other) && (other as Pid).serial === this.serial;
  }

  override get key(): string {
    return this.serial === 0 ? super.key : `${super.key}.${this.serial}`;
  }

  toString(): string {
    printedCreations.set(this.node, this.creation);
    return `#PID<${printedNodeNumber(this.node)}.${this.id}.${this.serial}>`;
  }
}

/** A unique reference, as `make_ref()` gives in Erlang. */
export class Ref extends NodeLocal {
  #key: string | undefined;

  constructor(
    node: NodeName,
    id: number,
    creation = 0,
    /**
     * The ID words after the first, for a reference made on the BEAM whose words do not
     * fit `id` alone (its own are three to five 32-bit words); absent for the playground's.
     */
    readonly words?: readonly number[],
  ) {
    super(node, id, creation);
  }

  override equals(other: unknown): boolean {
    if (!super.equals(other)) return false;
    const a = this.words;
    const b = (other as Ref).words;
    if (a === undefined || b === undefined) return a === b;
    return a.length === b.length && a.every((w, i) => w === b[i]);
  }

  /** Kept once made: each monitor, demonitor and DOWN keys maps by it, and a new string costs a hash. */
  override get key(): string {
    return (this.#key ??= this.words === undefined ? super.key : `${super.key}.${this.words.join('.')}`);
  }

  toString(): string {
    const id = this.id;
    const n = printedNodeNumber(this.node);
    if (this.words !== undefined) return `#Reference<${n}.${[...this.words].reverse().join('.')}.${id}>`;
    return `#Reference<${n}.${this.creation}.${Math.floor(id / 65536)}.${id % 65536}>`;
  }
}

restoreFastLayout(NodeLocal, Pid, Ref, Binary, List, Opaque);

/**
 * True for `[name, node]`: the process registered as `name` on `node`, Erlang's
 * `{Name, Node}`, which send, monitor and GenServer.call accept wherever a pid goes.
 *
 * @example
 * isNameAtNode(['shell', 'alice@vm']) //=> true
 */
export function isNameAtNode(value: unknown): value is [string, NodeName] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

/** The wildcard: matches any value. */
export const _: unique symbol = Symbol('_');

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
  if (isValueClass(pattern)) return pattern.equals(value);
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
  if (isValueClass(a)) return a.equals(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    // A List is not a tuple, however alike their items: [1, 2] is not {1, 2}.
    if (!Array.isArray(b) || a.length !== b.length || a instanceof List !== b instanceof List) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return !(a instanceof List) || equal(a.tail, (b as List).tail);
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Map || b instanceof Map) return a instanceof Map && b instanceof Map && sameEntries(a, b);
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
    if (v instanceof Binary) return `#Bin:${v.key}`;
    if (v instanceof Opaque) return `#Opaque:${v.key}`;
    if (v instanceof List) return { '#List': [...v], tail: v.tail };
    if (v instanceof Map) return { '#Map': [...v].map(([k, x]) => [termKey(k), x]).sort((p, q) => (p[0] < q[0] ? -1 : 1)) };
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

/**
 * A term printed on one short line, for error messages and crash reports.
 *
 * @example
 * short({ user: { id: 1, tags: ['a', 'b'] } }) //=> "{ user: { id: 1, tags: [ 'a', 'b' ] } }"
 */
export function short(term: unknown): string {
  const text = inspect(term, { depth: 3, maxArrayLength: 10, maxStringLength: 120, breakLength: Infinity });
  return text.length > 300 ? text.slice(0, 297) + '...' : text;
}

/**
 * How messages name a callback module (an object, a class or a class instance): its
 * class or function name, else its `name` field, else `'module'`.
 *
 * @example
 * moduleName({ name: 'Stack', init: () => ['ok', []] }) //=> 'Stack'
 * moduleName(class Stack {}) //=> 'Stack'
 */
export function moduleName(mod: unknown): string {
  if (typeof mod === 'function' && mod.name) return mod.name;
  if (typeof mod !== 'object' || mod === null) return short(mod);
  const ctor = (mod as object).constructor;
  if (typeof ctor === 'function' && ctor !== Object && ctor.name) return ctor.name;
  const name = (mod as { name?: unknown }).name;
  return typeof name === 'string' ? name : 'module';
}

// Internals

/** The classes that compare by what they hold, not by identity. */
function isValueClass(x: unknown): x is Pid | Ref | Binary | Opaque {
  return x instanceof NodeLocal || x instanceof Binary || x instanceof Opaque;
}

/** Equal maps: the same size, and each key of `a` in `b` (by value) with an equal value. */
function sameEntries(a: Map<unknown, unknown>, b: Map<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  const byKey = new Map<string, unknown>();
  for (const [k, v] of b) byKey.set(termKey(k), v);
  for (const [k, v] of a) {
    const key = termKey(k);
    if (!byKey.has(key) || !equal(v, byKey.get(key))) return false;
  }
  return true;
}
