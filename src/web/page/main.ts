/**
 * @module web/page/main
 * The page: it listens to the node's server-sent events (`/events`), and on each model
 * draws the graph, the node list, the selected node's processes and trees, the
 * cluster's groups, names and topics, the latest sequence diagrams, and a workshop's
 * roster when one is open on the node. Clicking a process asks `/api/process` for its
 * info. It only reads: nothing on the page sends anything to the node but those GETs.
 * A `token` in the page's address (a node serving beyond this machine) goes with every
 * request.
 */
import type { Model, ProcessDetails } from '../view.ts';
import { el, replace } from './dom.ts';
import { graph } from './graph.ts';
import * as panels from './panels.ts';
import { roster } from './roster.ts';
import { diagrams } from './sequence.ts';

const token = new URLSearchParams(location.search).get('token');
const query = token ? `?token=${encodeURIComponent(token)}` : '';

/** Beyond this many nodes the cluster takes a row of its own. */
const MANY = 8;

let model: Model | null = null;
let selected = '';
/** The process whose info is open, if any. */
let picked: string | null = null;

function select(node: string): void {
  selected = node;
  render();
}

async function pick(key: string): Promise<void> {
  picked = key;
  const sep = query ? '&' : '?';
  const res = await fetch(`/api/process${query}${sep}pid=${encodeURIComponent(key)}`).catch(() => null);
  const info = res?.ok ? ((await res.json()) as ProcessDetails) : null;
  if (picked !== key) return;
  replace('details', panels.details(info, key, unpick));
  document.getElementById('details')!.hidden = false;
}

function unpick(): void {
  picked = null;
  document.getElementById('details')!.hidden = true;
}

function render(): void {
  if (!model) return;
  const m = model;
  if (!m.nodes.some((n) => n.name === selected)) selected = m.self;
  const node = m.nodes.find((n) => n.name === selected)!;
  // A workshop's dozens of nodes get the page's whole width for the cluster.
  document.body.classList.toggle('many', m.nodes.length > MANY);
  replace('self', m.self);
  replace('graph', graph(m, selected, select));
  replace('node-list', panels.nodeList(m, selected, select));
  replace('partitions', panels.partitions(m));
  replace('node-title', `Processes on ${node.name}`);
  replace('processes', panels.processTable(node, pick));
  replace('trees-title', `Supervision trees on ${node.name}`);
  replace('trees', panels.trees(node, pick));
  replace('groups', panels.groups(m, pick));
  replace('globals', panels.globals(m, pick));
  replace('topics', panels.topics(m));
  replace('diagrams', diagrams(m.diagrams));
  renderRoster(m);
}

function renderRoster(m: Model): void {
  document.getElementById('roster-section')!.hidden = m.roster === null;
  replace('roster', roster(m, select));
}

function live(state: 'live' | 'lost'): void {
  const text = state === 'live' ? 'live' : 'connection lost: the node may have stopped; retrying';
  replace('live', el('span', { class: state, data: { live: state } }, text));
}

const events = new EventSource(`/events${query}`);
events.addEventListener('model', (e) => {
  model = JSON.parse((e as MessageEvent<string>).data) as Model;
  live('live');
  render();
});
events.addEventListener('error', () => live('lost'));
// Ages ("down for 12 s", time on a step) move on between models, and an open process's info is asked again.
setInterval(() => {
  if (model) replace('node-list', panels.nodeList(model, selected, select));
  if (model) renderRoster(model);
  if (picked) void pick(picked);
}, 1000);
