/**
 * The layers hold: every import in src/, lessons/ and playground/ (static, dynamic and
 * type-only) points down the table below, and no file reaches itself through its
 * imports. A group is a top-level file or folder (`src/genserver.ts` and `src/genserver/`
 * are one group). Tests and benchmarks may import anything.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tsFiles } from './support/files.ts';
import { ROOT } from './support/cluster.ts';

/** What every group may import: the base of coded errors, how the environment is read, the check of options' keys. */
const EVERYWHERE = ['src/errors', 'src/env', 'src/keys'];

/** What each group may import, besides itself and EVERYWHERE. */
const LAYERS: Record<string, readonly string[]> = {
  'src/errors': [],
  'src/env': [],
  'src/keys': [],
  'src/term': [],
  'src/process': ['src/term'],
  'src/genserver': ['src/term', 'src/process'],
  'src/basic-server': ['src/term', 'src/process', 'src/genserver'],
  'src/supervisor': ['src/term', 'src/process', 'src/genserver'],
  'src/registry': ['src/term', 'src/process', 'src/genserver'],
  // Erlang's own protocols (epmd, handshake, term format, control messages) and the
  // services a BEAM peer expects: beneath the node, which picks a wire per peer.
  'src/erlang': ['src/term', 'src/process'],
  'src/node': ['src/term', 'src/process', 'src/erlang'],
  'src/discovery': ['src/term', 'src/process', 'src/node', 'src/erlang'],
  'src/pg': ['src/term', 'src/process', 'src/node'],
  'src/pubsub': ['src/term', 'src/process', 'src/genserver', 'src/supervisor', 'src/registry', 'src/pg'],
  // Code that travels, and what runs it on other nodes: above the node, beside pg.
  'src/code': ['src/node'],
  'src/remote': ['src/term', 'src/process', 'src/node', 'src/code'],
  'src/rpc': ['src/term', 'src/process', 'src/node', 'src/code', 'src/remote'],
  'src/share': ['src/term', 'src/process', 'src/node', 'src/code'],
  'src/global': ['src/term', 'src/process', 'src/node', 'src/code'],
  // dbg, sys and seqTrace: the runtime's trace hooks are in src/process; sys speaks to a GenServer's loop.
  'src/trace': ['src/term', 'src/process', 'src/genserver'],
  // The live page: reads every part above the node through its public functions.
  'src/web': ['src/term', 'src/process', 'src/supervisor', 'src/node', 'src/pg', 'src/pubsub', 'src/global', 'src/trace', 'src/workshop'],
  // A workshop's room: a member on every node, the teacher's roster, over PubSub.
  'src/workshop': ['src/term', 'src/process', 'src/genserver', 'src/node', 'src/pg', 'src/pubsub'],
  'src/index': [
    'src/term', 'src/process', 'src/genserver', 'src/basic-server', 'src/supervisor', 'src/registry',
    'src/node', 'src/pg', 'src/pubsub', 'src/remote', 'src/rpc', 'src/share', 'src/global', 'src/trace', 'src/web',
    'src/workshop',
  ],
  // src/code: the prompt's helpers are in scope for code sent to this node.
  'src/repl': ['src/index', 'src/term', 'src/process', 'src/code'],
  'src/app': [
    'src/term', 'src/process', 'src/genserver', 'src/supervisor', 'src/node', 'src/erlang', 'src/discovery', 'src/pg',
    'src/pubsub', 'src/code', 'src/rpc', 'src/share', 'src/global', 'src/index', 'src/web', 'src/workshop',
  ],
  lessons: ['src/index'],
  // src/discovery: only its strategy names, to check --discovery without loading discovery.
  playground: ['lessons', 'src/index', 'src/repl', 'src/app', 'src/discovery'],
};

/** The files a source file imports (relative specifiers only), as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const specifiers = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'|(?:^|\n)\s*import\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;
  for (const m of text.matchAll(specifiers)) {
    found.push(relative(ROOT, resolve(dirname(file), (m[1] ?? m[2] ?? m[3])!)));
  }
  return found;
}

function groupOf(path: string): string {
  if (path.startsWith('src/')) return path.replace(/^src\/([^/.]+)(\/.*|\.ts)$/, 'src/$1');
  return path.split('/')[0]!;
}

const graph = new Map<string, string[]>();
for (const dir of ['src', 'lessons', 'playground']) {
  for (const file of tsFiles(join(ROOT, dir))) graph.set(relative(ROOT, file), importsOf(file));
}

test('the import scanner sees the imports it should (a scanner that finds none proves nothing)', () => {
  assert.ok(graph.get('src/app/boot.ts')!.includes('src/node/index.ts'));
  assert.ok(graph.get('playground/index.ts')!.includes('src/app/boot.ts'), 'dynamic import');
  assert.ok(graph.get('src/process/runtime.ts')!.includes('src/process/process.ts'), 'type-only import');
  assert.ok(graph.size > 60, `only ${graph.size} files`);
});

test('every group is in the table of layers', () => {
  const unknown = [...new Set([...graph.keys()].map(groupOf))].filter((g) => !(g in LAYERS));
  assert.equal(unknown, [], 'add the new group to LAYERS, with what it may import');
});

test('no import points up or sideways against the layers', () => {
  const bad: string[] = [];
  for (const [file, imports] of graph) {
    const from = groupOf(file);
    for (const target of imports) {
      const to = groupOf(target);
      if (to !== from && !EVERYWHERE.includes(to) && !LAYERS[from]?.includes(to)) bad.push(`${file} -> ${target}`);
    }
  }
  assert.equal(bad, []);
});

test('no file imports itself through other files (type-only imports included)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next, path);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, []);
  assert.equal(cycles, []);
});

test.run();
