/**
 * @module pubsub
 * Publish and subscribe across the cluster, designed as Phoenix.PubSub is.
 *
 * An instance (default `'PubSub'`; more by name) runs on every node as a small
 * supervision tree, `rest_for_one` so the server restarts whenever the Registry does:
 * - a Registry with duplicate keys, registered under the instance's name: topic to
 *   local subscribers. Subscribing registers the calling process; its entries vanish
 *   when it exits.
 * - one server per node (`pubsub/pg-adapter`), joined to the pg group
 *   `['PubSub', name]`, or to the `group` it was started with: the pubsub seed's
 *   Hermes on a BEAM node joins `{:hermes, Hermes.PubSub}`, and an instance started
 *   with `group: ['hermes', 'Elixir.Hermes.PubSub']` shares its publishes.
 *
 * A publish delivers to this node's subscribers directly and sends exactly one message
 * to each other node's server, which delivers to that node's subscribers. Subscribers
 * receive the published message itself.
 *
 * @example
 * iex(alice)> PubSub.subscribe('user.created')
 * 'ok'
 * iex(bob)> PubSub.publish('user.created', ['user', { id: 1, name: 'Ann' }])
 * 'ok'
 * iex(alice)> await receive(['user', _])
 * [ 'user', { id: 1, name: 'Ann' } ]
 */
import type { NodeName, Pid } from '../term.ts';
import { ProcessError, send } from '../process/index.ts';
import { unknownKey } from '../keys.ts';
import * as Registry from '../registry.ts';
import * as Supervisor from '../supervisor.ts';
import * as adapter from './pg-adapter.ts';

export const DEFAULT_PUBSUB = 'PubSub';

/** One PubSub instance's functions, bound to its name. */
export interface PubSubInstance {
  readonly name: string;
  subscribe(topic: string): 'ok';
  unsubscribe(topic: string): 'ok';
  publish(topic: string, msg: unknown): 'ok';
  broadcastFrom(from: Pid, topic: string, msg: unknown): 'ok';
  localBroadcast(topic: string, msg: unknown): 'ok';
  directBroadcast(node: NodeName, topic: string, msg: unknown): 'ok';
  subscribers(topic: string): Pid[];
}

// Client API

/** What a PubSub instance is started with. */
export interface StartOptions {
  /** Its name, the same on every node (default 'PubSub'). */
  name?: string;
  /** The pg group its servers join (default `['PubSub', name]`). */
  group?: unknown;
}

/**
 * Starts instance `name` on this node (do it on every node that takes part) and
 * returns its functions. Starting one that runs already just returns them.
 *
 * @example
 * iex(bob)> const hermes = await PubSub.start({ name: 'hermes' })
 * iex(bob)> hermes.subscribe('user.created')
 * 'ok'
 */
export async function start(opts: StartOptions = {}): Promise<PubSubInstance> {
  const name = checkOptions(opts);
  if (!Registry.whereis(name)) await Supervisor.start(children(name, opts.group), supervisorOptions(name));
  return instance(name);
}

/** Starts instance `name` linked to the caller and returns its supervisor: a child spec's start. */
export function startLink(opts: StartOptions = {}): Promise<Pid> {
  const name = checkOptions(opts);
  return Supervisor.startLink(children(name, opts.group), supervisorOptions(name));
}

/** The functions of instance `name`, which must be started on this node. */
export function instance(name: string = DEFAULT_PUBSUB): PubSubInstance {
  checkName(name);
  return {
    name,
    subscribe: (topic) => subscribe(topic, name),
    unsubscribe: (topic) => unsubscribe(topic, name),
    publish: (topic, msg) => publish(topic, msg, name),
    broadcastFrom: (from, topic, msg) => broadcastFrom(from, topic, msg, name),
    localBroadcast: (topic, msg) => localBroadcast(topic, msg, name),
    directBroadcast: (node, topic, msg) => directBroadcast(node, topic, msg, name),
    subscribers: (topic) => subscribers(topic, name),
  };
}

/** Subscribes the calling process to `topic`: published messages arrive in its mailbox. */
export function subscribe(topic: string, pubsub = DEFAULT_PUBSUB): 'ok' {
  Registry.register(running(pubsub), checkTopic(topic), null);
  return 'ok';
}

