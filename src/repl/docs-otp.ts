/**
 * @module repl/docs-otp
 * The docs `h()` shows for the OTP side of the prompt: process groups (`pg`), and the
 * behaviours and PubSub built on the runtime. Same format as `docs.ts`.
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
    name: 'getMembers', group: GROUPS, signature: 'getMembers(group)',
    summary: 'Short for pg.getMembers(group).',
    example: "> getMembers('workers')\n[ #PID<0.7.0>, #PID<12.7.0> ]",
  },
];
