/**
 * @module repl/docs-pg
 * The docs `h()` shows for process groups (`pg`, `getMembers`) and PubSub. Same format
 * as `docs.ts`.
 */
import type { HelpDoc } from './help.ts';

const GROUPS = 'Process groups and PubSub';

export const PG_DOCS: HelpDoc[] = [
  {
    name: 'pg', group: GROUPS, signature: 'pg.join/leave/getMembers/...',
    summary: "Erlang's pg: named groups of processes across the cluster.",
    details: "Any term names a group (['hermes', 'PubSub'] is one); a process joins on its own node and\nevery connected node sees it. Members leave when they exit or their node goes down.",
    example: "> pg.join('workers', self())\n'ok'\n> pg.getMembers('workers')\n[ #PID<0.7.0> ]",
  },
  {
    name: 'pg.join', group: GROUPS, signature: 'pg.join(group, pid | pids)',
    summary: 'Joins local processes to group (a pid may join more than once).',
    example: "> pg.join('workers', self())\n'ok'",
  },
  {
    name: 'pg.leave', group: GROUPS, signature: 'pg.leave(group, pid | pids)',
    summary: "Makes processes leave group once each; 'not_joined' when none was in it.",
    example: "> pg.leave('workers', self())\n'ok'",
  },
  {
    name: 'pg.getMembers', group: GROUPS, signature: 'pg.getMembers(group)',
    summary: 'Every member of group this node can see, local and remote.',
    example: "> pg.getMembers('workers')\n[ #PID<0.7.0>, #PID<12.7.0> ]",
  },
  {
    name: 'pg.getLocalMembers', group: GROUPS, signature: 'pg.getLocalMembers(group)',
    summary: 'The members of group that run on this node.',
    example: "> pg.getLocalMembers('workers')\n[ #PID<0.7.0> ]",
  },
  {
    name: 'pg.whichGroups', group: GROUPS, signature: 'pg.whichGroups()',
    summary: 'Every group with at least one visible member.',
    example: "> pg.whichGroups()\n[ 'workers' ]",
  },
  {
    name: 'pg.whichLocalGroups', group: GROUPS, signature: 'pg.whichLocalGroups()',
    summary: 'Every group with at least one member on this node.',
    example: "> pg.whichLocalGroups()\n[ 'workers' ]",
  },
  {
    name: 'pg.monitor', group: GROUPS, signature: 'pg.monitor(group)',
    summary: "Subscribes to joins and leaves of group: [ref, members], then [ref, 'join' | 'leave', group, pids] messages.",
    example: "> const [ref, members] = pg.monitor('workers')\n> pg.join('workers', self())\n'ok'\n> await receive([ref, _, _, _])\n[ #Reference<0.0.0.9>, 'join', 'workers', [ #PID<0.7.0> ] ]",
  },
  {
    name: 'pg.monitorScope', group: GROUPS, signature: 'pg.monitorScope()',
    summary: 'Subscribes to every join and leave: [ref, groups], then the same messages as pg.monitor.',
    example: '> const [ref, groups] = pg.monitorScope()',
  },
  {
    name: 'pg.demonitor', group: GROUPS, signature: 'pg.demonitor(ref)',
    summary: 'Stops a pg.monitor or pg.monitorScope subscription.',
    example: '> pg.demonitor(ref)\ntrue',
  },
  {
    name: 'PubSub', group: GROUPS, signature: 'PubSub.subscribe/publish/...',
    summary: 'Publish and subscribe across the cluster, designed as Phoenix.PubSub is.',
    details: "Every node runs the default instance 'PubSub': a Registry of local subscribers and one server\njoined to a pg group; a publish sends one message per other node, whose server delivers locally.",
    example: "> PubSub.subscribe('user.created')\n'ok'\n> PubSub.publish('user.created', ['user', { id: 1 }])\n'ok'\n> flush()\n[ 'user', { id: 1 } ]\n'ok'",
  },
  {
    name: 'PubSub.subscribe', group: GROUPS, signature: 'PubSub.subscribe(topic)',
    summary: 'Subscribes the caller to topic: published messages arrive in its mailbox.',
    example: "> PubSub.subscribe('user.created')\n'ok'",
  },
  {
    name: 'PubSub.unsubscribe', group: GROUPS, signature: 'PubSub.unsubscribe(topic)',
    summary: "Removes every subscription of the caller to topic.",
    example: "> PubSub.unsubscribe('user.created')\n'ok'",
  },
  {
    name: 'PubSub.publish', group: GROUPS, signature: 'PubSub.publish(topic, msg)',
    summary: 'Delivers msg to every subscriber of topic on every connected node.',
    example: "> PubSub.publish('user.created', ['user', { id: 1 }])\n'ok'",
  },
  {
    name: 'PubSub.broadcastFrom', group: GROUPS, signature: 'PubSub.broadcastFrom(pid, topic, msg)',
    summary: 'Like publish, but not to pid (usually self()).',
    example: "> PubSub.broadcastFrom(self(), 'chat', 'hi all')\n'ok'",
  },
  {
    name: 'PubSub.localBroadcast', group: GROUPS, signature: 'PubSub.localBroadcast(topic, msg)',
    summary: 'Delivers msg to the subscribers of topic on this node only.',
    example: "> PubSub.localBroadcast('chat', 'only here')\n'ok'",
  },
  {
    name: 'PubSub.directBroadcast', group: GROUPS, signature: 'PubSub.directBroadcast(node, topic, msg)',
    summary: 'Delivers msg to the subscribers of topic on node only.',
    example: "> PubSub.directBroadcast('alice@vm', 'chat', 'just alice')\n'ok'",
  },
  {
    name: 'PubSub.subscribers', group: GROUPS, signature: 'PubSub.subscribers(topic)',
    summary: "This node's subscribers of topic.",
    example: "> PubSub.subscribers('user.created')\n[ #PID<0.7.0> ]",
  },
  {
    name: 'PubSub.topics', group: GROUPS, signature: 'PubSub.topics()',
    summary: 'Every topic with subscribers on this node, with how many it has.',
    example: "> PubSub.topics()\n[ [ 'user.created', 1 ] ]",
  },
  {
    name: 'PubSub.start', group: GROUPS, signature: 'PubSub.start({ name })',
    summary: 'Starts another instance on this node (start it on every node that takes part); gives its functions.',
    example: "> const hermes = await PubSub.start({ name: 'hermes' })\n> hermes.subscribe('user.created')\n'ok'",
  },
  {
    name: 'PubSub.startLink', group: GROUPS, signature: 'PubSub.startLink({ name })',
    summary: "Like start, linked to the caller; gives the instance's supervisor (a child spec's start).",
    example: "> await PubSub.startLink({ name: 'hermes' })\n#PID<0.140.0>",
  },
  {
    name: 'PubSub.instance', group: GROUPS, signature: 'PubSub.instance(name)',
    summary: 'The functions of a running instance, bound to its name.',
    example: "> PubSub.instance('hermes').publish('news', 'extra!')\n'ok'",
  },
  {
    name: 'getMembers', group: GROUPS, signature: 'getMembers(group)',
    summary: 'Short for pg.getMembers(group).',
    example: "> getMembers('workers')\n[ #PID<0.7.0>, #PID<12.7.0> ]",
  },
];
