/**
 * @module repl/later
 * What the prompt does not need in order to appear, loaded just after it has (input
 * waits for it): esbuild for TypeScript input and the docs behind `h()`.
 * Every module loaded before the prompt costs start-up time.
 *
 * Modules loaded here import nothing that holds state (the runtime, the node): a test
 * runner that loads the rest as CommonJS would otherwise get second copies of those.
 */
import type { HelpDoc } from './help.ts';
import type { HelperEnv, Helpers } from './helpers.ts';
import type { Transformed } from './transform.ts';

export interface Later {
  helpers: Helpers;
  docs: HelpDoc[];
  transform: (input: string) => Transformed;
}

export interface LaterEnv extends HelperEnv {
  /** Every helper, and every doc, as `h()` will look them up (they may grow). */
  allHelpers: Helpers;
  allDocs: HelpDoc[];
}

export async function loadLater(env: LaterEnv): Promise<Later> {
  const [transform, help, docs, pgDocs, otpDocs, distDocs, traceDocs, workshopDocs] = await Promise.all([
    import('./transform.ts'),
    import('./help.ts'),
    import('./docs.ts'),
    import('./docs-pg.ts'),
    import('./docs-otp.ts'),
    import('./docs-dist.ts'),
    import('./docs-trace.ts'),
    import('./docs-workshop.ts'),
  ]);
  await transform.warmUp();
  const helpers: Helpers = {
    h: help.makeHelp(env.allDocs, env.allHelpers, env.print, env.colors, env.columns),
  };
  const all = [
    ...docs.CORE_DOCS, ...pgDocs.PG_DOCS, ...otpDocs.BEHAVIOUR_DOCS, ...distDocs.DIST_DOCS, ...traceDocs.TRACE_DOCS,
    ...workshopDocs.WORKSHOP_DOCS,
  ];
  return { helpers, docs: all, transform: transform.toJavaScript };
}
