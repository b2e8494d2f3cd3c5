/**
 * @module share
 * Sharing a definition typed at one prompt with every node, like Erlang's `nl/1`
 * loading a module on all nodes: `share({ Stack })` sends `Stack` (an object of
 * functions, a class, a function) to every connected node and to every node that
 * connects later, where it becomes a name at the prompt and in code sent there, so
 * `GenServer.start(Stack, [])` works on bob without retyping it.
 *
 * What travels is source: a function's or a class's text, and for an object each
 * method's text beside its other values (plain terms). A definition may use the
 * prompt's helpers and other shared names, nothing else of the sending side.
 *
 * Protocol: a code server runs on every node, registered as `code_server`. It sends
 * `['load', defs]` with every definition it knows to a node on its nodeup; `share`
 * sends `['load', defs, from, ref]` with the new ones to every node, and each answers
 * `['loaded', ref, node]` once they are in place, so that after `share` they are. A definition is `[name, kind, body, origin, stamp]`:
 * `kind` 'source' (body: a function or class source) or 'object' (body:
 * `[[key, source], ...]` for methods and `[[key, value], ...]` for the rest). The
 * newest stamp of a name wins, so sharing again replaces it everywhere.
 *
 * @example
 * iex(alice)> const Stack = { init: (items) => ['ok', items], handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest] }
 * iex(alice)> await share({ Stack })
 * [ 'Stack' ]
 * iex(bob)> await GenServer.start(Stack, ['hello'], { name: 'stack' })
 * #PID<0.125.0>
 */
import { TIMEOUT, currentRuntime, inProcess, makeRef, receive, self, send, type Runtime } from './process/index.ts';
import { monitorNodes, playgroundNodes } from './node/index.ts';
import { CodeError, checkTravel, compile, provide } from './code.ts';
import { Pid, _, type NodeName } from './term.ts';

export const CODE_SERVER = 'code_server';

type Def = [name: string, kind: 'source' | 'object', body: unknown, origin: NodeName, stamp: number];

const defsOf = new WeakMap<Runtime, Map<string, Def>>();

// Client API

/**
 * Shares each value of `defs` under its key with every node, now and later:
 * `share({ Stack, Counter })`. A class or a named function may be given alone:
 * `share(Stack)`. Resolves with the names shared, once every connected node has them
 * (a node that does not answer within `LOAD_TIMEOUT` ms gets them all the same).
 */
export async function share(defs: unknown): Promise<string[]> {
  const entries = namedValues(defs);
  const rt = currentRuntime();
  const names = entries.map(([n]) => n);
  const stamp = Date.now();
  const out: Def[] = entries.map(([name, value]) => define(name, value, rt.node, stamp, names));
  const table = tableOf(rt);
  for (const d of out) install(rt, table, d, false);
  await inProcess(async () => {
    const ref = makeRef();
    const waiting = new Set(playgroundNodes());
    for (const n of waiting) send([CODE_SERVER, n], ['load', out, self(), ref]);
    const deadline = Date.now() + LOAD_TIMEOUT;
    while (waiting.size > 0) {
      const msg = await receive(['loaded', ref, _], { after: Math.max(0, deadline - Date.now()) });
      if (msg === TIMEOUT) break;
      waiting.delete(msg[2]);
    }
  });
  return names;
}

/** How long `share` waits for the nodes to confirm. */
export const LOAD_TIMEOUT = 2000;

/** The names shared with this node, and where each came from. */
export function shared(): Array<[string, NodeName]> {
  return [...tableOf(currentRuntime()).values()].map(([name, , , origin]) => [name, origin]);
}

/** The code server's body; every node starts one at boot (see `dist-services.ts`). */
export async function codeServer(): Promise<void> {
  const rt = currentRuntime();
  const table = tableOf(rt);
  monitorNodes(true);
  for (;;) {
    const msg = (await receive()) as unknown[];
    // A BEAM node's code_server is Erlang's own: only playground nodes get definitions.
    if (msg[0] === 'nodeup' && table.size > 0 && playgroundNodes().includes(msg[1] as NodeName)) {
      send([CODE_SERVER, msg[1] as NodeName], ['load', [...table.values()]]);
    }
    if (msg[0] === 'load' && Array.isArray(msg[1])) {
      for (const d of msg[1] as Def[]) {
        try {
          install(rt, table, d, true);
        } catch (err) {
          rt.log('error', `could not load ${String(d[0])} shared by ${String(d[3])}: ${(err as Error).message}`);
        }
      }
      if (msg[2] instanceof Pid) send(msg[2], ['loaded', msg[3], rt.node]);
    }
  }
}

// Internals

function namedValues(defs: unknown): Array<[string, unknown]> {
  if (typeof defs === 'function' && defs.name) return [[defs.name, defs]];
  if (defs !== null && typeof defs === 'object' && !Array.isArray(defs) && Object.getPrototypeOf(defs) === Object.prototype) {
    const named = (defs as { name?: unknown }).name;
    const entries = Object.entries(defs);
    // A GenServer module with a name property is shared under that name.
    if (typeof named === 'string' && typeof (defs as { init?: unknown }).init === 'function') return [[named, defs]];
    if (entries.length > 0 && entries.every(([k]) => /^[A-Za-z_$][\w$]*$/.test(k))) return entries;
  }
  throw new CodeError(
    'ERR_BAD_NAME',
    'share needs names: share({ Stack }) shares the value of Stack under the name Stack (a class or a named function may be given alone)',
  );
}

function define(name: string, value: unknown, origin: NodeName, stamp: number, also: string[]): Def {
  if (typeof value === 'function') return [name, 'source', checkTravel(value, `share ${name}`, also), origin, stamp];
  if (value === null || typeof value !== 'object') {
    throw new CodeError('ERR_NOT_A_FUNCTION', `share ${name}: expected an object, a class or a function. Got: ${String(value)}`);
  }
  const methods: Array<[string, string]> = [];
  const values: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'function') methods.push([key, checkTravel(v, `share ${name}.${key}`, also)]);
    else values.push([key, v]);
  }
  return [name, 'object', [methods, values], origin, stamp];
}

function install(rt: Runtime, table: Map<string, Def>, d: Def, announce: boolean): void {
  const [name, kind, body, origin, stamp] = d;
  const old = table.get(name);
  if (old && (old[4] > stamp || (old[4] === stamp && old[3] >= origin))) return;
  const value = kind === 'source' ? compile(body as string) : build(body as [Array<[string, string]>, Array<[string, unknown]>]);
  table.set(name, d);
  provide({ [name]: value });
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  if (announce) rt.log('info', `${name} shared by ${origin}: usable here as ${name}`);
}

function build([methods, values]: [Array<[string, string]>, Array<[string, unknown]>]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const [key, source] of methods) obj[key] = compile(source);
  for (const [key, v] of values) obj[key] = v;
  return obj;
}

function tableOf(rt: Runtime): Map<string, Def> {
  let t = defsOf.get(rt);
  if (!t) defsOf.set(rt, (t = new Map()));
  return t;
}
