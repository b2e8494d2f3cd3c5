/**
 * @module repl/redeclare
 * Lines that declare a name can be typed again, as in a browser's console: the top-level
 * `const`, `let` and `class` declarations of an input become assignments to globals
 * before Node evaluates it. Without this a declaration holds its name for good, even one
 * whose right-hand side threw (`const pid = spawn(healthChek)`), so the corrected line
 * says "Identifier 'pid' has already been declared".
 *
 * - `const x = 1`, `let x = 1` → `x = 1`, and the prompt shows the value bound, as iex
 *   does for `x = 1`; `let x` → `x = void 0` (a fresh `let` starts undefined again).
 * - `const { a, b } = obj` → `({ a, b } = obj)`; `const [a, b] = pair` → `[a, b] = pair`.
 * - `class A {...}` → `A = class A {...};`
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

/**
 * The input with its top-level `const`/`let`/`class` declarations made assignments;
 * throws `WildcardError` when one of them declares `_`.
 */
export function redeclarable(js: string): string {
  let out = '';
  let from = 0;
  for (const { at, end } of statements(js)) {
    const line = js.slice(at, lineEnd(js, at));
    const rewritten = rewrite(line);
    if (rewritten === null) continue;
    out += js.slice(from, at) + rewritten.head;
    from = at + rewritten.cut;
    if (rewritten.tail !== '' && end !== undefined) {
      // Before a declaration's `;`, after a class's `}`.
      const to = js[end] === ';' ? end : end + 1;
      out += js.slice(from, to) + rewritten.tail;
      from = to;
    }
  }
  return out + js.slice(from);
}

// Internals

interface Statement {
  /** Offset of its first character, at the start of a line. */
  at: number;
  /** Offset of its last character at depth 0: the `;` of a declaration, the `}` of a class. */
  end?: number;
}

const WILDCARD = /^(?:(?:const|let|class) _\b|(?:async )?function\*? _\()/;

/** How a statement's first line changes: `head` replaces its first `cut` characters, `tail` goes at its end. */
function rewrite(line: string): { head: string; cut: number; tail: string } | null {
  if (WILDCARD.test(line)) throw new WildcardError();
  const bare = /^let ([\w$]+(?:, [\w$]+)*);$/.exec(line);
  if (bare) return { head: `${bare[1]!.split(', ').map((n) => `${n} = void 0`).join(', ')};`, cut: line.length, tail: '' };
  const decl = /^(?:const|let) /.exec(line);
  if (decl) {
    // An object pattern at the start of a statement would read as a block: parenthesised.
    if (line[decl[0].length] === '{') return { head: '(', cut: decl[0].length, tail: ')' };
    return { head: '', cut: decl[0].length, tail: '' };
  }
  const cls = /^class ([\w$]+)/.exec(line);
  if (cls) return { head: `${cls[1]} = class ${cls[1]}`, cut: cls[0].length, tail: ';' };
  return null;
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
    if (state === 'code' && stack.length === 0 && (i === 0 || js[i - 1] === '\n')) found.push({ at: i });
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

function startsRegex(last: string, js: string, i: number): boolean {
  if (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last)) return true;
  return /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)\s*$/.test(js.slice(Math.max(0, i - 12), i));
}

function lineEnd(js: string, at: number): number {
  const end = js.indexOf('\n', at);
  return end < 0 ? js.length : end;
}
