/**
 * @module test/support/genserver-peer
 * A node, in its own OS process, that runs a GenServer for the cross-node call tests:
 * `node --import tsx test/support/genserver-peer.ts --sname gs` (the cluster helper
 * passes the port mapper's port and the cookie in its environment).
 *
 * The same server runs twice, as 'counter' and as 'fragile' (for the test that crashes
 * one): a call 'get' gives the count, ['add', n]
 * adds n and gives the new count, 'whoami' gives its pid, 'crash' throws, 'never'
 * is never answered; a cast ['add', n] adds n.
 */
import { parseArgs } from 'node:util';
import { startNode } from '../../src/node/index.ts';
import { self, setDefaultRuntime } from '../../src/process/index.ts';
import * as GenServer from '../../src/genserver.ts';

const { values } = parseArgs({ options: { sname: { type: 'string' } } });

const node = await startNode({
  sname: values.sname!,
  cookie: process.env.PLAYGROUND_COOKIE,
  epmdPort: Number(process.env.PLAYGROUND_EPMD_PORT),
});
setDefaultRuntime(node.runtime);

const Counter: GenServer.GenServerModule<number> = {
  init: () => ['ok', 0],
  handleCall(req, _from, n) {
    if (req === 'get') return ['reply', n, n];
    if (req === 'whoami') return ['reply', self(), n];
    if (req === 'crash') throw new Error('remote counter exploded');
    if (req === 'never') return ['noreply', n];
    if (Array.isArray(req) && req[0] === 'add') return ['reply', n + req[1], n + req[1]];
    return ['reply', ['unknown', req], n];
  },
  handleCast: (req: [string, number], n) => ['noreply', n + req[1]],
};

await GenServer.start(Counter, null, { name: 'counter' });
await GenServer.start(Counter, null, { name: 'fragile' });
process.stdout.write('counter ready\n');
