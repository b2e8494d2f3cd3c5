/**
 * @module test/support/netns
 * "Hosts" for LAN tests, as network namespaces; nothing they send can leave them.
 * - `createHosts()`: two namespaces joined by a veth pair.
 * - `createLan(n)`: n namespaces on one bridge, like laptops on a venue's network; the
 *   bridge lives in a namespace of its own (the switch), so the machine's own namespace
 *   gets no device at all. `dropBroadcast()` makes the switch drop IPv4 broadcast frames
 *   (both 255.255.255.255 and the subnet's; ARP still passes), as venue Wi-Fi often does;
 *   `dropLimitedBroadcast()` drops only 255.255.255.255; `rewriteBroadcastSource(host,
 *   port)` makes a host see every broadcast to 255.255.255.255 on `port` as coming from
 *   a gateway address no node has, as Podman's bridge does (`notes/containers.md`);
 *   `unplug(host)` makes the switch drop everything to and from a host until `plug(host)`,
 *   as a Wi-Fi link that comes and goes (the link itself stays up: nothing says it failed).
 *   Rules are nftables (`nftUnavailable()` says why they cannot be made).
 * Each host has a default route on its own link only, so a broadcast reaches the others
 * and nothing else. Needs root (CAP_NET_ADMIN) and `ip`: `namespacesUnavailable()` says,
 * before a test registers, why it cannot make them (for `testOrSkip`). `remove()` kills
 * every process still inside the namespaces (nodes and the port mappers they started)
 * and deletes them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { commandMissing } from './skip.ts';

export interface Host {
  /** The namespace name (pass `['ip', 'netns', 'exec', ns]` as the command prefix). */
  ns: string;
  address: string;
}

export interface Hosts {
  a: Host;
  b: Host;
  remove(): void;
}

// Client API

/** Why network namespaces cannot be made here, or null when they can (it makes and deletes one). */
export function namespacesUnavailable(): string | null {
  const missing = commandMissing('ip');
  if (missing) return missing;
  const probe = `pgtest-probe-${randomBytes(3).toString('hex')}`;
  try {
    run(['netns', 'add', probe]);
    return null;
  } catch (err) {
    return `cannot create network namespaces here (${(err as Error).message.split('\n')[0]})`;
  } finally {
    run(['netns', 'delete', probe], true);
  }
}

