/**
 * @module repl/redeclare
 * Lines that declare a name can be typed again, as in a browser's console: the top-level
 * `const`, `let` and `class` declarations of an input become `var` declarations before
 * Node evaluates it. Without this a declaration holds its name for good, even one whose
 * right-hand side threw (`const pid = spawn(healthChek)`), so the corrected line says
 * "Identifier 'pid' has already been declared".
 *
 * - `const x = 1`, `let x = 1` → `var x = 1`; `let x` → `var x = void 0` (a fresh `let`
 *   starts undefined again).
 * - `class A {...}` → `var A = class A {...};`
 * - A declaration of the wildcard itself (`const _ = 1`, `class _ {}`, `function _()`)
 *   is refused before it runs (`WildcardError`), since it would hide `_` for the rest of
 *   the session; in a pattern (`const [_, n] = pair`) `_` binds nothing, as in Elixir
 *   (the global `_` is read-only).
 *
 * It works on esbuild's output, where every top-level statement starts at column 0 of a
 * line of its own and nested code is indented; a small scanner finds the lines that
 * start inside a string, a template literal or a comment, which are left alone.
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
 * The input with its top-level `const`/`let`/`class` declarations made redeclarable;
 * throws `WildcardError` when one of them declares `_`.
 */
export function redeclarable(js: string): string {
  const starts = statementStarts(js);
  let out = '';
  let from = 0;
  for (const { at, closesClassAt } of starts) {
    const line = js.slice(at, lineEnd(js, at));
    const rewritten = rewrite(line);
    if (rewritten === null) continue;
    out += js.slice(from, at) + rewritten.head;
    from = at + rewritten.cut;
    if (rewritten.isClass && closesClassAt !== undefined) {
      out += js.slice(from, closesClassAt + 1) + ';';
      from = closesClassAt + 1;
    }
  }
  return out + js.slice(from);
}

// Internals

interface Start {
  /** Offset of the first character of the line. */
  at: number;
  /** Offset of the `}` that brings the depth back to 0 after this line, if any. */
  closesClassAt?: number;
}

const WILDCARD = /^(?:(?:const|let|class) _\b|(?:async )?function\*? _\()/;

function rewrite(line: string): { head: string; cut: number; isClass: boolean } | null {
  if (WILDCARD.test(line)) throw new WildcardError();
  const bare = /^let ([\w$]+(?:, [\w$]+)*);$/.exec(line);
  if (bare) return { head: `var ${bare[1]!.split(', ').map((n) => `${n} = void 0`).join(', ')};`, cut: line.length, isClass: false };
  const decl = /^(?:const|let) /.exec(line);
  if (decl) return { head: 'var ', cut: decl[0].length, isClass: false };
  const cls = /^class ([\w$]+)/.exec(line);
  if (cls) return { head: `var ${cls[1]} = class ${cls[1]}`, cut: cls[0].length, isClass: true };
  return null;
}

/** The top-level lines of `js` that start a statement: at depth 0, outside strings and comments. */
function statementStarts(js: string): Start[] {
  const starts: Start[] = [];
  /** Open brackets; a template literal's `${` pushes a marker so that `}` returns to the template. */
  const stack: string[] = [];
  let state: 'code' | 'string' | 'template' | 'line' | 'block' | 'regex' = 'code';
  let quote = '';
  let inClass = false;
  let last = ''; // the last significant character of code, to tell a regex from a division
  for (let i = 0; i < js.length; i++) {
    const ch = js[i]!;
    if (state === 'code' && stack.length === 0 && (i === 0 || js[i - 1] === '\n')) {
      const start: Start = { at: i };
      starts.push(start);
      if (!inClass && /^class [\w$]+/.test(js.slice(i, i + 200))) inClass = true;
    }
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
      const open = stack.pop();
      if (open === '${') state = 'template';
      else if (stack.length === 0 && ch === '}' && inClass) {
        starts[starts.length - 1]!.closesClassAt = i;
        inClass = false;
      }
    }
    if (!/\s/.test(ch)) last = ch;
  }
  return starts;
}

function startsRegex(last: string, js: string, i: number): boolean {
  if (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last)) return true;
  return /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)\s*$/.test(js.slice(Math.max(0, i - 12), i));
}

function lineEnd(js: string, at: number): number {
  const end = js.indexOf('\n', at);
  return end < 0 ? js.length : end;
}
