/**
 * GenServer across nodes: calls and casts to `[name, node]` and to a remote pid through
 * the real protocol, with a second node in its own OS process, and the errors a remote
 * call ends with (noproc, a crash over there, the node going away).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as GenServer from '../src/genserver.ts';
import { GenServerError } from '../src/genserver.ts';
import { Pid } from '../src/term.ts';
import { processInfo, self } from '../src/process/index.ts';
import { startCluster, inProcess, type Cluster, type NodeProcess } from './support/cluster.ts';
import type { Node } from '../src/node/index.ts';

const PEER = 'test/support/genserver-peer.ts';
let c: Cluster;
let peer: NodeProcess;
let here: Node;

// One cluster for the whole file (each node is an OS process to start); the test that
// kills the peer comes last.
test.before(async () => {
  c = await startCluster();
  peer = await c.start(['--sname', 'gs'], { script: PEER, ready: 'counter ready' });
  here = await c.local('caller');
});
test.after(async () => {
  await c.stop();
});

const inside = <T>(fn: () => Promise<T>) => inProcess(here.runtime, fn, 10_000);
const codeOf = (p: Promise<unknown>) => p.then((v) => ['resolved', v], (e: GenServerError) => [e.code, e.message]);

test('call and cast reach a server on another node by [name, node] and by pid', async () => {
  const got = await inside(async () => {
    const server = ['counter', peer.name!] as const;
    const added = await GenServer.call(server, ['add', 2]);
    GenServer.cast(server, ['add', 3]);
    const pid = await GenServer.call<Pid>(server, 'whoami');
    const byPid = await GenServer.call(pid, 'get');
    return [added, pid instanceof Pid && pid.node === peer.name, byPid];
  });
  assert.equal(got, [2, true, 5]);
});

test('a remote call to a name nobody has rejects with noproc; a crash over there with its reason', async () => {
  const [noproc, crash, after] = await inside(async () => [
    await codeOf(GenServer.call(['nobody', peer.name!], 'get')),
    await codeOf(GenServer.call(['fragile', peer.name!], 'crash')),
    await codeOf(GenServer.call(['fragile', peer.name!], 'get')),
  ]);
  assert.is(noproc[0], 'ERR_NOPROC');
  assert.is(crash[0], 'ERR_EXIT');
  assert.match(crash[1] as string, /\*\* \(Error\) remote counter exploded/);
  assert.is(after[0], 'ERR_NOPROC');
});

test('a request the wire refuses fails in the caller and leaves no monitor behind', async () => {
  const got = await inside(async () => {
    const refused = await GenServer.call(['counter', peer.name!], () => 'a function').then(() => null, (e: Error & { code?: string }) => e.code);
    return [refused, processInfo(self())!.monitors.length, await GenServer.call(['counter', peer.name!], 'get')];
  });
  assert.equal(got, ['ERR_NOT_A_TERM', 0, 5]);
});

test('a remote call times out like a local one', async () => {
  const got = await inside(() => codeOf(GenServer.call(['counter', peer.name!], 'never', 50)));
  assert.is(got[0], 'ERR_TIMEOUT');
});

test('a pending remote call rejects with nodedown when the node goes away', async () => {
  const got = await inside(async () => {
    await GenServer.call(['counter', peer.name!], 'get');
    const pending = codeOf(GenServer.call(['counter', peer.name!], 'never', 8000));
    await peer.kill();
    return pending;
  });
  assert.is(got[0], 'ERR_NODEDOWN');
  assert.match(got[1] as string, /'never', 8000\)\n {4}\*\* \(EXIT\) no connection to the server's node/);
});

test.run();
