/**
 * @module web/page/graph
 * The cluster as a picture: nodes on a circle (the node serving the page at the top,
 * the others clockwise by name), a line per connection labelled with its message
 * rate, a red dashed line with a pair of scissors across each partition, and nodes
 * that are down or cut off drawn hollow and grey. A full mesh of up to a few dozen
 * nodes reads well on a circle, so there is no layout engine to ship. The circle
 * grows with the number of nodes (a workshop has dozens), and beyond `ALL_LABELS`
 * nodes only the links of the selected node carry their labels.
 */
import type { Model, NodeModel } from '../view.ts';
import { svg } from './dom.ts';

/** The radius of the circle for a few nodes, and the room each node needs along it. */
const RADIUS = 120;
const ROOM_PER_NODE = 50;
/** Up to this many nodes, every link is labelled. */
const ALL_LABELS = 8;
/** Where along a line its label may go, in order of preference. */
const LABEL_SPOTS = [0.5, 0.25, 0.75, 0.35, 0.65];

/** The graph as an SVG element; clicking a node calls `select` with its name. */
export function graph(model: Model, selected: string, select: (node: string) => void): SVGSVGElement {
  const nodes = model.nodes;
  const radius = nodes.length === 1 ? 0 : Math.max(RADIUS, (nodes.length * ROOM_PER_NODE) / (2 * Math.PI));
  // Room around the circle for the names, which stand outside it.
  const center = radius + 30 + 7.5 * Math.max(...nodes.map((n) => n.name.length));
  const angles = new Map(nodes.map((n, i) => [n.name, -Math.PI / 2 + (2 * Math.PI * i) / nodes.length]));
  const around = (angle: number, r: number) => [center + r * Math.cos(angle), center + r * Math.sin(angle)] as const;
  const at = new Map(nodes.map((n) => [n.name, around(angles.get(n.name)!, radius)]));
  const labelled = (a: string, b: string) => nodes.length <= ALL_LABELS || a === selected || b === selected;
  // Each label at the first free spot along its line: lines that cross keep theirs apart.
  const taken: Array<readonly [number, number]> = [...at.values()];
  const lines = model.links.flatMap((l) => {
    const a = at.get(l.a);
    const b = at.get(l.b);
    if (!a || !b) return [];
    const line = svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] });
    const group = { class: l.cut ? 'link cut' : 'link', data: { link: `${l.a} ${l.b}` } };
    if (!labelled(l.a, l.b)) return [svg('g', {}, group, line)];
    const spots = LABEL_SPOTS.map((t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t] as const);
    const free = spots.find(([x, y]) => taken.every(([tx, ty]) => Math.abs(tx - x) > 48 || Math.abs(ty - y) > 26));
    if (!free && nodes.length > ALL_LABELS) return [svg('g', {}, group, line)];
    const spot = free ?? spots[0]!;
    taken.push(spot);
    return [svg('g', {}, group, line,
      svg('text', { x: spot[0], y: spot[1] + 4, 'text-anchor': 'middle' }, {}, l.cut ? '✂ cut' : `${l.rate} msg/s`))];
  });
  const circles = nodes.map((n) => {
    const [x, y] = at.get(n.name)!;
    // The name outside the circle, beside its node, so that neighbours' names do not meet.
    const angle = angles.get(n.name)!;
    const [nx, ny] = nodes.length === 1 ? [x, y + 40] : around(angle, radius + 30);
    const anchor = Math.abs(Math.cos(angle)) < 0.3 ? 'middle' : Math.cos(angle) > 0 ? 'start' : 'end';
    return svg('g', {}, {
      class: `node ${n.status}${n.name === selected ? ' selected' : ''}`,
      data: { node: n.name, status: n.status },
      onclick: () => select(n.name),
    },
      svg('circle', { cx: x, cy: y, r: 22 }),
      svg('text', { x: nx, y: ny + 4, 'text-anchor': anchor, class: 'name' }, {}, n.name),
      svg('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'count' }, {}, badge(n)));
  });
  return svg('svg', { viewBox: `0 0 ${2 * center} ${2 * center}`, role: 'img' }, { class: 'graph' }, ...lines, ...circles);
}

/** What a node's circle says: its process count, or why there is none. */
function badge(n: NodeModel): string {
  if (n.status === 'down') return 'down';
  if (n.status === 'cut') return 'cut';
  return n.seen ? String(n.processes.length + n.more) : '?';
}
