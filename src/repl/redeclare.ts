/**
 * @module repl/redeclare
 * Lines that declare a name can be typed again, as in a browser's console: the top-level
 * `const`, `let` and `class` declarations of an input become assignments to globals
 * before Node evaluates it. Without this a declaration holds its name for good, even one
 * whose right-hand side threw (`const pid = spawn(healthChek)`), so the corrected line
 * says "Identifier 'pid' has already been declared".
 *
 * - `const x = 1`, `let x = 1` → `x = await __playgroundBind(1)`, and the prompt shows the
 *   value bound, as iex does for `x = 1`; `let x` → `x = void 0` (a fresh `let` starts
 *   undefined again); `const a = 1, b = 2` → each declarator so.
 * - `const { a, b } = obj` → `({ a, b } = await __playgroundBind(obj))`; `const [a, b] =
 *   pair` → `[a, b] = await __playgroundBind(pair)`.
 * - `class A {...}` → `A = class A {...};`
 * - A plain assignment to a name or an array pattern (`pid = f()`, `[a, b] = pair`) gets
 *   the same `await`.
 *
 * What the prompt shows for a declaration is what the name holds: the prompt awaits a
 * promise it is given (`evaluator.ts`), so a declaration awaits its right-hand side too
 * (`const pid = spawn('bob@vm', f)` binds the pid, not a promise of it). The binder
 * (`BIND`, defined by the evaluator) gives any other value back as it is; a promise that
 * rejects binds nothing, and one whose wait Ctrl+C cancelled never binds, even if it
 * settles later.
 * - A declaration of the wildcard itself (`const _ = 1`, `class _ {}`, `function _()`)
 *   is refused before it runs (`WildcardError`), since it would hide `_` for the rest of
 *   the session; in a pattern (`const [_, n] = pair`) `_` binds nothing, as in Elixir
 *   (the global `_` is read-only).
 *
 * Assignments rather than `var`: a name a `var` declares is a global that can never be
 * redefined, which `share()` and the prompt's helpers need to do.
 *
 * It works on esbuild's output, where every top-level statement starts at column 0 of a
 * line of its own, nested code is indented and declarations end with `;`; a small
 * scanner finds the lines that start inside a string, a template literal or a comment,
 * which are left alone, and where each top-level statement ends.
 */

/** Thrown for an input that declares `_`. */
export class WildcardError extends SyntaxError {
  readonly code = 'ERR_WILDCARD';
  constructor() {
    super('_ is the pattern wildcard here: it matches anything and cannot be declared; pick another name');
    this.name = 'SyntaxError';
  }
}

/** The hidden global a declaration's right-hand side goes through (defined by the evaluator). */
export const BIND = '__playgroundBind';

/**
 * The input with its top-level `const`/`let`/`class` declarations made assignments, each
 * right-hand side awaited; throws `WildcardError` when one of them declares `_`.
 */
export function redeclarable(js: string): string {
  let out = '';
  let from = 0;
  for (const statement of statements(js)) {
    const { at, end } = statement;
    const line = js.slice(at, lineEnd(js, at));
    if (WILDCARD.test(line)) throw new WildcardError();
    const bindings = end === undefined || js[end] !== ';' ? null : rewriteBindings(js, statement as Required<Statement>);
    if (bindings !== null) {
      out += js.slice(from, at) + bindings;
      from = end!;
      continue;
    }
    const cls = /^class ([\w$]+)/.exec(line);
    if (cls === null || end === undefined) continue;
    // A class statement: `A = class A {...};`
    out += js.slice(from, at) + `${cls[1]} = class ${cls[1]}` + js.slice(at + cls[0].length, end + 1) + ';';
    from = end + 1;
  }
  return out + js.slice(from);
}

// Internals

interface Statement {
  /** Offset of its first character, at the start of a line. */
  at: number;
  /** Offset of its last character at depth 0: the `;` of a declaration, the `}` of a class. */
  end?: number;
  /** Offsets of its commas and of its assignments' `=` at depth 0. */
  commas: number[];
  assigns: number[];
}

