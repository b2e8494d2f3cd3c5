/**
 * @module test/support/netns
 * Two "hosts" for LAN tests: two network namespaces joined by a veth pair, each with a
 * default route on its veth end only, so a broadcast to 255.255.255.255 reaches the
 * other namespace and nothing else. Needs root (CAP_NET_ADMIN) and `ip`:
 * `namespacesUnavailable()` says, before a test registers, why it cannot make them (for
 * `testOrSkip`). `remove()` kills every process still inside the namespaces (nodes and
 * the port mappers they started) and deletes them.
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
  const remove = () => {
    for (const h of [a, b]) {
      for (const pid of pidsIn(h.ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      run(['netns', 'delete', h.ns], true);
    }
  };
  try {
    run(['netns', 'add', a.ns]);
    run(['netns', 'add', b.ns]);
    run(['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
    run(['link', 'set', vethA, 'netns', a.ns]);
    run(['link', 'set', vethB, 'netns', b.ns]);
    for (const [h, dev] of [[a, vethA], [b, vethB]] as const) {
      run(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', dev]);
      run(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      run(['-n', h.ns, 'link', 'set', dev, 'up']);
      run(['-n', h.ns, 'route', 'add', 'default', 'dev', dev]);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return { a, b, remove };
}

// Internals

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
