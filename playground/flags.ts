/**
 * @module playground/flags
 * The command line's flags: one table gives each flag's type, check, default, example
 * and description, and from it come the parser (`node:util` parseArgs, strict) and
 * `--help` (which also lists the environment variables, from a table of their own). A
 * bad flag or value is a `UsageError`: one line, exit status 2; Erlang's `-sname`,
 * `-name` and `-setcookie` are understood.
 */
import { parseArgs } from 'node:util';
import { LESSON_IDS } from '../lessons/ids.ts';
import type { BootOptions } from '../src/app/boot.ts';
import { STRATEGIES, type Strategy } from '../src/discovery/strategies.ts';
import { CodedError } from '../src/errors.ts';

export class UsageError extends CodedError<'ERR_USAGE'> {}

interface Flag {
  type: 'string' | 'boolean';
  /** The value's placeholder in --help. */
  value?: string;
  short?: string;
  multiple?: boolean;
  description: string;
  /** The default, as --help says it (parseArgs itself gets no defaults). */
  fallback: string;
  example: string;
  /** Returns an error message for a bad value, or undefined. */
  check?: (value: string) => string | undefined;
}

const NAME = /^[A-Za-z0-9_.-]+(@[A-Za-z0-9_.-]+)?$/;

const nodeList = (v: string) =>
  v.split(',').every((n) => n.trim() === '' || (NAME.test(n.trim()) && n.includes('@')))
    ? undefined
    : 'expects node names such as alice@vm, separated by commas';

