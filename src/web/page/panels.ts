/**
 * @module web/page/panels
 * The page's panels, each a function from the model to elements: one node's processes
 * and supervision trees, the pg groups, global names and PubSub topics of the whole
 * cluster, the partitions, and one process's info. Every term arrives as text and goes
 * into text nodes (`dom.ts`).
 */
import type { MemberModel, Model, NodeModel, ProcessDetails, TreeRow } from '../view.ts';
import { el } from './dom.ts';

/** Called with a process's key when the user clicks it. */
export type Pick = (key: string) => void;

/** The nodes as a list: name, status and for how long. */
export function nodeList(model: Model, selected: string, select: (node: string) => void): HTMLElement {
  return el('ul', { class: 'nodes' }, ...model.nodes.map((n) =>
    el('li', { class: `${n.status}${n.name === selected ? ' selected' : ''}`, data: { node: n.name, status: n.status }, onclick: () => select(n.name) },
      el('span', { class: 'dot' }), n.name, ' ', el('span', { class: 'muted' }, statusText(n)))));
}

/** One node's processes, registered ones first. */
export function processTable(n: NodeModel, pick: Pick): HTMLElement {
  if (!n.seen) return el('p', { class: 'muted' }, `${n.name} has not reported (it may not be a playground node).`);
  const rows = n.processes.map((p) =>
    el('tr', { data: { key: p.key, name: p.name }, onclick: () => pick(p.key), class: p.queue > 0 ? 'queued' : undefined },
      el('td', { class: 'pid' }, p.pid),
      el('td', {}, p.name),
      el('td', {}, p.module ? `${p.kind} ${p.module}` : p.kind),
      el('td', { class: 'num' }, String(p.queue))));
  return el('div', {},
    n.status === 'down' || n.status === 'cut' ? el('p', { class: 'warn' }, `${n.name} is ${n.status === 'cut' ? 'cut off by a partition' : 'down'}: this is its last view.`) : null,
    el('table', { class: 'procs' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Pid'), el('th', {}, 'Name'), el('th', {}, 'Kind'), el('th', { class: 'num' }, 'Queue'))),
      el('tbody', {}, ...rows)),
    n.more > 0 ? el('p', { class: 'muted' }, `and ${n.more} more`) : null);
}

/** One node's supervision trees, drawn as trees. */
export function trees(n: NodeModel, pick: Pick): HTMLElement {
  if (n.trees.length === 0) return el('p', { class: 'muted' }, 'No supervisors.');
  return el('div', { class: 'trees' }, ...n.trees.map((t) => el('ul', { class: 'tree' }, branch(t, pick))));
}

function branch(t: TreeRow, pick: Pick): HTMLElement {
  const key = t.key;
  return el('li', {},
    el('span', { class: `leaf ${t.kind}`, onclick: key ? () => pick(key) : undefined, data: key ? { key } : {} }, t.label),
    t.children.length > 0 ? el('ul', {}, ...t.children.map((c) => branch(c, pick))) : null);
}

/** pg groups with their members across the cluster. */
export function groups(model: Model, pick: Pick): HTMLElement {
  if (model.groups.length === 0) return el('p', { class: 'muted' }, 'No groups. pg.join(group, self()) makes one.');
  return el('dl', { class: 'groups' }, ...model.groups.flatMap((g) => [
    el('dt', { data: { group: g.group } }, g.group),
    el('dd', { data: { group: g.group } }, ...g.members.map((m) => chip(m, pick))),
  ]));
}

/** Global names and their holders. */
export function globals(model: Model, pick: Pick): HTMLElement {
  if (model.globals.length === 0) return el('p', { class: 'muted' }, "No global names. global.register('name', self()) takes one.");
  return el('dl', { class: 'groups' }, ...model.globals.flatMap((g) => [
    el('dt', { data: { global: g.name } }, g.name),
    el('dd', {}, chip(g, pick)),
  ]));
}

/** PubSub topics with their subscribers per node. */
export function topics(model: Model): HTMLElement {
  if (model.topics.length === 0) return el('p', { class: 'muted' }, "No subscribers. PubSub.subscribe('topic') adds one.");
  return el('table', { class: 'topics' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Topic'), el('th', { class: 'num' }, 'Subscribers'), el('th', {}, 'Per node'))),
    el('tbody', {}, ...model.topics.map((t) =>
      el('tr', { data: { topic: t.topic } },
        el('td', {}, t.topic),
        el('td', { class: 'num' }, String(t.total)),
        el('td', { class: 'muted' }, t.nodes.map((n) => `${n.node}: ${n.count}`).join(', '))))));
}

/** The partitions in force, or nothing. */
export function partitions(model: Model): HTMLElement | null {
  if (model.partitions.length === 0) return null;
  return el('div', { class: 'partitions' }, ...model.partitions.map((p) =>
    el('p', { class: 'warn', data: { partition: p.id } }, `Partition by ${p.by}: ${p.a.join(', ')}  ✂  ${p.b.join(', ')}. heal() joins them again.`)));
}

/** One process's info, as rows. */
export function details(d: ProcessDetails | null, key: string, close: () => void): HTMLElement {
  const head = el('div', { class: 'head' }, el('strong', {}, d ? `${d.pid} on ${d.node}` : 'Process'), el('button', { onclick: close, title: 'Close' }, '×'));
  if (!d) return el('div', {}, head, el('p', { class: 'muted', data: { gone: key } }, 'This process is not alive (or its node cannot be reached).'));
  return el('div', {}, head, el('table', { class: 'info' }, ...d.rows.map(([label, value]) =>
    el('tr', {}, el('th', {}, label), el('td', {}, el('pre', {}, value))))));
}

function chip(m: MemberModel, pick: Pick): HTMLElement {
  return el('span', { class: 'chip', data: { key: m.key, member: m.node }, onclick: () => pick(m.key), title: m.node }, m.pid, el('small', {}, ` ${m.node}`));
}

function statusText(n: NodeModel): string {
  const ago = Math.max(0, Math.round((Date.now() - n.since) / 1000));
  if (n.status === 'self') return 'this node';
  if (n.status === 'down') return `down for ${ago} s`;
  if (n.status === 'cut') return `cut off for ${ago} s`;
  return 'up';
}
