/**
 * @module code
 * Code that travels between nodes: a function typed at one prompt runs on another node
 * (`spawn('bob@vm', fn)`, `rpc.call`) and a definition is shared with every node
 * (`share`). What travels is the function's source; the receiving node compiles it in
 * its own scope, where the prompt's helpers (`self`, `send`, `receive`, `GenServer`...)
 * and every shared definition are in scope, as a module loaded on every node would be.
 *
 * A function that uses a variable of the sending side (a `const` typed at the prompt,
 * a parameter of an enclosing function) cannot work elsewhere: `checkTravel` refuses it
 * before anything is sent, naming each such variable. It finds them with esbuild, the
 * compiler the prompt already runs: every name in the source is `define`d, and esbuild
 * replaces a name only where it is free, never where the function binds it.
 *
 * As in Erlang, a node that passed the cookie handshake may run any code here: the
 * cookie grants full access.
 */
import { createRequire } from 'node:module';
import { setCompiler } from './node/spawn.ts';
import { CodedError } from './errors.ts';

/** Code that cannot travel: not a function, a captured variable, no source, bad source. */
export class CodeError extends CodedError<'ERR_NOT_A_FUNCTION' | 'ERR_CAPTURED' | 'ERR_NATIVE' | 'ERR_BAD_SOURCE' | 'ERR_BAD_NAME'> {}

/** The names every node has: JavaScript's and Node's own globals, as at start. */
const BASELINE = new Set(Object.getOwnPropertyNames(globalThis));
/** Names a function may use besides the globals: the prompt's helpers and shared definitions. */
const scope = new Map<string, unknown>();
/** Functions known by name on every node, run by sending the name (e.g. the rpc worker). */
const builtins = new Map<string, Function>();
const compiled = new Map<string, Function>();
const checked = new Map<string, string[]>();
/** A function's text to its expression (`expressionOf` compiles to find out: about 5 µs, and garbage, per rpc). */
const expressions = new Map<string, string>();
/** Where the frames of code compiled here say they are, in stack traces. */
export const SENT_CODE = 'sent-code';
/** Bounds the caches: a long session may send many distinct functions. */
const CACHE_LIMIT = 1000;

/** Words esbuild's `define` refuses as names (they cannot be variables anyway). */
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval').split(' '),
);

// Client API

/** Makes `values` visible by name to code compiled here (the prompt adds its helpers). */
export function provide(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) scope.set(name, value);
  compiled.clear();
}

/** Like `provide`, for the names not provided yet (the public API, under the prompt's helpers). */
export function provideDefaults(values: Record<string, unknown>): void {
  provide(Object.fromEntries(Object.entries(values).filter(([name]) => !scope.has(name))));
}

/** Names a function that every node has (see `builtins`). */
export function defineBuiltin(name: string, fn: Function): void {
  builtins.set(name, fn);
}

/**
 * The source of `fn`, once it is known to work on another node: a function (not a
 * built-in or bound one) that uses no variable of this side other than the names
 * every node has. `also` names more that will be there (definitions shared with it).
 */
export function checkTravel(fn: unknown, what: string, also: readonly string[] = []): string {
  if (typeof fn !== 'function') {
    throw new CodeError('ERR_NOT_A_FUNCTION', `${what} expects a function to run on the other node. Got: ${describe(fn)}`);
  }
  const text = Function.prototype.toString.call(fn);
  let source = expressions.get(text);
  if (source === undefined) {
    source = expressionOf(text);
    if (expressions.size >= CACHE_LIMIT) expressions.clear();
    expressions.set(text, source);
  }
  if (/\{\s*\[native code\]\s*\}\s*\)?$/.test(source)) {
    throw new CodeError('ERR_NATIVE', `${what}: ${fn.name || 'that function'} is built in or bound, so it has no source to send; wrap it: () => ...`);
  }
  const captured = freeNames(source).filter((n) => !BASELINE.has(n) && !scope.has(n) && !also.includes(n));
  if (captured.length > 0) {
    const names = captured.join(', ');
    throw new CodeError(
      'ERR_CAPTURED',
      `${what}: the function uses ${names} from this side, which the other node does not have. ` +
        `Pass ${captured.length === 1 ? 'it as an argument' : 'them as arguments'} (${what.includes('rpc') ? 'rpc.call(node, (x) => ..., x)' : "spawn(node, (x) => ..., x)"}), or share it first (share({ ${captured[0]} }))`,
    );
  }
  return source;
}

/** Compiles a source sent by another node (or a builtin's name) into its function. */
export function compile(source: string): Function {
  const builtin = builtins.get(source);
  if (builtin) return builtin;
  let fn = compiled.get(source);
  if (fn) return fn;
  const names = [...scope.keys()];
  try {
    fn = new Function(...names, `return (${source}\n)\n//# sourceURL=${SENT_CODE}`)(...scope.values()) as Function;
  } catch (err) {
    throw new CodeError('ERR_BAD_SOURCE', `cannot compile the function sent: ${(err as Error).message}`);
  }
  if (typeof fn !== 'function') throw new CodeError('ERR_BAD_SOURCE', 'the source sent is not a function');
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(source, fn);
  return fn;
}

/** Every name `source` uses without binding it (cached per source). */
export function freeNames(source: string): string[] {
  const known = checked.get(source);
  if (known) return known;
  const candidates = [...new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? [])].filter((w) => !RESERVED.has(w));
  const define = Object.fromEntries(candidates.map((w) => [w, FREE + w]));
  let out: string;
  try {
    out = esbuild().transformSync(`(${source}\n)`, { define, loader: 'js', logLevel: 'silent' }).code;
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string }> }).errors?.[0]?.text ?? (err as Error).message;
    throw new CodeError('ERR_BAD_SOURCE', `cannot read the function's source: ${first}`);
  }
  const free = [...new Set([...out.matchAll(FREE_RE)].map((m) => m[1]!))];
  if (checked.size >= CACHE_LIMIT) checked.clear();
  checked.set(source, free);
  return free;
}

// Internals

const FREE = '__playground_free_';
const FREE_RE = /__playground_free_([\w$]+)/g;

let esbuildModule: typeof import('esbuild') | null = null;
/** esbuild, loaded on first use (the prompt loads it anyway, after it appears). */
function esbuild(): typeof import('esbuild') {
  return (esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof import('esbuild'));
}

/**
 * A function's text as an expression: a method (`init(x) { ... }`, what an object
 * literal's methods print as) becomes the value of a one-key object.
 */
export function expressionOf(text: string): string {
  try {
    new Function(`return (${text}\n)`);
    return text;
  } catch {
    return `Object.values({ ${text}\n })[0]`;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
}

setCompiler(compile);
