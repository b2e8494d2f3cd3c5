/**
 * The `iex(bob)> ...` transcripts in the JSDoc of src/ are run at the real prompt, as
 * Elixir runs its doctests: each file's examples in order, typed into a fresh
 * `playground --sname bob` process, each printed result compared with the lines under
 * it (pids, references and ports compare by shape, since their numbers depend on what
 * ran before). Examples that need several nodes (iex(alice), iex(carol)) are narrative
 * and skipped. Lines a process prints above the prompt after an input's result (a
 * trace, say) redraw that prompt with the same number: they belong to that input.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HOST, ROOT, startCluster } from './support/cluster.ts';
import { TRACE_DOCS } from '../src/repl/docs-trace.ts';

interface Example {
  input: string;
  expected: string[];
  line: number;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The transcripts of one file, in order; null when it has examples that need other nodes. */
function examples(text: string): Example[] | null {
  const out: Example[] = [];
  const lines = text.split('\n');
  let inDoc = false;
  let current: Example | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim().startsWith('/**')) inDoc = true;
    if (!inDoc) continue;
    const ended = raw.includes('*/');
    const line = raw.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/\s*$/, '');
    const prompt = /^iex\((\w+)\)> ?(.*)$/.exec(line);
    if (prompt) {
      if (prompt[1] !== 'bob') return null;
      current = { input: prompt[2]!, expected: [], line: i + 1 };
      out.push(current);
    } else if (current && /^\.\.\.\s/.test(line)) {
      current.input += '\n' + line.replace(/^\.\.\.\s+/, '');
    } else if (current && line.trim() !== '' && !line.startsWith('@') && !line.startsWith('//') && !line.startsWith('```')) {
      current.expected.push(line);
    } else {
      current = null;
    }
    if (ended) {
      inDoc = false;
      current = null;
    }
  }
  return out;
}

const normalise = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '') // console.log colours when the test runner forces colours
    .replace(/#PID<\d+\.\d+\.\d+>/g, '#PID<_>')
    .replace(/#Reference<[\d.]+>/g, '#Reference<_>')
    .replace(/#Port<[\d.]+>/g, '#Port<_>')
    .replace(new RegExp(`@${HOST}\\b`, 'g'), '@vm')
    .replace(/\s+/g, ' ')
    .trim();

const PROMPT = /playground\(bob@[^)]*\)(\d+)> /;

/** What each input printed: the text after its prompt, and after that prompt's redraws, up to the next number. */
function outputs(stdout: string): string[] {
  const parts = stdout.split(PROMPT);
  const out: string[] = [];
  let prompt = '';
  for (let i = 1; i + 1 < parts.length; i += 2) {
    if (parts[i] === prompt && out.length >= 2) out[out.length - 2] += out.pop()!;
    else if (parts[i] === prompt) out.pop();
    out.push(parts[i + 1]!);
    prompt = parts[i]!;
  }
  return out;
}

/** The examples of `h()` docs: `> ` lines typed, the lines under each printed. */
function helpExamples(docs: ReadonlyArray<{ name: string; example?: string }>): Example[] {
  const out: Example[] = [];
  for (const doc of docs) {
    for (const line of (doc.example ?? '').split('\n')) {
      if (line.startsWith('> ')) out.push({ input: line.slice(2), expected: [], line: out.length + 1 });
      else if (line !== '') out.at(-1)?.expected.push(line);
    }
  }
  return out;
}

let total = 0;
const files: Array<[string, Example[]]> = sources(join(ROOT, 'src')).flatMap((file) => {
  const found = examples(readFileSync(file, 'utf8'));
  return found && found.length > 0 ? [[relative(ROOT, file), found] as [string, Example[]]] : [];
});
files.push(["h()'s tracing docs (src/repl/docs-trace.ts)", helpExamples(TRACE_DOCS)]);
for (const [name, found] of files) {
  total += found.length;
  test(`the examples in ${name} run as shown`, async () => {
    const c = await startCluster();
    try {
      const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet']);
      for (const ex of found) bob.send(ex.input);
      bob.child.stdin!.end();
      const { code } = await Promise.race([
        bob.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit:\n${bob.output}`)), 20_000)),
      ]);
      assert.is(code, 0, bob.output);
      // One segment per input: what it printed, up to the next prompt.
      const segments = outputs(bob.stdout);
      for (const [i, ex] of found.entries()) {
        const shown = (segments[i] ?? '').replace(/^(\.\.\. )+/, '');
        const where = `${name}:${ex.line}: ${ex.input}`;
        assert.not.match(shown, /^\*\* \(/m, `${where}\nfailed with:\n${shown}`);
        if (ex.expected.length > 0) assert.is(normalise(shown), normalise(ex.expected.join('\n')), where);
      }
    } finally {
      await c.stop();
    }
  });
}

test('the runner finds the examples', () => {
  assert.ok(total >= 50, `only ${total} examples found`);
});

test.run();
