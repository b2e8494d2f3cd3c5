/**
 * @module env
 * The environment variables the playground reads, and the two ways it reads them. Every
 * one is optional; tests set them so that a run of theirs meets nothing of yours.
 *
 * | variable                    | what it sets                                            | default         |
 * | --------------------------- | ------------------------------------------------------- | --------------- |
 * | `PLAYGROUND_HOME`           | the directory of the cookie, history, lesson progress   | `~/.playground` |
 * | `PLAYGROUND_COOKIE`         | the cookie, when `--cookie` is not given                 | the cookie file |
 * | `PLAYGROUND_EPMD_PORT`      | the port mapper's TCP port                               | `ERL_EPMD_PORT` |
 * | `ERL_EPMD_PORT`             | the same, as Erlang reads it, when the one above is unset | 4369 (epmd's)   |
 * | `PLAYGROUND_EPMD_IDLE_MS`   | how long a port mapper no node uses waits, then exits   | 600000          |
 * | `PLAYGROUND_DISCOVERY_PORT` | the UDP port of `gossip` and `lan` discovery             | 45892           |
 * | `PLAYGROUND_LESSON_PORT`    | the UDP port of the hello-world lesson's own discovery   | 45826           |
 * | `PLAYGROUND_DEBUG`          | print debug log lines                                    | off             |
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The playground's own directory: `$PLAYGROUND_HOME`, else `~/.playground`.
 *
 * @example
 * playgroundHome({ PLAYGROUND_HOME: '/tmp/pg' }) //=> '/tmp/pg'
 */
export function playgroundHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLAYGROUND_HOME || join(homedir(), '.playground');
}

/**
 * The port in the variable `name`, or `fallback` when it is unset or not a port.
 *
 * @example
 * portFromEnv('PLAYGROUND_DISCOVERY_PORT', 45892, { PLAYGROUND_DISCOVERY_PORT: '14370' }) //=> 14370
 * portFromEnv('PLAYGROUND_DISCOVERY_PORT', 45892, { PLAYGROUND_DISCOVERY_PORT: 'x' }) //=> 45892
 */
export function portFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env[name]);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : fallback;
}