const WILDCARD = /^(?:(?:const|let|class) _\b|(?:async )?function\*? _\()/;
/** A statement that binds: a declaration, or an assignment to a name or an array pattern. */
const DECLARATION = /^(?:const|let) /;
const ASSIGNMENT = /^(?:[\w$]+ =[^=>]|\[)/;

/**
 * A binding statement (`at` to its `;`) with each right-hand side awaited through `BIND`,
 * and a declarator without one set to undefined; null for any other statement.
 */
function rewriteBindings(js: string, { at, end, commas, assigns }: Required<Statement>): string | null {
  const head = js.slice(at, Math.min(end, at + 6));
  const declaration = DECLARATION.exec(head);
  if (declaration === null && !(ASSIGNMENT.test(js.slice(at, end + 1)) && assigns.length > 0)) return null;
  const start = at + (declaration?.[0].length ?? 0);
  const parts: string[] = [];
  for (const [from, to] of between(start, end, commas)) {
    const eq = assigns.find((i) => i > from && i < to);
    const text = js.slice(from, to).trim();
    if (eq === undefined) {
      parts.push(declaration ? `${text} = void 0` : text);
      continue;
    }
    const target = js.slice(from, eq).trim();
    const bound = `${target} = await ${BIND}(${js.slice(eq + 1, to).trim()})`;
    // An object pattern at the start of a statement would read as a block: parenthesised.
    parts.push(target.startsWith('{') ? `(${bound})` : bound);
  }
  return parts.join(', ');
}

/** The ranges from `start` to `end` that `cuts` separate. */
function between(start: number, end: number, cuts: number[]): Array<[number, number]> {
  const inside = cuts.filter((i) => i > start && i < end);
  return [start, ...inside.map((i) => i + 1)].map((from, k) => [from, inside[k] ?? end]);
}

/** The top-level statements of `js`: where each starts (at depth 0, outside strings and comments) and ends. */
function statements(js: string): Statement[] {
  const found: Statement[] = [];
  /** Open brackets; a template literal's `${` pushes a marker so that `}` returns to the template. */
  const stack: string[] = [];
  let state: 'code' | 'string' | 'template' | 'line' | 'block' | 'regex' = 'code';
  let quote = '';
  let last = ''; // the last significant character of code, to tell a regex from a division
  for (let i = 0; i < js.length; i++) {
    const ch = js[i]!;
    if (state === 'code' && stack.length === 0 && (i === 0 || js[i - 1] === '\n')) found.push({ at: i, commas: [], assigns: [] });
    switch (state) {
      case 'string':
        if (ch === '\\') i++;
        else if (ch === quote || ch === '\n') state = 'code';
        continue;
      case 'template':
        if (ch === '\\') i++;
        else if (ch === '`') state = 'code';
        else if (ch === '$' && js[i + 1] === '{') {
          stack.push('${');
          state = 'code';
          i++;
        }
        continue;
      case 'line':
        if (ch === '\n') state = 'code';
        continue;
      case 'block':
        if (ch === '*' && js[i + 1] === '/') {
          state = 'code';
          i++;
        }
        continue;
      case 'regex':
        if (ch === '\\') i++;
        else if (ch === '[') quote = '[';
        else if (ch === ']') quote = '';
        else if (ch === '/' && quote !== '[') state = 'code';
        continue;
    }
    if (ch === '"' || ch === "'") {
      state = 'string';
      quote = ch;
    } else if (ch === '`') {
      state = 'template';
    } else if (ch === '/' && js[i + 1] === '/') {
      state = 'line';
    } else if (ch === '/' && js[i + 1] === '*') {
      state = 'block';
    } else if (ch === '/' && startsRegex(last, js, i)) {
      state = 'regex';
      quote = '';
    } else if (ch === '{' || ch === '(' || ch === '[') {
      stack.push(ch);
    } else if (ch === '}' || ch === ')' || ch === ']') {
      if (stack.pop() === '${') state = 'template';
      else if (stack.length === 0 && ch === '}') endAt(found, i, js);
    } else if (ch === ';' && stack.length === 0) {
      endAt(found, i, js);
    } else if (stack.length === 0 && (ch === ',' || (ch === '=' && isAssignment(js, i)))) {
      const current = found[found.length - 1];
      if (current !== undefined && current.end === undefined) (ch === ',' ? current.commas : current.assigns).push(i);
    }
    if (!/\s/.test(ch)) last = ch;
  }
  return found;
}

/** Marks the end of the current statement, the first time a depth-0 `;` (or a class's `}`) closes it. */
function endAt(found: Statement[], i: number, js: string): void {
  const current = found[found.length - 1];
  if (current === undefined || current.end !== undefined) return;
  // A `}` ends only a class statement; in others (an object literal, a block) a `;` follows.
  if (js[i] === '}' && !/^class /.test(js.slice(current.at, current.at + 6))) return;
  current.end = i;
}

/** The `=` at `i` assigns: it is no part of `==`, `=>`, `<=`, `+=` and the like. */
function isAssignment(js: string, i: number): boolean {
  return !'=!<>+-*/%&|^?'.includes(js[i - 1]!) && js[i + 1] !== '=' && js[i + 1] !== '>';
}

function startsRegex(last: string, js: string, i: number): boolean {
  if (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last)) return true;
  return /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)\s*$/.test(js.slice(Math.max(0, i - 12), i));
}

function lineEnd(js: string, at: number): number {
  const end = js.indexOf('\n', at);
  return end < 0 ? js.length : end;
}
