/**
 * @module erlang/address
 * Where a node is on the network, read from its name as Erlang reads it (beneath the
 * node, beside epmd, whose client asks it whether a host is this machine).
 *
 * - A short name (`bob@vm`: a host without dots) is for one machine. Its node listens on
 *   loopback and is found through this machine's port mapper.
 * - A long name (`bob@10.0.0.7`, `bob@laptop.example.org`: an address, or a host name
 *   with dots) is for a network. Its node listens on every interface, and its host's
 *   port mapper answers look-ups on the name's address, so `connect('bob@10.0.0.7')`
 *   from another machine asks 10.0.0.7 for bob's port: no guessing, no broadcast.
 *
 * The two kinds never mix in one cluster (Erlang's rule): a node refuses a peer whose
 * name is of the other kind, and both sides say so (see `node/handshake.ts`).
 *
 * @example
 * nameKind('bob@vm') //=> 'short'
 * nameKind('bob@10.0.0.7') //=> 'long'
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { NodeName } from '../term.ts';

export type NameKind = 'short' | 'long';

/** Where a long-named node can be reached from other machines, or why it cannot. */
export interface Reach {
  /** The address of this machine that the name stands for; null when there is none. */
  address: string | null;
  /** Why other machines will not reach the node, when they will not. */
  warning?: string;
}

// Client API

/** `host` of `alive@host`. */
export function hostOf(name: NodeName): string {
  return name.slice(name.indexOf('@') + 1);
}

/** Long for an address or a host name with dots, short otherwise. */
export function nameKind(name: NodeName): NameKind {
  const host = hostOf(name);
  return host.includes('.') || host.includes(':') ? 'long' : 'short';
}

/** True for 127.x.y.z, ::1 and localhost: addresses no other machine can use. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host.startsWith('::ffff:127.');
}

/** True when `host` names this machine (so its port mapper knows the node). */
export function isLocalHost(host: string): boolean {
  const h = hostname();
  return isLoopback(host) || host === h || host === h.split('.')[0] || localAddresses().includes(host);
}

/** This machine's IPv4 addresses that other machines can use (no loopback). */
export function localAddresses(): string[] {
  return interfaces().map((i) => i.address);
}

/**
 * For every IPv4 network this machine is on: its address there and that network's
 * broadcast address (what `--discovery lan` sends to besides 255.255.255.255).
 */
export function localNetworks(): { address: string; broadcast: string }[] {
  return interfaces().map((i) => ({ address: i.address, broadcast: fromInt((toInt(i.address) | (~toInt(i.netmask) >>> 0)) >>> 0) }));
}

/** True when `address` is on one of this machine's IPv4 networks. */
export function onLocalNetwork(address: string): boolean {
  return isIP(address) === 4 && interfaces().some((i) => ((toInt(address) ^ toInt(i.address)) & toInt(i.netmask)) === 0);
}

/**
 * Where other machines reach a long-named node: its name's host when that is an
 * address of this machine (or a host name resolving to one). A short name, or a long
 * name on loopback, is reachable from this machine only: null, without a warning.
 */
export async function reachOf(name: NodeName): Promise<Reach> {
  const host = hostOf(name);
  if (nameKind(name) === 'short' || isLoopback(host)) return { address: null };
  const mine = localAddresses();
  if (isIP(host)) {
    if (mine.includes(host)) return { address: host };
    return { address: null, warning: `${host} is not an address of this machine: other machines cannot reach ${name}${suggestion(name, mine)}` };
  }
  let resolved: string;
  try {
    resolved = (await dnsLookup(host, { family: 4 })).address;
  } catch {
    return { address: null, warning: `${host} does not resolve here: other machines cannot reach ${name}${suggestion(name, mine)}` };
  }
  if (mine.includes(resolved)) return { address: resolved };
  const what = isLoopback(resolved) ? 'a loopback address' : 'not an address of this machine';
  return { address: null, warning: `${host} resolves to ${resolved}, ${what}: other machines cannot reach ${name}${suggestion(name, mine)}` };
}

/**
 * The name `--name alive` gives without a host: this machine's full host name when it
 * has dots, else its one network address. Throws `Error` with the choices when neither.
 */
export function defaultLongHost(alive: string): string {
  const h = hostname();
  if (h.includes('.')) return h;
  const mine = localAddresses();
  if (mine.length === 1) return mine[0]!;
  const choices = mine.length === 0 ? 'this machine has no network address' : `this machine's addresses: ${mine.join(', ')}`;
  throw new Error(`--name ${alive}: the host name ${h} has no dots; give the address others reach you at, e.g. --name ${alive}@${mine[0] ?? '10.0.0.7'} (${choices})`);
}

// Internals

/** How long the list of interfaces is trusted (ms): asking the system costs, and a Wi-Fi change is rare. */
const INTERFACES_TTL = 1000;
let cached: { at: number; list: NetworkInterfaceInfo[] } | null = null;

/** This machine's IPv4 interfaces that other machines can use, as of at most a second ago. */
function interfaces(): NetworkInterfaceInfo[] {
  const now = Date.now();
  if (cached && now - cached.at < INTERFACES_TTL) return cached.list;
  const list = Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((i) => i.family === 'IPv4' && !i.internal);
  cached = { at: now, list };
  return list;
}

function suggestion(name: NodeName, mine: string[]): string {
  const alive = name.slice(0, name.indexOf('@'));
  return mine.length === 0 ? '' : ` (use --name ${alive}@${mine[0]}${mine.length > 1 ? `, or one of ${mine.slice(1).join(', ')}` : ''})`;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}
