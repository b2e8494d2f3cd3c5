/**
 * @module web/page/dom
 * The page's one way to make elements: `el(tag, props, ...children)`, where a child is
 * an element or a string, and a string always becomes a text node. Nothing here (or
 * anywhere in the page) assigns HTML, so a term that contains `<script>` or
 * `<img onerror>` shows as those characters and never runs. Attributes are limited to
 * a class, a title and data- attributes: none of them can load or run anything.
 */

export interface Props {
  class?: string;
  title?: string;
  /** data- attributes, without the prefix. */
  data?: Record<string, string>;
  onclick?: (event: MouseEvent) => void;
}

type Child = Node | string | null | undefined | false;

/** An HTML element with `props` and `children` (strings as text). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), props, children);
}

/** An SVG element; `attrs` are plain numbers and words (coordinates, classes). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, props: Props = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return fill(node, props, children);
}

/** Replaces the children of the element with id `id`. */
export function replace(id: string, ...children: Child[]): void {
  const target = document.getElementById(id);
  if (target) target.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
}

function fill<E extends Element>(node: E, props: Props, children: Child[]): E {
  if (props.class) node.setAttribute('class', props.class);
  if (props.title) node.setAttribute('title', props.title);
  for (const [k, v] of Object.entries(props.data ?? {})) node.setAttribute(`data-${k}`, v);
  if (props.onclick) node.addEventListener('click', props.onclick as EventListener);
  for (const c of children) if (c) node.append(c);
  return node;
}
