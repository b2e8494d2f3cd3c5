/**
 * @module web/page/graph
 * The cluster as a picture: nodes on a circle (the node serving the page at the top,
 * the others clockwise by name), a line per connection labelled with its message
 * rate, a red dashed line with a pair of scissors across each partition, and nodes
 * that are down or cut off drawn hollow and grey. A full mesh of up to a few dozen
 * nodes reads well on a circle, so there is no layout engine to ship.
 */
import type { Model, NodeModel } from '../view.ts';
import { svg } from './dom.ts';

const SIZE = 360;
const CENTER = SIZE / 2;
/** Where along a line its label may go, in order of preference. */
const LABEL_SPOTS = [0.5, 0.25, 0.75, 0.35, 0.65];

/** The graph as an SVG element; clicking a node calls `select` with its name. */
export function graph(model: Model, selected: string, select: (node: string) => void): SVGSVGElement {
  const nodes = model.nodes;
  const radius = nodes.length === 1 ? 0 : SIZE / 2 - 60;
  const at = new Map(nodes.map((n, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
    return [n.name, [CENTER + radius * Math.cos(angle), CENTER + radius * Math.sin(angle)] as const];
  }));
  // Each label at the first free spot along its line: lines that cross keep theirs apart.
  const taken: Array<readonly [number, number]> = [...at.values()];
  const lines = model.links.flatMap((l) => {
    const a = at.get(l.a);
    const b = at.get(l.b);
    if (!a || !b) return [];
    const spots = LABEL_SPOTS.map((t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t] as const);
    const spot = spots.find(([x, y]) => taken.every(([tx, ty]) => Math.abs(tx - x) > 48 || Math.abs(ty - y) > 26)) ?? spots[0]!;
    taken.push(spot);
    return [svg('g', {}, { class: l.cut ? 'link cut' : 'link', data: { link: `${l.a} ${l.b}` } },
      svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }),
      svg('text', { x: spot[0], y: spot[1] + 4, 'text-anchor': 'middle' }, {}, l.cut ? '✂ cut' : `${l.rate} msg/s`))];
  });
  const circles = nodes.map((n) => {
    const [x, y] = at.get(n.name)!;
    return svg('g', {}, {
      class: `node ${n.status}${n.name === selected ? ' selected' : ''}`,
      data: { node: n.name, status: n.status },
      onclick: () => select(n.name),
    },
      svg('circle', { cx: x, cy: y, r: 22 }),
      svg('text', { x, y: y + 40, 'text-anchor': 'middle', class: 'name' }, {}, n.name),
      svg('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'count' }, {}, badge(n)));
  });
  return svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img' }, { class: 'graph' }, ...lines, ...circles);
}

/** What a node's circle says: its process count, or why there is none. */
function badge(n: NodeModel): string {
  if (n.status === 'down') return 'down';
  if (n.status === 'cut') return 'cut';
  return n.seen ? String(n.processes.length + n.more) : '?';
}
