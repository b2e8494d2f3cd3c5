/**
 * @module web/view
 * The two shapes of the web view's data:
 *
 * - `NodeView`: what one node's agent (`agent.ts`) reports about itself to a viewing
 *   node, as a message between nodes. It holds terms (pids, group names) as they are,
 *   so the viewing node prints them as its own prompt would.
 * - `Model`: what the viewing node's server sends the page, as JSON. Every term in it
 *   is already text (`format`), and the page puts text only in text nodes: a message
 *   that carries `<script>` shows as those characters.
 *
 * The page imports the `Model` types only (`import type`): nothing of the node's code
 * reaches the browser.
 */
import type { NodeName, Pid } from '../term.ts';

// Agent to viewer

/** One process, as the agent sees it. */
export interface ProcessEntry {
  pid: Pid;
  name: string | undefined;
  /** 'GenServer', 'Supervisor', 'shell' or 'process' (`processInfo`). */
  kind: string;
  module: string | undefined;
  queue: number;
  status: 'waiting' | 'runnable';
}

/** A supervisor and its children, as `Supervisor.whichChildren` tells them. */
export interface TreeEntry {
  /** 'undefined' for a child that does not run, 'restarting' while its restart waits. */
  pid: Pid | 'undefined' | 'restarting';
  /** The child's id in its supervisor; undefined for a root. */
  id: unknown;
  type: 'supervisor' | 'worker';
  /** 'busy' when the supervisor did not answer in time. */
  children: TreeEntry[] | 'busy';
}

/** A link to a peer, in frames per second each way. */
export interface LinkEntry {
  peer: NodeName;
  sent: number;
  received: number;
}

export interface NodeView {
  node: NodeName;
  links: LinkEntry[];
  /** The partitions this node takes part in (`partitions()`). */
  partitions: Array<{ id: string; a: NodeName[]; b: NodeName[]; by: NodeName }>;
  processes: ProcessEntry[];
  /** Processes left out of `processes` (the view lists at most `MAX_PROCESSES`). */
  more: number;
  trees: TreeEntry[];
  /** pg groups (default scope) with their members on this node. */
  groups: Array<[group: unknown, members: Pid[]]>;
  /** Global names held by processes of this node. */
  globals: Array<[name: string, pid: Pid]>;
  /** Topics of the default PubSub with their subscriber count on this node. */
  topics: Array<[topic: string, count: number]>;
  /** The latest sequence diagrams `seqTrace` drew on this node. */
  diagrams: DiagramModel[];
}

/** A sequence diagram as text: lanes left to right, arrows top to bottom (lanes by index). */
export interface DiagramModel {
  node: NodeName;
  /** When it was drawn (ms since the epoch). */
  at: number;
  lanes: Array<{ label: string; node: NodeName }>;
  arrows: Array<{ from: number; to: number; label: string; kind: 'send' | 'spawn'; taken: boolean }>;
}

// Server to page

export type NodeStatus = 'self' | 'up' | 'down' | 'cut';

export interface ProcessRow {
  /** The pid printed as at this node's prompt. */
  pid: string;
  /** What the page asks `/api/process` with. */
  key: string;
  name: string;
  kind: string;
  module: string;
  queue: number;
  status: string;
}

export interface TreeRow {
  label: string;
  /** The process's key, when it runs (to show its info on click). */
  key: string | null;
  kind: 'supervisor' | 'worker' | 'stopped';
  children: TreeRow[];
}

export interface NodeModel {
  name: NodeName;
  status: NodeStatus;
  /** When the status last changed (ms since the epoch). */
  since: number;
  /** False until the node's agent has reported (an Erlang node never does). */
  seen: boolean;
  processes: ProcessRow[];
  more: number;
  trees: TreeRow[];
}

export interface LinkModel {
  a: NodeName;
  b: NodeName;
  /** Frames per second, both ways. */
  rate: number;
  /** Cut by a partition. */
  cut: boolean;
}

export interface MemberModel {
  pid: string;
  key: string;
  node: NodeName;
}

export interface Model {
  /** The node serving the page. */
  self: NodeName;
  nodes: NodeModel[];
  links: LinkModel[];
  groups: Array<{ group: string; members: MemberModel[] }>;
  globals: Array<{ name: string } & MemberModel>;
  topics: Array<{ topic: string; total: number; nodes: Array<{ node: NodeName; count: number }> }>;
  partitions: Array<{ id: string; a: NodeName[]; b: NodeName[]; by: NodeName }>;
  /** The latest sequence diagrams drawn anywhere in the cluster, newest first. */
  diagrams: DiagramModel[];
  /** The workshop's roster, when one is open on the node serving the page. */
  roster: RosterRow[] | null;
}

/**
 * One row of a workshop's roster, in the order the roster reads (raised hands first);
 * times are ms since the epoch on the serving node's clock, so the page keeps them
 * ticking between models.
 */
export interface RosterRow {
  node: NodeName;
  /** `here`: connected; `gone`: it left or died; `refused`: it tried to join and was refused. */
  status: 'here' | 'gone' | 'refused';
  /** When the status last changed. */
  since: number;
  /** The lesson under way, or null before the first. */
  lesson: string | null;
  /** `5/14`, `done`, or '' before the first lesson. */
  step: string;
  /** The current step's title. */
  title: string;
  /** When the current step began; null when there is none to time (no lesson, done, gone). */
  stepSince: number | null;
  hints: number;
  /** The last failed input's error, its first line. */
  error: string | null;
  /** A raised hand: '' or what the attendee said; null when no hand is up. */
  hand: string | null;
  handSince: number;
  /** Why a refused node was refused. */
  reason: string | null;
}

/** `/api/process`: one process's info, every term as text. */
export interface ProcessDetails {
  pid: string;
  node: NodeName;
  rows: Array<[label: string, value: string]>;
}
