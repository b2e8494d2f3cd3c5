/**
 * @module repl/help
 * `h()`: every helper with one line each, grouped; `h(send)`, `h('send')` or
 * `h('pg.join')`: one helper's doc with an example, as iex's `h` does.
 *
 * Text fits the terminal: a summary too long for the room beside its signature wraps
 * under itself (a hanging indent), a signature too wide for its column puts its summary
 * on the next line, and details are paragraphs wrapped at the edge. Piped output is laid out for 80
 * columns. Examples are code and are never wrapped.
 */
import { stripVTControlCharacters } from 'node:util';
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
  /** More, if needed: prose, wrapped to the terminal (a blank line starts a new paragraph). */
  details?: string;
  /** A prompt transcript: lines starting with `> ` are typed, the others are printed. */
  example?: string;
}

/** Makes `h` over `docs` (which may grow) for the helpers in `helpers`, fitted to `columns()`. */
export function makeHelp(docs: HelpDoc[], helpers: Helpers, print: (text: string) => void, c: Colors, columns: () => number) {
  return function h(topic?: unknown): void {
    if (topic === undefined) return print(overview(docs, c, columns()));
    const name = typeof topic === 'string' ? topic : nameOf(topic, helpers);
    const doc = name === undefined ? undefined : docs.find((d) => d.name === name);
    if (doc === undefined) {
      const what = typeof topic === 'string' ? JSON.stringify(topic) : 'that value';
      return print(`No help for ${what}. h() lists every helper.`);
    }
    print(page(doc, docs, c, columns()));
  };
}

// Internals

/** The order of the groups in `h()`; any other group comes after these. */
const GROUP_ORDER = [
  'Nodes', 'Processes', 'Other nodes', 'Names', 'Netsplits on purpose', 'OTP behaviours', 'Process groups and PubSub', 'Sockets',
  'Tracing', 'Looking around', 'Patterns',
];

/** The narrowest a wrapped summary gets, however narrow the terminal. */
const MIN_TEXT = 24;

function overview(docs: HelpDoc[], c: Colors, columns: number): string {
  const top = docs.filter((d) => !d.name.includes('.'));
  const width = Math.min(34, Math.max(...top.map((d) => d.signature.length)));
  const groups = new Map<string, HelpDoc[]>();
  for (const d of top) groups.set(d.group, [...(groups.get(d.group) ?? []), d]);
  const rank = (group: string) => (GROUP_ORDER.includes(group) ? GROUP_ORDER.indexOf(group) : GROUP_ORDER.length);
  const out: string[] = [];
  for (const [group, entries] of [...groups].sort(([a], [b]) => rank(a) - rank(b))) {
    out.push(c.bold(group));
    out.push(...table(entries, '  ', width, c, columns));
  }
  out.push(
    '',
    ...wrap(`A promise is awaited, also in a declaration: const pid = spawn('bob@vm', f) binds the pid itself.`, columns),
    ...wrap(`${c.cyan('h(send)')} or ${c.cyan("h('pg.join')")} shows one helper's doc with an example.`, columns),
  );
  return out.join('\n');
}

function page(doc: HelpDoc, docs: HelpDoc[], c: Colors, columns: number): string {
  const out = [c.bold(c.cyan(doc.signature)), ''];
  const paragraphs = doc.details?.split('\n\n').map((p) => p.replace(/\n/g, ' ')) ?? [];
  for (const text of [doc.summary, ...paragraphs]) out.push(...wrap(text, columns - 2).map((line) => '  ' + line));
  if (doc.example) {
    out.push('', '  Example:');
    for (const line of doc.example.split('\n')) {
      out.push(line.startsWith('> ') ? `    ${c.dim('playground>')} ${line.slice(2)}` : `    ${line}`);
    }
  }
  const members = docs.filter((d) => d.name.startsWith(doc.name + '.'));
  if (members.length > 0) {
    out.push('', '  Members:');
    out.push(...table(members, '    ', Math.min(34, Math.max(...members.map((d) => d.signature.length))), c, columns));
  }
  return out.join('\n');
}

/** Signatures in a column `width` wide after `indent`, each summary wrapped beside it. */
function table(entries: HelpDoc[], indent: string, width: number, c: Colors, columns: number): string[] {
  const hanging = ' '.repeat(indent.length + width + 2);
  const room = Math.max(MIN_TEXT, columns - hanging.length);
  const out: string[] = [];
  for (const d of entries) {
    const [first = '', ...rest] = wrap(d.summary, room);
    if (d.signature.length > width) out.push(indent + c.cyan(d.signature), hanging + first);
    else out.push(`${indent}${c.cyan(d.signature.padEnd(width))}  ${first}`);
    for (const line of rest) out.push(hanging + line);
  }
  return out;
}

/**
 * `text` in lines of at most `width` visible columns, broken at spaces, each as indented
 * as `text` is (colour codes take no room; a word longer than a line stands alone).
 */
function wrap(text: string, width: number): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    if (line !== lead && visible(line) + 1 + visible(word) > width) {
      lines.push(line);
      line = lead + word;
    } else {
      line = line === lead ? lead + word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

function visible(text: string): number {
  return stripVTControlCharacters(text).length;
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
