/**
 * @module erlang/kernel/global
 * `global_name_server` as a BEAM peer needs it (here registered as `erlang_global`, the
 * playground's own global having the name): when a BEAM node connects, its `global`
 * syncs with every visible node, and `:global.sync/0` and `:global.trans/2` wait until
 * that sync is done. This server takes part as a peer that holds no global names and
 * grants every lock, which is all a BEAM node needs to count this node as synced.
 *
 * Protocol (the casts are `{'$gen_cast', X}` to `{global_name_server, A}`; A is the BEAM
 * node, N this one; Vsn 8 is OTP 25's protocol version):
 * ```
 * A -> N  cast {init_connect, {8, ATag}, A, {locker, no_longer_a_pid, Known, ALocker}}
 * N -> A  cast {init_connect, {8, NTag}, N, {locker, no_longer_a_pid, #{}, NLocker}}
 *         and {init_connect_ack, N, ATag, NTag}             (A's own ack is ignored)
 * A -> N  call {set_lock, Id} | {del_lock, Id}              -> true
 * A -> N  cast {lock_set, ALocker, true, Known, NTag}   N -> A  cast {lock_set, NLocker, true, [], ATag}
 * A -> N  cast {exchange, A, Names, NamesExt, NTag}     N -> A  cast {exchange, N, [], [], ATag}
 * A -> N  cast {resolved, A, Ops, Known, _, _, NTag}    N -> A  cast {resolved, N, [], [], unused, [], ATag}
 * A -> N  call {register, ...} | {register_ext, ...}        -> yes;  {unregister, Name} -> ok
 * ```
 * NLocker is this server's own pid. Everything else a BEAM node may send (new_nodes,
 * in_sync, lost_connection...) needs no answer from a node without names, and is ignored.
 */
import { List, Pid } from '../../term.ts';
import { receive, self, send } from '../../process/index.ts';
import { asCall, asCast, reply } from './gen.ts';

const VSN = 8;

/** One BEAM peer's sync session: its tag, ours, and whether our lock answer went out. */
interface Session {
  hisTag: unknown;
  myTag: number;
  lockSet: boolean;
}

/** The process body of `erlang_global`, which a BEAM peer knows as `global_name_server`. */
export async function globalNameServer(): Promise<void> {
  const sessions = new Map<string, Session>();
  for (;;) {
    const msg = await receive();
    const call = asCall(msg);
    if (call !== null) {
      reply(call[0], answer(call[1]));
      continue;
    }
    const cast = asCast(msg);
    if (Array.isArray(cast)) handleCast(sessions, cast);
  }
}

// Internals

function answer(request: unknown): unknown {
  switch (Array.isArray(request) ? request[0] : request) {
    case 'set_lock':
    case 'del_lock':
      return true;
    case 'register':
    case 'register_ext':
      return 'yes';
    case 'get_known':
      return new List();
    default:
      return 'ok';
  }
}

function handleCast(sessions: Map<string, Session>, cast: unknown[]): void {
  const [what, node] = cast;
  if (what === 'init_connect' && Array.isArray(node) && typeof cast[2] === 'string') {
    // {init_connect, {Vsn, HisTag}, Node, InitMsg}: the sync of a new connection begins.
    const peer = cast[2];
    const session: Session = { hisTag: node[1], myTag: Math.floor(Math.random() * 2 ** 31), lockSet: false };
    sessions.set(peer, session);
    const me = self();
    castTo(peer, ['init_connect', [VSN, session.myTag], me.node, ['locker', 'no_longer_a_pid', {}, me]]);
    send(['global_name_server', peer], ['init_connect_ack', me.node, session.hisTag, session.myTag]);
    return;
  }
  // The rest of the sync names the BEAM node by its locker pid or its name.
  const peer = node instanceof Pid ? node.node : node;
  const session = typeof peer === 'string' ? sessions.get(peer) : undefined;
  if (session === undefined) return;
  const me = self();
  switch (what) {
    case 'lock_set':
      if (session.lockSet || cast[2] !== true) return;
      session.lockSet = true;
      return castTo(peer as string, ['lock_set', me, true, new List(), session.hisTag]);
    case 'exchange':
      return castTo(peer as string, ['exchange', me.node, new List(), new List(), session.hisTag]);
    case 'resolved':
      return castTo(peer as string, ['resolved', me.node, new List(), new List(), 'unused', new List(), session.hisTag]);
  }
}

function castTo(node: string, request: unknown): void {
  send(['global_name_server', node], ['$gen_cast', request]);
}
