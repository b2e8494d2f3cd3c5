/**
 * The `iex(bob)> ...` transcripts in the JSDoc of src/ are run at the real prompt, as
 * Elixir runs its doctests: each file's examples in order, typed into a fresh
 * `playground --sname bob` process, each printed result compared with the lines under
 * it (pids, references and ports compare by shape, since their numbers depend on what
 * ran before). Examples that need several nodes (iex(alice), iex(carol)) are narrative
 * and skipped.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HOST, ROOT, startCluster } from './support/cluster.ts';
import { sources } from './support/sources.ts';

interface Example {
  input: string;
  expected: string[];
  line: number;
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
    .replace(/#PID<\d+\.\d+\.\d+>/g, '#PID<_>')
    .replace(/#Reference<[\d.]+>/g, '#Reference<_>')
    .replace(/#Port<[\d.]+>/g, '#Port<_>')
    .replace(new RegExp(`@${HOST}\\b`, 'g'), '@vm')
    .replace(/\s+/g, ' ')
    .trim();

const PROMPT = /playground\(bob@[^)]*\)\d+> /;

let total = 0;
for (const file of sources(join(ROOT, 'src'))) {
  const found = examples(readFileSync(file, 'utf8'));
  if (!found || found.length === 0) continue;
  total += found.length;
  const name = relative(ROOT, file);
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
      const segments = bob.stdout.split(PROMPT).slice(1);
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
