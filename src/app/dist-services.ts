/**
 * @module app/dist-services
 * The services every node runs for the distributed helpers, as child specs for the
 * node's supervisor: the global name server (`global.ts`) and the code server that
 * shares definitions (`share.ts`). Remote spawn and rpc need no process of their own:
 * the node answers spawn requests itself (`node/spawn.ts`), with the rpc worker that
 * `rpc.ts` defines on load. Code sent here sees the public API even on a node without
 * a prompt (whose helpers, when it has one, come first).
 */
import { register, self, spawnLink } from '../process/index.ts';
import { server as globalNameServer, SERVER } from '../global.ts';
import { codeServer, CODE_SERVER } from '../share.ts';
import '../rpc.ts';
import { provideDefaults } from '../code.ts';
import type { Pid } from '../term.ts';

/** The child specs, in start order. */
export function distServices(): Array<{ id: string; start: () => Pid }> {
  void import('../index.ts').then((api) => provideDefaults(api));
  return [
    { id: SERVER, start: () => spawnLink(registered(SERVER, globalNameServer)) },
    { id: CODE_SERVER, start: () => spawnLink(registered(CODE_SERVER, codeServer)) },
  ];
}

// Internals

/** A body that registers its process under `name` first (as a supervisor child would). */
function registered(name: string, body: () => Promise<void>): () => Promise<void> {
  return function service() {
    register(name, self());
    return body();
  };
}
