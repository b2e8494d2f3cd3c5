/**
 * @module repl/colors
 * Colours for the prompt's output, through picocolors: on for a terminal, off when the
 * output is piped or `NO_COLOR` is set (https://no-color.org: any non-empty value).
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Should output written to `stream` be coloured? */
export function wantsColors(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export function makeColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
