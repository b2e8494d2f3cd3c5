/**
 * @module playground
 * The command line: `npx tsx playground --sname bob` starts a node and keeps it running;
 * `npx tsx playground --names` lists the names at the local port mapper.
 */
import { parseArgs } from 'node:util';
import { bootNode, printNames } from '../src/node/boot.ts';

let args;
try {
  args = parseArgs({
    options: {
      sname: { type: 'string' },
      name: { type: 'string' },
      cookie: { type: 'string' },
      discovery: { type: 'string' },
      heartbeat: { type: 'string' },
      connect: { type: 'string', multiple: true },
      'no-greet': { type: 'boolean' },
      names: { type: 'boolean' },
      port: { type: 'string' },
      'tick-time': { type: 'string' },
    },
    strict: true,
  }).values;
} catch (err) {
  process.stderr.write(`playground: ${(err as Error).message}\n`);
  process.exit(2);
}

if (args.names) {
  process.exitCode = await printNames();
} else {
  try {
    const booted = await bootNode({
      sname: args.sname,
      name: args.name,
      cookie: args.cookie,
      discovery: args.discovery,
      heartbeat: args.heartbeat,
      connect: args.connect,
      greet: !args['no-greet'],
      port: args.port,
      tickTime: args['tick-time'],
    });
    const where = booted.node ? `node ${booted.node.name} listening on port ${booted.node.port}` : 'not distributed';
    process.stdout.write(`[info] ${where}\n`);
    const stop = () => void booted.stop().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    setInterval(() => {}, 1 << 30);
  } catch (err) {
    process.stderr.write(`playground: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