const wholeNumber = (min: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min ? undefined : `expects a whole number >= ${min}`;

const portNumber = (v: string) => wholeNumber(0)(v) ?? (Number(v) < 65536 ? undefined : 'expects a port below 65536');

export const FLAGS: Record<string, Flag> = {
  sname: {
    type: 'string', value: 'name',
    description: 'Start a distributed node with a short name: bob becomes bob@<short host name>.',
    fallback: 'none (the node is not distributed)', example: '--sname bob',
    check: (v) => (NAME.test(v) ? undefined : 'expects letters, digits, _ - . (and optionally @host)'),
  },
  name: {
    type: 'string', value: 'name@host',
    description: 'Start a distributed node with a long name.',
    fallback: 'none', example: '--name bob@127.0.0.1',
    check: (v) => (NAME.test(v) ? undefined : 'expects name@host with letters, digits, _ - .'),
  },
  cookie: {
    type: 'string', value: 'secret',
    description: 'The secret nodes must share to connect.',
    fallback: '$PLAYGROUND_COOKIE, else ~/.playground/cookie (made once)', example: '--cookie workshop',
    check: (v) => (v.length > 0 ? undefined : 'expects a non-empty secret'),
  },
  discovery: {
    type: 'string', value: STRATEGIES.join('|'),
    description: 'How nodes find each other: UDP broadcast on this machine (gossip) or the LAN (lan), the port mapper (epmd), the --connect list (static), or not at all.',
    fallback: 'gossip', example: '--discovery epmd',
    check: (v) => ((STRATEGIES as readonly string[]).includes(v) ? undefined : `expects one of ${STRATEGIES.join(', ')}`),
  },
  heartbeat: {
    type: 'string', value: 'ms',
    description: 'Milliseconds between discovery announcements (or port-mapper polls).',
    fallback: '2000', example: '--heartbeat 500', check: wholeNumber(10),
  },
  connect: {
    type: 'string', value: 'node,...', multiple: true,
    description: 'Nodes to connect to at start (the list for --discovery static).',
    fallback: 'none', example: '--connect alice@vm,carol@vm',
    check: nodeList,
  },
  join: {
    type: 'string', value: 'node,...', multiple: true,
    description: 'Join the cluster through a known node and stay joined (retrying with backoff): the way in where broadcast does not pass, as at a workshop.',
    fallback: 'none', example: '--join teacher@10.0.0.5',
    check: nodeList,
  },
  workshop: {
    type: 'boolean',
    description: "Open the instructor's roster at start: every node of the cluster with its lesson, step, hints, last error and raised hand, live above the prompt (as workshop() does).",
    fallback: 'off', example: '--name teacher@10.0.0.5 --workshop',
  },
  'no-greet': {
    type: 'boolean',
    description: 'Do not greet the nodes that come up (the greeter is on by default).',
    fallback: 'greet', example: '--no-greet',
  },
  port: {
    type: 'string', value: 'port',
    description: 'TCP port this node accepts peers on.',
    fallback: 'any free port', example: '--port 9100',
    check: portNumber,
  },
  'tick-time': {
    type: 'string', value: 'ms',
    description: 'Milliseconds of silence after which a peer is declared down.',
    fallback: '60000', example: '--tick-time 5000', check: wholeNumber(100),
  },
  web: {
    type: 'boolean',
    description: "Serve a live page of the cluster (nodes, links, processes, trees, groups) on 127.0.0.1; its address prints at start. web() at the prompt does the same.",
    fallback: 'off', example: '--web',
  },
  'web-port': {
    type: 'string', value: 'port',
    description: 'The port of the live page (implies --web).',
    fallback: 'any free port', example: '--web-port 4000',
    check: portNumber,
  },
  'web-host': {
    type: 'string', value: 'address',
    description: 'The address of the live page (implies --web). Any but loopback gets a random token, printed in its address, that every viewer needs.',
    fallback: '127.0.0.1', example: '--web-host 0.0.0.0',
    check: (v) => (/^[0-9A-Za-z.:-]+$/.test(v) ? undefined : 'expects an address such as 0.0.0.0 or 192.168.1.10'),
  },
  lesson: {
    type: 'string', value: 'id',
    description: `Start (or resume) a guided lesson: ${LESSON_IDS.join(', ')}.`,
    fallback: 'none', example: '--lesson hello-world',
    check: (v) => (LESSON_IDS.includes(v) ? undefined : `expects one of ${LESSON_IDS.join(', ')}`),
  },
  auto: {
    type: 'boolean',
    description: 'Play the --lesson by itself: type every step, start the other nodes it needs, check each step; exit 0 when all pass.',
    fallback: 'off', example: '--lesson pubsub --auto',
  },
  'auto-delay': {
    type: 'string', value: 'ms',
    description: 'Pause between the steps of --auto.',
    fallback: '800', example: '--auto-delay 0', check: wholeNumber(0),
  },
  names: {
    type: 'boolean',
    description: "List the names registered at this machine's port mapper, then exit.",
    fallback: 'off', example: '--names',
  },
  help: { type: 'boolean', short: 'h', description: 'Show this help, then exit.', fallback: 'off', example: '--help' },
  version: { type: 'boolean', short: 'v', description: 'Print the version, then exit.', fallback: 'off', example: '--version' },
};

/** The environment variables the playground reads, for `--help`. */
export const ENVIRONMENT: Record<string, string> = {
  PLAYGROUND_HOME: 'Where the cookie, the history and lesson progress live (default ~/.playground).',
  PLAYGROUND_COOKIE: 'The cookie when --cookie is not given (else the cookie file in PLAYGROUND_HOME).',
  PLAYGROUND_EPMD_PORT: "The port mapper's TCP port on 127.0.0.1, shared with Erlang's epmd (default ERL_EPMD_PORT, else 4369).",
  ERL_EPMD_PORT: 'As Erlang reads it: the port mapper\'s port when PLAYGROUND_EPMD_PORT is unset.',
  PLAYGROUND_EPMD_IDLE_MS: 'How long a port mapper without nodes waits before it exits (default 600000).',
  PLAYGROUND_DISCOVERY_PORT: 'The UDP port of gossip and lan discovery (default 45892).',
  PLAYGROUND_LESSON_PORT: "The UDP port of the hello-world lesson's own discovery (default 45826).",
  PLAYGROUND_DEBUG: 'Any value shows debug log lines.',
  NO_COLOR: 'Any value turns colours off.',
};

export type Values = Record<string, string | boolean | string[] | undefined>;

/** The erl/iex spellings, accepted as they are: a habit, not a mistake. */
const ERLANG_SPELLINGS: Record<string, string> = { '-sname': '--sname', '-name': '--name', '-setcookie': '--cookie', '--setcookie': '--cookie' };

/**
 * Parses `argv`; throws `UsageError` for an unknown flag, a missing value or a bad one.
 * Erlang's `-sname`, `-name` and `-setcookie` work as `--sname`, `--name`, `--cookie`.
 */
export function parseFlags(argv: string[]): Values {
  let values: Values;
  try {
    values = parseArgs({ args: normalize(argv), options: parserOptions(), strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new UsageError('ERR_USAGE', describeParseError(err as Error & { code?: string }));
  }
  for (const [name, value] of Object.entries(values)) {
    const check = FLAGS[name]?.check;
    for (const v of Array.isArray(value) ? value : [value]) {
      const problem = typeof v === 'string' ? check?.(v) : undefined;
      if (problem) throw new UsageError('ERR_USAGE', `--${name} ${problem}. Got: ${JSON.stringify(v)}`);
    }
  }
  if (values.sname !== undefined && values.name !== undefined) throw new UsageError('ERR_USAGE', 'give either --sname or --name, not both');
  if (values.auto && values.lesson === undefined) throw new UsageError('ERR_USAGE', '--auto plays a lesson: give one with --lesson ID');
  for (const flag of ['join', 'workshop'] as const) {
    if (values[flag] !== undefined && values.sname === undefined && values.name === undefined) {
      throw new UsageError('ERR_USAGE', `--${flag} needs a named node: give --name ann@<your address> (or --sname ann on one machine)`);
    }
  }
  if (values.discovery === 'static' && values.connect === undefined) {
    throw new UsageError('ERR_USAGE', '--discovery static connects to the --connect list: give one, e.g. --connect alice@vm,bob@vm');
  }
  return values;
}

/**
 * Erlang's spellings become ours; a value that starts with a dash (`--tick-time -5`) is
 * kept as the value, so that its check can say what is wrong with it; a flag where a
 * value should be (`--sname --cookie x`) says the value is missing.
 */
function normalize(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = ERLANG_SPELLINGS[argv[i]!] ?? argv[i]!;
    const flag = FLAGS[arg.replace(/^--/, '')];
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && flag?.type === 'string' && next?.startsWith('-')) {
      if (isFlag(next)) throw new UsageError('ERR_USAGE', `${arg} needs a value, but ${next} follows it (see --help)`);
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    if (/^-[A-Za-z][\w-]+$/.test(arg) && FLAGS[arg.slice(1)]) throw new UsageError('ERR_USAGE', `unknown flag ${arg}: flags start with two dashes, as in -${arg} (see --help)`);
    out.push(arg);
  }
  return out;
}

function isFlag(arg: string): boolean {
  if (ERLANG_SPELLINGS[arg]) return true;
  const name = arg.replace(/^--?/, '').split('=')[0]!;
  return arg.startsWith('--') ? FLAGS[name] !== undefined : Object.values(FLAGS).some((f) => f.short === name) || FLAGS[name] !== undefined;
}

/** The node's options from checked flags: numbers as numbers, `--connect` lists as one list of names. */
export function bootOptions(values: Values): BootOptions {
  const text = (flag: string) => values[flag] as string | undefined;
  const whole = (flag: string) => (values[flag] === undefined ? undefined : Number(values[flag]));
  const nodes = (flag: string) => (values[flag] as string[] | undefined)?.flatMap((list) => list.split(',')).map((n) => n.trim()).filter(Boolean);
  return {
    sname: text('sname'),
    name: text('name'),
    cookie: text('cookie'),
    discovery: text('discovery') as Strategy | undefined,
    heartbeat: whole('heartbeat'),
    connect: nodes('connect'),
    join: nodes('join'),
    greet: !values['no-greet'],
    port: whole('port'),
    tickTime: whole('tick-time'),
    web: values.web || values['web-port'] !== undefined || values['web-host'] !== undefined
      ? { port: whole('web-port'), host: text('web-host') }
      : undefined,
  };
}

function parserOptions() {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries(FLAGS)) {
    options[name] = { type: f.type, ...(f.short && { short: f.short }), ...(f.multiple && { multiple: true }) };
  }
  return options;
}

/** The text of `--help`. */
export function helpText(version: string): string {
  const out = [
    `otp-playground ${version}: an iex-like prompt on a live node, for learning Erlang/OTP's ideas.`,
    '',
    'Usage: npx tsx playground [flags]',
    '',
    'Flags:',
  ];
  for (const [name, f] of Object.entries(FLAGS)) {
    const head = `  ${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` <${f.value}>` : ''}`;
    out.push(head, `      ${f.description}`, `      default: ${f.fallback}    example: ${f.example}`);
  }
  out.push('', 'Environment:');
  const width = Math.max(...Object.keys(ENVIRONMENT).map((k) => k.length));
  for (const [name, text] of Object.entries(ENVIRONMENT)) out.push(`  ${name.padEnd(width)}  ${text}`);
  out.push(
    '',
    'Examples:',
    '  npx tsx playground --sname alice          # in one terminal',
    '  npx tsx playground --sname bob            # in another: they find each other and greet',
    '  npx tsx playground --name teacher@10.0.0.5 --cookie ws --workshop        # a workshop: the teacher',
    '  npx tsx playground --name ann@10.0.0.7 --cookie ws --join teacher@10.0.0.5   # each attendee',
    "  printf 'list()\\n' | npx tsx playground --sname x   # a script: each line in order, exit 0 at the end",
  );
  return out.join('\n');
}

function describeParseError(err: Error & { code?: string }): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown flag ${unknown[1]} (see --help)`;
  const missing = /Option '([^']+)' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value (see --help)`;
  const positional = /Unexpected argument '([^']+)'/.exec(err.message);
  if (positional) return `unexpected argument ${JSON.stringify(positional[1])} (flags start with --; see --help)`;
  return err.message.split('\n')[0]!;
}
