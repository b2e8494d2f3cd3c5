/**
 * @module node/partition
 * Breaking the network on purpose, to watch what a netsplit does: `partition` cuts the
 * cluster in two from any node, `heal` mends it, `partitions` shows the cuts, and
 * `delay` and `drop` make one link slow or lossy. Every node prints a line above its
 * prompt when a cut starts and when it heals. How cuts travel and hold: `cut.ts`.
 *
 * `disconnect(node)` is not a partition: it closes one connection once, and discovery
 * or the next send connects again within a heartbeat.
 *
 * @example
 * iex(bob)> node()
 * 'bob@vm'
 * iex(carol)> node()
 * 'carol@vm'
 * iex(alice)> partition(['alice@vm'], ['bob@vm', 'carol@vm'])
 * //=> [warning] netsplit by alice@vm: alice@vm | bob@vm, carol@vm; this node is cut off from bob@vm, carol@vm until heal()
 * iex(alice)> list()
 * []
 * iex(alice)> heal()
 * //=> [info] network healed by alice@vm: reconnecting to bob@vm, carol@vm
 */
import { isNodeName } from './handshake.ts';
import { currentNode, node as thisNode } from './index.ts';
import type { Node } from './node.ts';
import type { Partition } from './cut.ts';
import { format, type NodeName } from '../term.ts';
import { CodedError } from '../errors.ts';

export type { Partition } from './cut.ts';

/** A partition, delay or drop that was refused; nothing was cut. */
export class PartitionError extends CodedError<'ERR_BAD_ARG' | 'ERR_UNKNOWN_NODE' | 'ERR_OVERLAP' | 'ERR_NOT_ALIVE'> {}

// Client API

/**
 * Cuts every connection between the nodes of `a` and those of `b`, cluster-wide, and
 * keeps them cut (no discovery, no reconnect) until `heal()`. `b` defaults to every
 * other node this node knows. Each side must name this node or nodes it is connected to;
 * a node on both sides, or one that is neither, is a `PartitionError` and cuts nothing.
 */
export function partition(a: NodeName[], b?: NodeName[]): Partition {
  const n = requireNode('partition');
  const known = new Set([n.name, ...n.list()]);
  const sideA = side(a, 'the first side', known);
  const sideB = b === undefined ? [...known].filter((x) => !sideA.includes(x)) : side(b, 'the second side', known);
  const both = sideA.find((x) => sideB.includes(x));
  if (both) throw new PartitionError('ERR_OVERLAP', `${both} is on both sides of the partition: a node can only be on one`);
  if (sideB.length === 0) throw new PartitionError('ERR_BAD_ARG', 'the other side is empty: no node is connected to cut off');
  return n.cuts.partition(sideA, sideB);
}

/** Lifts every partition, delay and drop, cluster-wide; the cut nodes reconnect at once. */
export function heal(): 'ok' {
  requireNode('heal').cuts.heal();
  return 'ok';
}

/** The partitions this node knows of (every node of the cluster reports the same). */
export function partitions(): Partition[] {
  return currentNode()?.cuts.partitions() ?? [];
}

/**
 * Holds back every frame between this node and `node` by `ms` (both ways; 0 ends it).
 * Order is kept. `heal()` ends it too.
 */
export function delay(node: NodeName, ms: number): 'ok' {
  const n = requireLink(node, 'delay');
  if (typeof ms !== 'number' || !(ms >= 0) || ms > 60_000) {
    throw new PartitionError('ERR_BAD_ARG', `delay expects a number of ms from 0 to 60000. Got: ${String(ms)}`);
  }
  n.cuts.shape(node, ms, n.cuts.shapeOf(node).drop);
  return 'ok';
}

/**
 * Loses `fraction` (0 to 1) of the messages between this node and `node`, both ways
 * (links, monitors and the node's bookkeeping still get through). 0 ends it.
 */
export function drop(node: NodeName, fraction: number): 'ok' {
  const n = requireLink(node, 'drop');
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new PartitionError('ERR_BAD_ARG', `drop expects a fraction from 0 to 1. Got: ${String(fraction)}`);
  }
  n.cuts.shape(node, n.cuts.shapeOf(node).delay, fraction);
  return 'ok';
}

// Internals

function requireNode(what: string): Node {
  const n = currentNode();
  if (n) return n;
  throw new PartitionError('ERR_NOT_ALIVE', `cannot ${what}: this node is not distributed (start it with --sname <name>)`);
}

function requireLink(node: NodeName, what: string): Node {
  const n = requireNode(what);
  if (!n.list().includes(node)) {
    throw new PartitionError('ERR_UNKNOWN_NODE', `${what}: ${JSON.stringify(node)} is not connected to ${thisNode()}; list() shows the nodes that are`);
  }
  return n;
}

function side(nodes: unknown, what: string, known: Set<NodeName>): NodeName[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    const fix = isNodeName(nodes) ? ` (in brackets: partition([${format(nodes)}]))` : '';
    throw new PartitionError('ERR_BAD_ARG', `partition expects ${what} as a non-empty array of node names${fix}. Got: ${format(nodes)}`);
  }
  for (const x of nodes) {
    if (!isNodeName(x)) throw new PartitionError('ERR_BAD_ARG', `partition expects node names like 'bob@vm'. Got: ${JSON.stringify(x)}`);
    if (!known.has(x)) {
      throw new PartitionError('ERR_UNKNOWN_NODE', `unknown node ${x}: it is neither this node nor connected to it (list() shows the connected ones)`);
    }
  }
  return [...new Set(nodes as NodeName[])];
}
