/**
 * @module repl/modules
 * The helpers that are whole modules: the OTP behaviours (GenServer, Supervisor,
 * Registry, BasicServer), PubSub, udp and tracing (dbg, sys, seqTrace), loaded just
 * after the prompt appears. A new one is one line here and its docs in `docs-otp.ts`
 * (or `docs-pg.ts`, `docs-trace.ts`, `docs.ts`).
 */
import type { Helpers } from './helpers.ts';

/** Loads them as ES modules: the same instances the node runs on. */
export async function loadModuleHelpers(): Promise<Helpers> {
  const [{ GenServer, Supervisor, Registry, BasicServer, PubSub, dbg, sys, seqTrace }, udp] = await Promise.all([import('../index.ts'), import('./udp.ts')]);
  return { GenServer, Supervisor, Registry, BasicServer, PubSub, udp: udpHelper(udp), dbg, sys, seqTrace };
}

/** `udp` at the prompt: its three functions (not the module's classes). */
export function udpHelper(udp: typeof import('./udp.ts')): Helpers {
  return { open: udp.open, send: udp.send, close: udp.close };
}
