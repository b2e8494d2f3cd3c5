/**
 * @module erlang/kernel/rex
 * What a BEAM peer asks of `rex`, the rpc server: on connect, which rpc features this
 * node has (`{Caller, features_request}`, answered `{features_reply, Node, []}`: no
 * `erpc`, since remote spawn is not served), and old-style calls, answered
 * `{badrpc, notsup}`.
 */
import { List, Pid } from '../../term.ts';
import { receive, self, send } from '../../process/index.ts';
import { asCall, reply } from './gen.ts';

/** The process body of `rex`. */
export async function rex(): Promise<void> {
  for (;;) {
    const msg = await receive();
    const call = asCall(msg);
    if (call !== null) reply(call[0], ['badrpc', 'notsup']);
    else if (Array.isArray(msg) && msg[1] === 'features_request' && msg[0] instanceof Pid) {
      send(msg[0], ['features_reply', self().node, new List()]);
    }
  }
}
