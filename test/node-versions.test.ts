/**
 * Workshop laptops differ: a node running on Node 22 and one running on Node 24 form a
 * cluster and exchange messages both ways, through their real prompts. The binaries come
 * from the npm registry, fetched once into a cache (test/support/node-versions.ts);
 * where they cannot be had, the test says SKIP.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeBinary } from './support/node-versions.ts';
import { startCluster, HOST, type Cluster } from './support/cluster.ts';
import { ask } from './support/prompt.ts';
import { testOrSkip } from './support/skip.ts';

const node22 = nodeBinary(22);
const node24 = nodeBinary(24);


const missing = [node22, node24].filter((x): x is Error => x instanceof Error).map((e) => e.message).join('; ');

let c: Cluster;
test.before(async () => {
  if (!missing) c = await startCluster();
});
test.after(async () => {
  await c?.stop();
});

testOrSkip(missing, 'a Node 22 node and a Node 24 node exchange messages both ways', async () => {
  const flags = ['--discovery', 'none', '--no-greet'];
  const [alice, bob] = await Promise.all([
    c.start(['--sname', 'alice', ...flags], { node: node22 as string }),
    c.start(['--sname', 'bob', ...flags], { node: node24 as string }),
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

test.run();
