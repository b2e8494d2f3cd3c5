/**
 * @module discovery/stats
 * Counters kept by the discovery strategies, per node, for the REPL and for tests.
 */
import type { Node } from '../node/index.ts';

export interface DiscoveryStats {
  /** Announcements sent. */
  sent: number;
  /** Announcements heard from other nodes of this cluster. */
  heard: number;
  /** Announcements from clusters with another cookie. */
  foreign: number;
  /** Datagrams that were not announcements (ignored). */
  garbage: number;
}

const table = new WeakMap<Node, DiscoveryStats>();

/** The counters of `node` (created at zero on first use). */
export function statsOf(node: Node): DiscoveryStats {
  let s = table.get(node);
  if (!s) table.set(node, (s = { sent: 0, heard: 0, foreign: 0, garbage: 0 }));
  return s;
}
