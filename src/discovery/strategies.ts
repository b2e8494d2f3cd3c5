/**
 * @module discovery/strategies
 * The names of the discovery strategies, alone in a file so that the command line can
 * check `--discovery` without loading discovery itself (see `index.ts` for what each does).
 */
export const STRATEGIES = ['gossip', 'lan', 'epmd', 'static', 'none'] as const;
export type Strategy = (typeof STRATEGIES)[number];
