/**
 * @module registry
 * Elixir's Registry: a local key-value store of processes. A process registers itself
 * under a key with a value; others look the key up, or dispatch to every process under
 * it. With `keys: 'unique'` a key has at most one process; with `keys: 'duplicate'` any
 * number (the base of a local PubSub: a topic is a key, its subscribers the entries).
 *
 * How it works, as in Elixir (where the table is ETS and the registry a process):
 * - Reads are fast: `lookup`, `dispatch`, `keys`, `values` and `count` read this node's
 *   table directly, in the caller, without a message.
 * - Writes are ordered: `register` and `unregister` change the table in the caller,
 *   at once (JavaScript runs one thing at a time, so nothing can interleave, as
 *   `ets:insert_new` is atomic); the registry process owns one monitor per registered
 *   process, and removes all of its entries when it exits.
 * - Between a process's exit and the registry handling its DOWN, lookups may still
 *   show it (Elixir's registry has the same window); a unique key held by a dead
 *   process can be taken at once.
 * - Stopping the registry drops its table; calls on it then fail with
 *   ERR_UNKNOWN_REGISTRY.
 *
 * Keys and values are any terms; keys compare by value (`['room', 1]` is one key).
 *
 * @example
 * iex(bob)> await Registry.start({ keys: 'unique', name: 'names' })
 * iex(bob)> Registry.register('names', 'bob', { role: 'admin' })
 * 'ok'
 * iex(bob)> Registry.lookup('names', 'bob')
 * [ [ #PID<0.100.0>, { role: 'admin' } ] ]
 */
import { Pid, short, termKey, type Ref } from './term.ts';
import { currentProcess, currentRuntime, type Process, type Runtime } from './process/index.ts';
import * as GenServer from './genserver.ts';
import { CodedError } from './errors.ts';
import { unknownKey } from './keys.ts';

export type Keys = 'unique' | 'duplicate';

export interface RegistryOptions {
  keys: Keys;
  /** The registry's name: how every function finds it, and the registry process's registered name. */
  name: string;
}

/** One registration: the process and its value. */
export type Entry = [Pid, unknown];

/** `reason`, for ERR_ALREADY_REGISTERED: `['already_registered', pid]`. */
export class RegistryError extends CodedError<'ERR_UNKNOWN_REGISTRY' | 'ERR_ALREADY_REGISTERED' | 'ERR_NO_PROCESS' | 'ERR_BAD_ARG'> {}

/** One registry's table (this node's only). */
class Table {
  /** Entries per key (by `termKey`), in registration order; a key without entries is absent. */
  byKey = new Map<string, Entry[]>();
  /** Each registered process (by pid key): the registry's monitor on it and its keys, with repeats. */
  owners = new Map<string, { ref: Ref; keys: Array<[string, unknown]> }>();
  /** Number of entries. */
  size = 0;

  constructor(
    readonly keys: Keys,
    readonly name: string,
    /** The registry process: it holds the monitors and gets their DOWNs. */
    readonly proc: Process,
  ) {}
}

/** Tables per runtime, by registry name (a runtime is a node; tests run several in one OS process). */
const tables = new WeakMap<Runtime, Map<string, Table>>();

// Client API

/**
 * Starts a registry named `name`; resolves with its process's pid.
 *
 * @example
 * iex(bob)> await Registry.start({ keys: 'duplicate', name: 'topics' })
 * #PID<0.120.0>
 */
export async function start(opts: RegistryOptions): Promise<Pid> {
  const checked = checkOptions(opts);
  return GenServer.start(RegistryServer, checked, { name: checked.name });
}

/**
 * Like `start`, linked to the caller (for a supervisor's child spec).
 *
 * @example
 * iex(bob)> await Supervisor.start([{ id: 'reg', start: () => Registry.startLink({ keys: 'unique', name: 'rooms' }) }], { strategy: 'one_for_one' })
 * iex(bob)> Registry.whereis('rooms')
 * #PID<0.131.0>
 */
export async function startLink(opts: RegistryOptions): Promise<Pid> {
  const checked = checkOptions(opts);
  return GenServer.startLink(RegistryServer, checked, { name: checked.name });
}

