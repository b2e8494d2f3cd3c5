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

/** The graph as an SVG element; clicking a node calls `select` with its name. */
export function graph(model: Model, selected: string, select: (node: string) => void): SVGSVGElement {
  const nodes = model.nodes;
  const radius = nodes.length === 1 ? 0 : SIZE / 2 - 60;
  const at = new Map(nodes.map((n, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
    return [n.name, [CENTER + radius * Math.cos(angle), CENTER + radius * Math.sin(angle)] as const];
  }));
  const lines = model.links.flatMap((l) => {
    const a = at.get(l.a);
    const b = at.get(l.b);
    if (!a || !b) return [];
    const [mx, my] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    return [svg('g', {}, { class: l.cut ? 'link cut' : 'link', data: { link: `${l.a} ${l.b}` } },
      svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }),
      svg('text', { x: mx, y: my - 4, 'text-anchor': 'middle' }, {}, l.cut ? '✂ cut' : `${l.rate}/s`))];
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
