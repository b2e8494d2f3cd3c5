/**
 * @module repl/otp
 * The OTP helpers of the prompt: the behaviours (GenServer, Supervisor, Registry,
 * BasicServer) and PubSub as their modules, loaded just after the prompt appears. A new helper
 * module is one line here and its docs in `docs-otp.ts`.
 */
import type { Helpers } from './helpers.ts';

/** Loads the OTP modules (as ES modules: the same instances the node runs on). */
export async function loadOtpHelpers(): Promise<Helpers> {
  const [GenServer, Supervisor, Registry, BasicServer, PubSub] = await Promise.all([
    import('../genserver.ts'),
    import('../supervisor.ts'),
    import('../registry.ts'),
    import('../basic-server.ts'),
    import('../pubsub/index.ts'),
  ]);
  return { GenServer, Supervisor, Registry, BasicServer, PubSub };
}
