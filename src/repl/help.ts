/**
 * @module repl/help
 * `h()`: every helper with one line each, grouped; `h(send)`, `h('send')` or
 * `h('pg.join')`: one helper's doc with an example, as iex's `h` does.
 */
import type { Colors } from './colors.ts';
import type { Helpers } from './helpers.ts';

/** The doc of one helper or member. */
export interface HelpDoc {
  /** `'send'`, or `'pg.join'` for a member of a helper. */
  name: string;
  /** The heading `h()` lists it under. */
  group: string;
  /** How it is called: `'send(dest, msg)'`. */
  signature: string;
  /** One line. */
  summary: string;
  /** More, if needed (may span lines). */
  details?: string;
  /** A prompt transcript: lines starting with `> ` are typed, the others are printed. */
  example?: string;
}

/** Makes `h` over `docs` (which may grow) for the helpers in `helpers`. */
export function makeHelp(docs: HelpDoc[], helpers: Helpers, print: (text: string) => void, c: Colors) {
  return function h(topic?: unknown): void {
    if (topic === undefined) return print(overview(docs, c));
    const name = typeof topic === 'string' ? topic : nameOf(topic, helpers);
    const doc = name === undefined ? undefined : docs.find((d) => d.name === name);
    if (doc === undefined) {
      const what = typeof topic === 'string' ? JSON.stringify(topic) : 'that value';
      return print(`No help for ${what}. h() lists every helper.`);
    }
    print(page(doc, docs, c));
  };
}

// Internals

/** The order of the groups in `h()`; any other group comes after these. */
const GROUP_ORDER = [
  'Nodes', 'Processes', 'Other nodes', 'Names', 'Netsplits on purpose', 'OTP behaviours', 'Process groups and PubSub', 'Sockets',
  'Tracing', 'Looking around', 'Patterns',
];

function overview(docs: HelpDoc[], c: Colors): string {
  const top = docs.filter((d) => !d.name.includes('.'));
  const width = Math.min(34, Math.max(...top.map((d) => d.signature.length)));
  const groups = new Map<string, HelpDoc[]>();
  for (const d of top) groups.set(d.group, [...(groups.get(d.group) ?? []), d]);
  const rank = (group: string) => (GROUP_ORDER.includes(group) ? GROUP_ORDER.indexOf(group) : GROUP_ORDER.length);
  const out: string[] = [];
  for (const [group, entries] of [...groups].sort(([a], [b]) => rank(a) - rank(b))) {
    out.push(c.bold(group));
    for (const d of entries) out.push(`  ${c.cyan(d.signature.padEnd(width))}  ${d.summary}`);
  }
  out.push('', `${c.cyan('h(send)')} or ${c.cyan("h('pg.join')")} shows one helper's doc with an example.`);
  return out.join('\n');
}

function page(doc: HelpDoc, docs: HelpDoc[], c: Colors): string {
  const out = [c.bold(c.cyan(doc.signature)), '', indent(doc.summary)];
  if (doc.details) out.push(indent(doc.details));
  if (doc.example) {
    out.push('', '  Example:');
    for (const line of doc.example.split('\n')) {
      out.push(line.startsWith('> ') ? `    ${c.dim('playground>')} ${line.slice(2)}` : `    ${line}`);
    }
  }
  const members = docs.filter((d) => d.name.startsWith(doc.name + '.'));
  if (members.length > 0) {
    const width = Math.max(...members.map((d) => d.signature.length));
    out.push('', '  Members:');
    for (const d of members) out.push(`    ${c.cyan(d.signature.padEnd(width))}  ${d.summary}`);
  }
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => '  ' + line)
    .join('\n');
}

/** The helper name under which `value` is found: `'send'`, or `'pg.join'` for a member. */
function nameOf(value: unknown, helpers: Helpers): string | undefined {
  for (const [name, helper] of Object.entries(helpers)) if (helper === value) return name;
  for (const [name, helper] of Object.entries(helpers)) {
    if (helper === null || (typeof helper !== 'object' && typeof helper !== 'function')) continue;
    for (const key of Object.getOwnPropertyNames(helper)) {
      try {
        if ((helper as Record<string, unknown>)[key] === value) return `${name}.${key}`;
      } catch {
        // A getter that throws is not what was asked about.
      }
    }
  }
  return undefined;
}
