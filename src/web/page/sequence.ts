/**
 * @module web/page/sequence
 * A `seqTrace` diagram drawn as a sequence diagram: one lifeline per process (its name
 * or pid over its node), one arrow per message, top to bottom in the order the trace
 * found; a spawn is dashed, a message still in its mailbox at the end is grey, and a
 * message a process sent to itself is a loop on its lifeline. Labels are text nodes.
 */
import type { DiagramModel } from '../view.ts';
import { el, svg } from './dom.ts';

const LANE = 150;
const ROW = 30;
const TOP = 46;

/** The latest diagrams, newest first. */
export function diagrams(list: DiagramModel[]): HTMLElement {
  if (list.length === 0) return el('p', { class: 'muted' }, 'No diagrams yet. await seqTrace(() => GenServer.call(...)) at any prompt draws one here.');
  return el('div', {}, ...list.map((d, i) =>
    el('figure', { class: 'sequence', data: { diagram: `${d.node} ${d.at}` } },
      el('figcaption', { class: 'muted' }, `seqTrace on ${d.node} at ${new Date(d.at).toLocaleTimeString()}`),
      drawing(d, `head${i}`))));
}

/** `head` names this drawing's arrowhead (ids are page-wide). */
function drawing(d: DiagramModel, head: string): SVGSVGElement {
  const x = (lane: number) => LANE / 2 + lane * LANE;
  const height = TOP + d.arrows.length * ROW + 16;
  const lanes = d.lanes.map((lane, i) => svg('g', {}, { class: 'lane' },
    svg('text', { x: x(i), y: 14, 'text-anchor': 'middle', class: 'who' }, {}, lane.label),
    svg('text', { x: x(i), y: 28, 'text-anchor': 'middle', class: 'where' }, {}, lane.node),
    svg('line', { x1: x(i), y1: 36, x2: x(i), y2: height })));
  const arrows = d.arrows.map((a, row) => {
    const y = TOP + row * ROW + 14;
    const cls = `arrow ${a.kind}${a.taken ? '' : ' untaken'}`;
    const [from, to] = [x(a.from), x(a.to)];
    const shape = from === to
      ? svg('path', { d: `M ${from} ${y - 6} h 24 v 12 h -20`, 'marker-end': `url(#${head})` })
      : svg('line', { x1: from, y1: y, x2: to + (to > from ? -4 : 4), y2: y, 'marker-end': `url(#${head})` });
    const labelX = from === to ? from + 30 : Math.min(from, to) + 8;
    return svg('g', {}, { class: cls, data: { arrow: a.label } },
      shape,
      svg('text', { x: labelX, y: y - 5, 'text-anchor': 'start' }, {}, a.label));
  });
  const defs = svg('defs', {}, {}, svg('marker', { id: head, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, {},
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' })));
  const width = Math.max(LANE, d.lanes.length * LANE);
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' }, { class: 'sequence' }, defs, ...lanes, ...arrows);
}