/** Removes every subscription of the calling process to `topic`. */
export function unsubscribe(topic: string, pubsub = DEFAULT_PUBSUB): 'ok' {
  Registry.unregister(running(pubsub), checkTopic(topic));
  return 'ok';
}

/** Delivers `msg` to every subscriber of `topic` on every node. */
export function publish(topic: string, msg: unknown, pubsub = DEFAULT_PUBSUB): 'ok' {
  return broadcastFromPid(null, topic, msg, pubsub);
}

/** Like `publish`, but not to `from` (typically the caller, `self()`). */
export function broadcastFrom(from: Pid, topic: string, msg: unknown, pubsub = DEFAULT_PUBSUB): 'ok' {
  return broadcastFromPid(from, topic, msg, pubsub);
}

/** Delivers `msg` to the subscribers of `topic` on this node only. */
export function localBroadcast(topic: string, msg: unknown, pubsub = DEFAULT_PUBSUB): 'ok' {
  dispatch(running(pubsub), checkTopic(topic), msg, null);
  return 'ok';
}

/** Delivers `msg` to the subscribers of `topic` on `node` only. */
export function directBroadcast(node: NodeName, topic: string, msg: unknown, pubsub = DEFAULT_PUBSUB): 'ok' {
  adapter.directBroadcast(running(pubsub), node, checkTopic(topic), msg);
  return 'ok';
}

/** This node's subscribers of `topic` (a pid subscribed twice is listed twice). */
export function subscribers(topic: string, pubsub = DEFAULT_PUBSUB): Pid[] {
  return Registry.lookup(running(pubsub), checkTopic(topic)).map(([pid]) => pid);
}

/**
 * Every topic with subscribers on this node, with how many it has, by topic.
 *
 * @example
 * iex(bob)> PubSub.subscribe('news')
 * 'ok'
 * iex(bob)> PubSub.topics()
 * [ [ 'news', 1 ] ]
 */
export function topics(pubsub = DEFAULT_PUBSUB): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const [topic] of Registry.select(running(pubsub))) counts.set(topic as string, (counts.get(topic as string) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Internals

/** The Registry first: `rest_for_one` restarts the server whenever the Registry restarts. */
function children(name: string, group: unknown): Supervisor.ChildSpec[] {
  return [
    { id: 'registry', start: () => Registry.startLink({ keys: 'duplicate', name }) },
    { id: 'server', start: () => adapter.startLink(name, (t, m, except) => dispatch(name, t, m, except), group ?? adapter.groupOf(name)) },
  ];
}

function supervisorOptions(name: string): Supervisor.SupervisorOptions {
  return { strategy: 'rest_for_one', name: `${name}.Supervisor` };
}

function broadcastFromPid(from: Pid | null, topic: string, msg: unknown, pubsub: string): 'ok' {
  const name = running(pubsub);
  checkTopic(topic);
  dispatch(name, topic, msg, from);
  adapter.broadcast(name, topic, msg, from);
  return 'ok';
}

function dispatch(name: string, topic: string, msg: unknown, except: Pid | null): void {
  Registry.dispatch(name, topic, (entries) => {
    for (const [pid] of entries) if (except === null || !pid.equals(except)) send(pid, msg);
  });
}

function running(name: string): string {
  checkName(name);
  if (!Registry.whereis(name)) {
    throw new ProcessError(
      'ERR_NO_PUBSUB',
      `PubSub ${JSON.stringify(name)} is not running on this node; start it with PubSub.start({ name: ${JSON.stringify(name)} })`,
    );
  }
  return name;
}

/** The instance's name from `start`'s options. */
function checkOptions(opts: StartOptions): string {
  const unknown = typeof opts === 'object' && opts !== null ? unknownKey(opts, ['name', 'group']) : undefined;
  if (unknown) throw new ProcessError('ERR_BAD_ARG', `PubSub options are { name?: string, group?: term }: ${unknown}`);
  return checkName(opts?.name ?? DEFAULT_PUBSUB);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new ProcessError('ERR_BAD_ARG', `a PubSub is named by a non-empty string, got: ${String(name)}`);
  }
  return name;
}

function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string') {
    throw new ProcessError('ERR_BAD_ARG', `a topic is a string, got: ${String(topic)}`);
  }
  return topic;
}

