/**
 * @module repl/transform
 * TypeScript at the prompt: each input goes through esbuild's `transformSync` before
 * Node's own evaluator sees it, so lesson code can be pasted as written (annotations,
 * interfaces, enums, `implements`, generics).
 *
 * esbuild is loaded after the prompt appears (`warmUp`): its first transform starts a
 * worker and costs tens of milliseconds, later ones well under one.
 *
 * Rules:
 * - An input that esbuild finds unfinished ("end of file", an open template literal)
 *   is `unfinished`: the REPL asks for the next line, as Node does for JavaScript.
 * - Any other esbuild error gives the input back unchanged, so Node reports the
 *   syntax error in its own words (and accepts anything esbuild is stricter about).
 * - `{a: 1}` is tried as an expression first, as Node's REPL does, so that it prints an
 *   object rather than a labelled block.
 * - Top-level `const`, `let` and `class` declarations can be typed again (`redeclare.ts`).
 */
import { redeclarable } from './redeclare.ts';

type TransformSync = (code: string, options: object) => { code: string };

let transformSync: TransformSync | null = null;
let loading: Promise<void> | null = null;

const OPTIONS = {
  loader: 'ts',
  target: 'node20',
  // Without it esbuild silently drops `import` lines whose names look unused.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  // esbuild renames a function whose name another binding of the input has
  // (`const worker = spawn(async function worker() {})` → `worker2`); this puts the
  // typed name back, which crash reports and `i()` show.
  keepNames: true,
};

/** The helper `keepNames` calls, defined once for every input instead of in each. */
const NAME_HELPER = /^var __defProp = Object\.defineProperty;\nvar __name = \(target, value\) => __defProp\(target, "name", \{ value, configurable: true \}\);\n/;
/** Its statement after a top-level function declaration, which has its name already (and would be the input's value). */
const NAMED_DECLARATION = /^__name\([\w$]+, "[\w$]+"\);\n/gm;

/** Loads esbuild and runs one transform so that the first real input is fast. */
export function warmUp(): Promise<void> {
  loading ??= import('esbuild').then(function loaded(esbuild) {
    transformSync = esbuild.transformSync as TransformSync;
    transformSync('0', OPTIONS);
    Object.defineProperty(globalThis, '__name', {
      value: (target: object, value: string) => Object.defineProperty(target, 'name', { value, configurable: true }),
      configurable: true,
      enumerable: false,
    });
  });
  return loading;
}

export type Transformed =
  | { kind: 'code'; code: string }
  | { kind: 'unfinished'; error: Error }
  /** Not to be run at all: it fails with `error`, as if it had thrown it. */
  | { kind: 'refused'; error: Error };

/** JavaScript for one (possibly multi-line) input; `warmUp()` must have finished. */
export function toJavaScript(input: string): Transformed {
  if (transformSync === null || !/\S/.test(input)) return { kind: 'code', code: input };
  const trimmed = input.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    const asExpression = attempt(`(${trimmed})\n`);
    if (asExpression.kind === 'code') return asExpression;
  }
  const result = attempt(input);
  if (result.kind === 'error') return { kind: 'code', code: input };
  if (result.kind !== 'code') return result;
  try {
    return { kind: 'code', code: redeclarable(result.code) };
  } catch (error) {
    return { kind: 'refused', error: error as Error };
  }
}

// Internals

function attempt(code: string): Transformed | { kind: 'error' } {
  try {
    return { kind: 'code', code: transformSync!(code, OPTIONS).code.replace(NAME_HELPER, '').replace(NAMED_DECLARATION, '') };
  } catch (err) {
    const text = messages(err);
    if (/end of file/i.test(text) || countBackticks(code) % 2 === 1) {
      return { kind: 'unfinished', error: new SyntaxError(text) };
    }
    return { kind: 'error' };
  }
}

function messages(err: unknown): string {
  const errors = (err as { errors?: Array<{ text: string }> }).errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => e.text).join('; ');
  return err instanceof Error ? err.message : String(err);
}

function countBackticks(code: string): number {
  let n = 0;
  for (let i = 0; i < code.length; i++) if (code[i] === '`' && code[i - 1] !== '\\') n++;
  return n;
}