/** Creates the pair (throws when it cannot: ask `namespacesUnavailable()` first). */
export function createHosts(): Hosts {
  const id = randomBytes(3).toString('hex');
  const a: Host = { ns: `pgtest-a-${id}`, address: '10.231.0.1' };
  const b: Host = { ns: `pgtest-b-${id}`, address: '10.231.0.2' };
  const vethA = `pgva${id}`;
  const vethB = `pgvb${id}`;
  const remove = () => removeNamespaces([a.ns, b.ns]);
  try {
    run(['netns', 'add', a.ns]);
    run(['netns', 'add', b.ns]);
    run(['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
    run(['link', 'set', vethA, 'netns', a.ns]);
    run(['link', 'set', vethB, 'netns', b.ns]);
    for (const [h, dev] of [[a, vethA], [b, vethB]] as const) bringUp(h, dev);
  } catch (err) {
    remove();
    throw err;
  }
  return { a, b, remove };
}

export interface Lan {
  hosts: Host[];
  /** Every namespace it made: the hosts' and the switch's. */
  namespaces: string[];
  /** The gateway address `rewriteBroadcastSource` gives broadcasts (no host has it). */
  gateway: string;
  dropBroadcast(): void;
  dropLimitedBroadcast(): void;
  rewriteBroadcastSource(host: Host, port: number): void;
  unplug(host: Host): void;
  plug(host: Host): void;
  /** How many frames the switch has dropped so far. */
  dropped(): number;
  remove(): void;
}

/** Why nftables rules cannot be made here, or null when they can (`.ci/run` installs nftables). */
export function nftUnavailable(): string | null {
  return commandMissing('nft');
}

/** `count` hosts on one bridge: 10.232.0.1, .2, ... (throws when it cannot: ask `namespacesUnavailable()` first). */
export function createLan(count: number): Lan {
  const id = randomBytes(3).toString('hex');
  const sw = `pgtest-sw-${id}`;
  const hosts: Host[] = Array.from({ length: count }, (_, i) => ({ ns: `pgtest-${id}-${i + 1}`, address: `10.232.0.${i + 1}` }));
  const namespaces = [...hosts.map((h) => h.ns), sw];
  const remove = () => removeNamespaces(namespaces);
  const nft = (ns: string, ...rules: string[]) => {
    for (const rule of rules) execFileSync('ip', ['netns', 'exec', ns, 'nft', rule], { stdio: 'pipe', timeout: 5000 });
  };
  const bridgeRule = (match: string) =>
    nft(
      sw,
      'add table bridge venue',
      "add chain bridge venue relay { type filter hook forward priority 0; }",
      `add rule bridge venue relay ${match} counter drop`,
    );
  try {
    run(['netns', 'add', sw]);
    run(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    run(['-n', sw, 'link', 'set', 'br0', 'up']);
    hosts.forEach((h, i) => {
      const [inHost, inSwitch] = [`pg${id}h${i + 1}`, `pg${id}s${i + 1}`];
      run(['netns', 'add', h.ns]);
      run(['link', 'add', inHost, 'type', 'veth', 'peer', 'name', inSwitch]);
      run(['link', 'set', inSwitch, 'netns', sw]);
      run(['-n', sw, 'link', 'set', inSwitch, 'master', 'br0']);
      run(['-n', sw, 'link', 'set', inSwitch, 'up']);
      run(['link', 'set', inHost, 'netns', h.ns]);
      bringUp(h, inHost);
    });
  } catch (err) {
    remove();
    throw err;
  }
  const gateway = '10.232.0.254';
  const lan = (host: Host) => host.address.split('.').pop();
  return {
    hosts,
    namespaces,
    gateway,
    dropBroadcast: () => bridgeRule('ether type ip ether daddr ff:ff:ff:ff:ff:ff'),
    dropLimitedBroadcast: () => bridgeRule('ip daddr 255.255.255.255'),
    rewriteBroadcastSource: (host, port) =>
      nft(
        host.ns,
        'add table ip podman',
        "add chain ip podman incoming { type nat hook input priority 100; }",
        `add rule ip podman incoming ip daddr 255.255.255.255 udp dport ${port} snat to ${gateway}`,
      ),
    unplug: (host) => {
      const table = `unplugged${lan(host)}`;
      nft(sw, `add table bridge ${table}`, `add chain bridge ${table} relay { type filter hook forward priority -10; }`);
      nft(sw, `add rule bridge ${table} relay ip saddr ${host.address} drop`, `add rule bridge ${table} relay ip daddr ${host.address} drop`);
    },
    plug: (host) => nft(sw, `delete table bridge unplugged${lan(host)}`),
    dropped: () => {
      const table = execFileSync('ip', ['netns', 'exec', sw, 'nft', 'list', 'ruleset'], { timeout: 5000 }).toString();
      return [...table.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    },
    remove,
  };
}

// Internals

/** Gives a host its address on `dev`, loopback, and a default route on `dev` only. */
function bringUp(h: Host, dev: string): void {
  run(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', dev]);
  run(['-n', h.ns, 'link', 'set', 'lo', 'up']);
  run(['-n', h.ns, 'link', 'set', dev, 'up']);
  run(['-n', h.ns, 'route', 'add', 'default', 'dev', dev]);
}

/** Kills every process inside the namespaces, then deletes them (their devices go with them). */
function removeNamespaces(names: string[]): void {
  for (const ns of names) {
    for (const pid of pidsIn(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    run(['netns', 'delete', ns], true);
  }
}

function run(args: string[], quiet = false): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).toString();
  } catch (err) {
    if (quiet) return '';
    throw err;
  }
}

function pidsIn(ns: string): number[] {
  return run(['netns', 'pids', ns], true)
    .split('\n')
    .map(Number)
    .filter((n) => n > 0);
}