/**
 * Registers the calling process under `key` with `value`. In a unique registry a key
 * held by a live process throws ERR_ALREADY_REGISTERED (`err.reason` is
 * `['already_registered', pid]`); in a duplicate one a process may register a key
 * several times.
 *
 * @example
 * iex(bob)> Registry.register('topics', 'news', null)
 * 'ok'
 */
export function register(registry: string, key: unknown, value: unknown): 'ok' {
  const t = table(registry);
  const owner = caller('register');
  const k = termKey(key);
  const held = t.keys === 'unique' ? t.byKey.get(k) : undefined;
  if (held !== undefined) {
    const holder = held[0]![0];
    if (t.proc.rt.local(holder)) {
      throw new RegistryError('ERR_ALREADY_REGISTERED', `${short(key)} is already registered in ${short(registry)} by ${holder}`, ['already_registered', holder]);
    }
    remove(t, holder, k); // its owner is gone; its DOWN is not handled yet
  }
  const entries = t.byKey.get(k);
  if (entries) entries.push([owner.pid, value]);
  else t.byKey.set(k, [[owner.pid, value]]);
  t.size++;
  let o = t.owners.get(owner.pid.key);
  if (o === undefined) t.owners.set(owner.pid.key, (o = { ref: t.proc.rt.monitor(t.proc, owner.pid), keys: [] }));
  o.keys.push([k, key]);
  return 'ok';
}

/**
 * Removes every registration of the calling process under `key`; gives 'ok' also when
 * there was none.
 *
 * @example
 * iex(bob)> Registry.register('topics', 'weather', null)
 * 'ok'
 * iex(bob)> Registry.unregister('topics', 'weather')
 * 'ok'
 * iex(bob)> Registry.lookup('topics', 'weather')
 * []
 */
export function unregister(registry: string, key: unknown): 'ok' {
  remove(table(registry), caller('unregister').pid, termKey(key));
  return 'ok';
}

/**
 * The `[pid, value]` entries under `key`, in registration order.
 *
 * @example
 * iex(bob)> Registry.lookup('topics', 'news')
 * [ [ #PID<0.100.0>, null ] ]
 */
export function lookup(registry: string, key: unknown): Entry[] {
  return table(registry).byKey.get(termKey(key))?.slice() ?? [];
}

/**
 * Calls `fn` with the `[pid, value]` entries under `key`, in the caller; not at all when
 * there are none. Gives 'ok'.
 *
 * @example
 * iex(bob)> Registry.dispatch('topics', 'news', (entries) => entries.forEach(([pid]) => send(pid, 'extra!')))
 * 'ok'
 */
export function dispatch(registry: string, key: unknown, fn: (entries: Entry[]) => void): 'ok' {
  if (typeof fn !== 'function') throw new RegistryError('ERR_BAD_ARG', `dispatch expects a function of the entries. Got: ${short(fn)}`);
  const entries = lookup(registry, key);
  if (entries.length > 0) fn(entries);
  return 'ok';
}

/**
 * The keys `pid` is registered under (a key registered twice is listed twice).
 *
 * @example
 * iex(bob)> Registry.keys('names', self())
 * [ 'bob' ]
 */
export function keys(registry: string, pid: Pid): unknown[] {
  checkPid(pid, 'keys');
  return table(registry).owners.get(pid.key)?.keys.map(([, key]) => key) ?? [];
}

/**
 * The values `pid` registered under `key`.
 *
 * @example
 * iex(bob)> Registry.values('names', 'bob', self())
 * [ { role: 'admin' } ]
 */
export function values(registry: string, key: unknown, pid: Pid): unknown[] {
  checkPid(pid, 'values');
  return lookup(registry, key).filter(([p]) => p.equals(pid)).map(([, value]) => value);
}

/**
 * The number of entries in the registry.
 *
 * @example
 * iex(bob)> Registry.count('names')
 * 1
 */
export function count(registry: string): number {
  return table(registry).size;
}

/**
 * Every entry as `[key, pid, value]`, key by key in the order keys were first
 * registered: Elixir's `Registry.select` with the spec that matches everything.
 *
 * @example
 * iex(bob)> Registry.select('names')
 * [ [ 'bob', #PID<0.100.0>, { role: 'admin' } ] ]
 */
