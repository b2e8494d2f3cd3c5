/**
 * @module lessons/pubsub
 * A distributed PubSub, the way Phoenix.PubSub is built: a Registry with duplicate keys
 * and its dispatch, a local PubSub on top of it, two nodes to see that local is not
 * enough, pg groups across nodes, one PubSub server per node, and the three-node demo
 * with its exact counts (a 'user.created' from alice reaches 1 client on alice and 5 on
 * bob; a 'user.updated' from bob reaches 1 on alice and 2 on carol).
 *
 * All three nodes run the playground's own discovery, so they connect by themselves.
 */
import { GenServer, NO_NODE, Registry, getMembers, isAlive, list, node, pg, whereis, type Pid } from '../src/index.ts';
import type { CheckContext, Lesson } from './lesson.ts';

function rememberNodes(ctx: CheckContext): void {
  ctx.memo.nodes = list();
}

function newNodes(ctx: CheckContext): string[] {
  const before = (ctx.memo.nodes as string[] | undefined) ?? [];
  return list().filter((n) => !before.includes(n));
}

const alive = (name: string) => {
  const pid = whereis(name);
  return pid !== undefined && isAlive(pid);
};

/** The nodes whose PubSub server is in the default instance's group. */
function serverNodes(): Set<string> {
  return new Set(getMembers(['PubSub', 'PubSub']).map((pid: Pid) => pid.node));
}

const CLIENT = [
  'const Client = {',
  "  init(topic) { PubSub.subscribe(topic); pg.join('clients', self()); return ['ok', 0] },",
  "  handleInfo(msg, count) { console.log('Received:', msg); return ['noreply', count + 1] },",
  "  handleCall(request, from, count) { return ['reply', count, count] },",
  '}',
].join('\n');

