/**
 * Workshop laptops differ: a node running on Node 22 and one running on Node 24 form a
 * cluster and exchange messages both ways, through their real prompts. The binaries come
 * from the npm registry, fetched once into a cache (test/support/node-versions.ts);
 * where they cannot be had, the test says SKIP.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeBinary } from './support/node-versions.ts';
import { startCluster, HOST, type Cluster, type NodeProcess } from './support/cluster.ts';

const node22 = nodeBinary(22);
const node24 = nodeBinary(24);

/** Types `line` at `node`'s prompt; resolves with what it printed before the next prompt. */
async function ask(node: NodeProcess, line: string): Promise<string> {
  const since = node.mark();
  node.send(line);
  const prompt = new RegExp(`playground\\(${node.name!.replace(/\./g, '\\.')}\\)\\d+> $`);
  await node.waitFor(new RegExp(`[\\s\\S]*${prompt.source}`), { since });
  return node.output.slice(since).replace(prompt, '');
}

if (node22 instanceof Error || node24 instanceof Error) {
  const why = [node22, node24].filter((x) => x instanceof Error).map((e) => (e as Error).message).join('; ');
  console.log(`node-versions: SKIP, ${why}`);
  test.skip('a Node 22 node and a Node 24 node exchange messages both ways', () => {});
} else {
  let c: Cluster;
  test.before(async () => {
    c = await startCluster();
  });
  test.after(async () => {
    await c.stop();
  });

  test('a Node 22 node and a Node 24 node exchange messages both ways', async () => {
    const flags = ['--discovery', 'none', '--no-greet'];
    const [alice, bob] = await Promise.all([
      c.start(['--sname', 'alice', ...flags], { node: node22 }),
      c.start(['--sname', 'bob', ...flags], { node: node24 }),
    ]);
    await alice.waitFor(/\)1> $/);
    await bob.waitFor(/\)1> $/);
    assert.match(await ask(alice, 'process.version'), /^'v22\./);
    assert.match(await ask(bob, 'process.version'), /^'v24\./);
    await ask(alice, "register('shell', self())");
    await ask(bob, "register('shell', self())");
    assert.is(await ask(alice, `await connect('bob@${HOST}')`), 'true\n');
    await ask(alice, `send(['shell', 'bob@${HOST}'], ['from', node(), process.version.split('.')[0], self()])`);
    const got = await ask(bob, 'const [_, from, version, pid] = await receive(); [from, version]');
    assert.is(got, `[ 'alice@${HOST}', 'v22' ]\n`);
    await ask(bob, "send(pid, ['back', node(), process.version.split('.')[0]])");
    assert.is(await ask(alice, 'await receive()'), `[ 'back', 'bob@${HOST}', 'v24' ]\n`);
  });
}

test.run();
