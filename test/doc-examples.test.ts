/**
 * The `iex(name)> ...` transcripts in the JSDoc of src/ are run at real prompts, as
 * Elixir runs its doctests: each file's examples in order, each typed at the prompt of
 * the node it names (`iex(bob)>` at a fresh `playground --sname bob`, `iex(alice)>` at
 * alice, ...), and each printed result compared with the lines under it (pids,
 * references and ports compare by shape, since their numbers depend on what ran before;
 * `@vm` stands for this host). The nodes of one file are connected to each other, and
 * their pg and PubSub have met, before the first example: as a reader's would be by the
 * time they type. Examples that cannot run say so in their doc and are written as
 * narrative (`//=>`), which this runner does not read. What a process prints above the
 * prompt just after an input (a trace line) belongs to that input: the runner waits for
 * the lines an example shows, for a moment, before it types the next.
 *
 * The examples of `h()`'s tracing docs run the same way, at bob's prompt.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tsFiles } from './support/files.ts';
import { HOST, ROOT, startCluster, type NodeProcess } from './support/cluster.ts';
import { eventually, sleep } from './support/eventually.ts';
import { TRACE_DOCS } from '../src/repl/docs-trace.ts';

interface Example {
  node: string;
  input: string;
  expected: string[];
  line: number;
}

/** The transcripts of one file, in order. */
function examples(text: string): Example[] {
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
      current = { node: prompt[1]!, input: prompt[2]!, expected: [], line: i + 1 };
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

const prompt = (node: NodeProcess) => new RegExp(`playground\\(${node.name!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\\d+> `);

/**
 * Types `input` at `node` and resolves with what it printed before its next prompt, and
 * above that prompt drawn again, until that reads as `expected` (or a moment has passed:
 * lines printed after the result, such as trace lines, come a little later).
 */
async function evaluate(node: NodeProcess, input: string, expected?: string): Promise<string> {
  const since = node.stdout.length;
  node.send(input.replace(/@vm\b/g, `@${HOST}`));
  const end = prompt(node);
  await eventually(() => assert.match(node.stdout.slice(since), end, `no prompt after ${input}`), { timeout: 20_000, interval: 10 });
  const shown = () => {
    const text = node.stdout.slice(since);
    const prompts = [...text.matchAll(new RegExp(end.source, 'g'))];
    return text.slice(0, prompts.at(-1)!.index).replace(new RegExp(end.source, 'g'), '').replace(/^(\.\.\. )+/, '');
  };
  for (const deadline = Date.now() + 2000; expected !== undefined && normalise(shown()) !== normalise(expected) && Date.now() < deadline; ) await sleep(10);
  return shown();
}

/** The examples of `h()` docs: `> ` lines typed at bob's prompt, the lines under each printed. */
function helpExamples(docs: ReadonlyArray<{ example?: string }>): Example[] {
  const out: Example[] = [];
  for (const doc of docs) {
    for (const line of (doc.example ?? '').split('\n')) {
      if (line.startsWith('> ')) out.push({ node: 'bob', input: line.slice(2), expected: [], line: out.length + 1 });
      else if (line !== '') out.at(-1)?.expected.push(line);
    }
  }
  return out;
}

let total = 0;
const sources: Array<[string, Example[]]> = tsFiles(join(ROOT, 'src')).map((file) => [relative(ROOT, file), examples(readFileSync(file, 'utf8'))]);
sources.push(["h()'s tracing docs (src/repl/docs-trace.ts)", helpExamples(TRACE_DOCS)]);
for (const [name, found] of sources) {
  if (found.length === 0) continue;
  total += found.length;
  const names = [...new Set(found.map((ex) => ex.node))];
  test(`the examples in ${name} run as shown (${names.join(', ')})`, async () => {
    const c = await startCluster();
    try {
      const nodes = new Map<string, NodeProcess>();
      for (const n of names) {
        const connect = nodes.size === 0 ? [] : ['--connect', `${names[0]}@${HOST}`];
        const node = await c.start(['--sname', n, '--discovery', 'none', '--no-greet', ...connect]);
        await node.waitFor(prompt(node));
        nodes.set(n, node);
      }
      if (nodes.size > 1) {
        for (const node of nodes.values()) {
          await eventually(async () => assert.is((await evaluate(node, "getMembers(['PubSub', 'PubSub']).length")).trim(), String(nodes.size)), {
            timeout: 10_000, interval: 100,
          });
        }
      }
      for (const ex of found) {
        const shown = await evaluate(nodes.get(ex.node)!, ex.input, ex.expected.length > 0 ? ex.expected.join('\n') : undefined);
        const where = `${name}:${ex.line}: iex(${ex.node})> ${ex.input}`;
        assert.not.match(shown, /^\*\* \(/m, `${where}\nfailed with:\n${shown}`);
        if (ex.expected.length > 0) assert.is(normalise(shown), normalise(ex.expected.join('\n')), where);
      }
      for (const node of nodes.values()) node.child.stdin!.end();
      for (const node of nodes.values()) {
        const { code } = await Promise.race([
          node.exited,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit:\n${node.output}`)), 20_000)),
        ]);
        assert.is(code, 0, node.output);
      }
    } finally {
      await c.stop();
    }
  });
}

test('the runner finds the examples', () => {
  assert.ok(total >= 60, `only ${total} examples found`);
});

test.run();