export function select(registry: string): Array<[unknown, Pid, unknown]> {
  const t = table(registry);
  const out: Array<[unknown, Pid, unknown]> = [];
  for (const [k, entries] of t.byKey) {
    const key = t.owners.get(entries[0]![0].key)?.keys.find(([held]) => held === k)?.[1];
    for (const [pid, value] of entries) out.push([key, pid, value]);
  }
  return out;
}

/**
 * The pid of the registry process named `registry`, or undefined when none runs.
 *
 * @example
 * iex(bob)> Registry.whereis('names')
 * #PID<0.118.0>
 */
export function whereis(registry: string): Pid | undefined {
  return findTable(registry)?.proc.pid;
}

// Callbacks

const RegistryServer: GenServer.GenServerModule<Table> & { name: string } = {
  name: 'Registry',

  init({ keys, name }: RegistryOptions) {
    const proc = currentProcess()!;
    const t = new Table(keys, name, proc);
    let named = tables.get(proc.rt);
    if (named === undefined) tables.set(proc.rt, (named = new Map()));
    named.set(name, t);
    return ['ok', t];
  },

  handleInfo(msg: unknown[], t) {
    if (msg[0] === 'DOWN' && msg.length === 5 && msg[3] instanceof Pid) {
      const o = t.owners.get(msg[3].key);
      if (o !== undefined && o.ref.equals(msg[1])) for (const [k] of [...o.keys]) remove(t, msg[3], k);
    }
    return ['noreply', t];
  },

  terminate(_reason, t) {
    const named = tables.get(t.proc.rt);
    if (named?.get(t.name) === t) named.delete(t.name);
  },
};

// Internals

/** Removes `pid`'s entries under key `k`, and its monitor once it has no keys left. */
function remove(t: Table, pid: Pid, k: string): void {
  const entries = t.byKey.get(k);
  if (entries !== undefined) {
    const kept = entries.filter(([p]) => !p.equals(pid));
    t.size -= entries.length - kept.length;
    if (kept.length > 0) t.byKey.set(k, kept);
    else t.byKey.delete(k);
  }
  const o = t.owners.get(pid.key);
  if (o === undefined) return;
  o.keys = o.keys.filter(([key]) => key !== k);
  if (o.keys.length > 0) return;
  t.owners.delete(pid.key);
  t.proc.rt.demonitor(t.proc, o.ref, true);
}

function findTable(registry: string): Table | undefined {
  const named = tables.get(currentRuntime());
  const t = named?.get(registry);
  if (t === undefined || t.proc.alive) return t;
  named!.delete(registry); // the registry process was killed: its terminate never ran
  return undefined;
}

function table(registry: string): Table {
  if (typeof registry !== 'string') throw new RegistryError('ERR_BAD_ARG', `a registry is named by a string. Got: ${short(registry)}`);
  const t = findTable(registry);
  if (t !== undefined) return t;
  throw new RegistryError(
    'ERR_UNKNOWN_REGISTRY',
    `unknown registry: ${short(registry)}; start it first, e.g. Registry.start({ keys: 'unique', name: ${short(registry)} })`,
  );
}

function caller(what: string): Process {
  const p = currentProcess();
  if (p !== null) return p;
  throw new RegistryError('ERR_NO_PROCESS', `Registry.${what} acts for the calling process: call it inside a process`);
}

function checkOptions(opts: RegistryOptions): RegistryOptions {
  const expected = "expected { keys: 'unique' | 'duplicate', name: non-empty string }";
  const unknown = typeof opts === 'object' && opts !== null ? unknownKey(opts, ['keys', 'name']) : undefined;
  if (unknown) throw new RegistryError('ERR_BAD_ARG', `${expected}: ${unknown}`);
  if (typeof opts === 'object' && opts !== null && (opts.keys === 'unique' || opts.keys === 'duplicate') && typeof opts.name === 'string' && opts.name !== '') {
    return { keys: opts.keys, name: opts.name };
  }
  throw new RegistryError('ERR_BAD_ARG', `${expected}. Got: ${short(opts)}`);
}

function checkPid(pid: unknown, what: string): void {
  if (!(pid instanceof Pid)) throw new RegistryError('ERR_BAD_ARG', `Registry.${what} expects a pid. Got: ${short(pid)}`);
}