export const pubsub: Lesson = {
  id: 'pubsub',
  title: 'A distributed PubSub',
  summary: 'Registry, pg and one server per node: publish once, reach subscribers on every node',
  nodes: { bob: [], carol: [] },
  preflight: () => (node() === NO_NODE ? 'This node has no name: leave (.exit) and start it with --sname alice.' : undefined),
  steps: [
    {
      title: 'A registry with duplicate keys',
      explain: [
        'A Registry maps keys to processes on one node. With duplicate keys, many',
        'processes may register under the same key: one topic, many subscribers. Entries',
        'vanish when their process exits. (Elixir: `Registry.start_link(keys: :duplicate, name: MyPubSub)`.)',
      ].join('\n'),
      code: ["await Registry.startLink({ keys: 'duplicate', name: 'MyPubSub' })"],
      check: () => alive('MyPubSub'),
      hint: "keys: 'duplicate' and a name; whereis('MyPubSub') should then give its pid.",
    },
    {
      title: 'Three subscribers',
      explain: 'Spawn three processes that register under the key \'event_topic\' and print the first message they get.',
      code: [
        [
          'for (let i = 0; i < 3; i++) {',
          '  spawn(async () => {',
          "    Registry.register('MyPubSub', 'event_topic', null)",
          "    console.log(`${self()} received:`, await receive())",
          '  })',
          '}',
        ].join('\n'),
        "Registry.lookup('MyPubSub', 'event_topic')",
      ],
      check: () => Registry.lookup('MyPubSub', 'event_topic').length >= 3,
      hint: 'Each process registers itself: Registry.register runs inside the spawned function.',
    },
    {
      title: 'Dispatch',
      explain: [
        'Registry.dispatch hands the entries of a key to a function: sending to each one',
        'is a broadcast. Every subscriber prints what it got, then ends, and its entry goes.',
      ].join('\n'),
      enter: (ctx) => void (ctx.memo.before = Registry.lookup('MyPubSub', 'event_topic').length),
      code: [
        "Registry.dispatch('MyPubSub', 'event_topic', (entries) => { for (const [pid] of entries) send(pid, ['hello', 'world']) })",
      ],
      check: (ctx) => (ctx.memo.before as number) > 0 && Registry.lookup('MyPubSub', 'event_topic').length === 0,
      hint: 'The entries are [pid, value] pairs: send to each pid.',
    },
    {
      title: 'A local PubSub',
      explain: [
        'That is a PubSub already. Wrap it: subscribe registers the caller under the',
        'topic, publish dispatches to the topic\'s entries. Call it Hermes, after the messenger.',
      ].join('\n'),
      code: [
        "await Registry.startLink({ keys: 'duplicate', name: 'Hermes.Registry' })",
        [
          'const Hermes = {',
          "  subscribe(topic) { return Registry.register('Hermes.Registry', topic, null) },",
          '  publish(topic, message) {',
          "    Registry.dispatch('Hermes.Registry', topic, (entries) => { for (const [pid] of entries) send(pid, message) })",
          "    return 'ok'",
          '  },',
          '}',
        ].join('\n'),
      ],
      check: (ctx) => {
        const h = ctx.lookup('Hermes') as Record<string, unknown> | undefined;
        return alive('Hermes.Registry') && typeof h?.subscribe === 'function' && typeof h?.publish === 'function';
      },
      hint: "Start the 'Hermes.Registry' registry, then define Hermes with subscribe and publish.",
    },
    {
      title: 'Subscribe and publish',
      explain: 'The shell is a process too: subscribe it, publish, and look in its mailbox.',
      code: [
        "Hermes.subscribe('user.updated')",
        "Hermes.publish('user.updated', ['user', { id: 1, name: 'John' }])",
        'flush()',
      ],
      check: (ctx) => ctx.seen(['user', { id: 1, name: 'John' }]),
      hint: 'Subscribe first, then publish to the same topic.',
    },
    {
      title: 'A second node',
      explain: [
        'Start bob in another terminal. Both nodes run the playground\'s discovery, so',
        'they find each other and connect by themselves.',
      ].join('\n'),
      start: ['bob'],
      enter: rememberNodes,
      code: [{ code: 'list()', whenDone: true }],
      check: (ctx) => newNodes(ctx).length > 0,
      hint: 'Start bob with the same cookie; list() shows it once they are connected.',
    },
    {
      title: 'Local is not enough',
      explain: [
        'Bob subscribes his shell in his own registry of the same name; alice publishes.',
        "Alice's shell, subscribed a step ago, gets it; bob's gets nothing: connected nodes",
        'can send each other messages, but each registry is local to its node.',
      ].join('\n'),
      code: [
        { on: 'bob', code: "await Registry.startLink({ keys: 'duplicate', name: 'Hermes.Registry' })" },
        { on: 'bob', code: "Registry.register('Hermes.Registry', 'user.updated', null)" },
        "Hermes.publish('user.updated', ['user', { id: 2, name: 'Jane' }])",
        'flush()',
        { on: 'bob', code: 'flush()' },
        "Registry.lookup('Hermes.Registry', 'user.updated')",
      ],
      check: (ctx) =>
        list().length > 0 &&
        ctx.evaluated(/Hermes\.publish\(/) !== undefined &&
        Registry.lookup('Hermes.Registry', 'user.updated').every(([pid]: [Pid, unknown]) => pid.node === node()),
      hint: 'Publish from alice while bob is connected; bob\'s flush() shows nothing.',
    },
    {
      title: 'Process groups',
      explain: [
        'pg gives groups that span the cluster: a process joins a group on its own node,',
        'and every connected node sees it among the members. Bob\'s shell joins',
        "'my_group'; alice asks for the members (Elixir: `:pg.join/2`, `:pg.get_members/1`).",
      ].join('\n'),
      code: [{ on: 'bob', code: "pg.join('my_group', self())" }, "getMembers('my_group')"],
      check: () => getMembers('my_group').some((pid: Pid) => pid.node !== node()),
      hint: 'bob joins with his own shell: pg.join(\'my_group\', self()) at bob\'s prompt.',
    },
    {
      title: 'Send to a remote member',
      explain: "A member's pid works like any pid: send to it, and the message waits in bob's shell.",
      code: [
        "const [member] = getMembers('my_group')",
        "send(member, ['hello', 'world'])",
        { on: 'bob', code: 'await receive()' },
      ],
      check: (ctx) => {
        const sent = ctx.evaluated(/send\(member/);
        return sent !== undefined && getMembers('my_group').some((pid: Pid) => pid.node !== node());
      },
      hint: "Take the member from getMembers('my_group') and send it ['hello', 'world'].",
    },
    {
      title: 'One server per node',
      explain: [
        'Subscribers could all join a pg group, but then a publish would send one message',
        'per subscriber over the network. Phoenix.PubSub, and the playground\'s PubSub,',
        'keep subscribers in a local Registry and run one server per node in the pg group',
        "['PubSub', name]: a publish sends ONE message to each other node's server, which",
        'dispatches locally. Every playground node starts the default instance, \'PubSub\',',
        'so the group already has one member per node.',
      ].join('\n'),
      code: ["getMembers(['PubSub', 'PubSub'])"],
      check: (ctx) => {
        const v = ctx.evaluated(/getMembers\(\['PubSub', 'PubSub'\]\)/)?.value;
        return Array.isArray(v) && new Set(v.map((pid: Pid) => pid.node)).size >= 2;
      },
      hint: "The group of the default instance is ['PubSub', 'PubSub'].",
    },
    {
      title: 'A distributed publish',
      explain: [
        "Subscribe alice's shell and let bob publish: bob's node sends one message to",
        "alice's server, which hands it to alice's subscribers.",
      ].join('\n'),
      code: [
        "PubSub.subscribe('user.updated')",
        { on: 'bob', code: "PubSub.publish('user.updated', ['user', { id: 3, name: 'Joan' }])" },
        { code: 'flush()', whenDone: true },
        { code: "PubSub.unsubscribe('user.updated')", whenDone: true },
      ],
      check: (ctx) => ctx.seen(['user', { id: 3, name: 'Joan' }]),
      hint: 'Subscribe at alice before bob publishes; then flush().',
    },
    {
      title: 'A third node',
      explain: 'Start carol: she joins the cluster, and her PubSub server joins the group.',
      start: ['carol'],
      code: [{ code: "getMembers(['PubSub', 'PubSub'])", whenDone: true }],
      check: () => serverNodes().size >= 3,
      hint: 'Start carol with the same cookie; she finds the others by herself.',
    },
    {
      title: 'Clients on every node',
      explain: [
        'The demo\'s clients: GenServers that subscribe to a topic, print what they',
        "receive and count it; they also join the pg group 'clients', so that any node",
        "can find them all. Alice runs one on 'user.created' and one on 'user.updated',",
        "bob five on 'user.created', carol two on 'user.updated'.",
      ].join('\n'),
      code: [
        CLIENT,
        "await GenServer.start(Client, 'user.created')",
        "await GenServer.start(Client, 'user.updated')",
        { on: 'bob', code: CLIENT },
        { on: 'bob', code: "for (let i = 0; i < 5; i++) await GenServer.start(Client, 'user.created')" },
        { on: 'carol', code: CLIENT },
        { on: 'carol', code: "for (let i = 0; i < 2; i++) await GenServer.start(Client, 'user.updated')" },
        { code: "getMembers('clients').length", whenDone: true },
      ],
      check: () => getMembers('clients').length === 9 && pg.getLocalMembers('clients').length === 2,
      hint: 'Define Client on each node (it lives at that prompt), then start the clients there.',
    },
    {
      title: 'Publish once, reach every node',
      explain: [
        "Alice publishes a 'user.created': it prints once on alice and five times on bob,",
        "and carol stays quiet. Bob publishes a 'user.updated': once on alice, twice on",
        'carol. Each publish sent one message per other node, whatever the number of',
        'subscribers there. Every client has now received exactly one message.',
      ].join('\n'),
      code: [
        "PubSub.publish('user.created', { name: 'Jade' })",
        { on: 'bob', code: "PubSub.publish('user.updated', { id: 1, name: 'Jadyline' })" },
        { code: "await Promise.all(getMembers('clients').map((pid) => GenServer.call(pid, 'count')))", whenDone: true },
      ],
      check: async (ctx) => {
        const pids = getMembers('clients');
        if (pids.length !== 9) return false;
        const counts = await Promise.all(pids.map((pid) => ctx.inProcess(() => GenServer.call(pid, 'count', 1000))));
        return counts.every((n) => n === 1);
      },
      hint: 'Publish from alice, then from bob; each client should count exactly 1.',
    },
  ],
};
