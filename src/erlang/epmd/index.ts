/**
 * @module erlang/epmd
 * The name service every node shares, Erlang's epmd and the playground's port mapper
 * alike: the protocol (`protocol.ts`), the mapper itself (`server.ts`, run detached by
 * `main.ts`) and the client nodes use (`client.ts`).
 */
export { startPortMapper, type PortMapper } from './server.ts';
export { EpmdError, epmdPort, register, lookup, locate, names, isLocalHost, type Registration } from './client.ts';
export { aliveOf, formatNames } from './protocol.ts';
