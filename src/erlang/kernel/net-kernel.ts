/**
 * @module erlang/kernel/net-kernel
 * What a BEAM peer asks of `net_kernel`: `:net_adm.ping(node)` calls it with
 * `{is_auth, CallerNode}` and waits for `yes` (so ping gives `pong`).
 */
import { receive } from '../../process/index.ts';
import { asCall, reply } from './gen.ts';

/** The process body of `net_kernel`. */
export async function netKernel(): Promise<void> {
  for (;;) {
    const call = asCall(await receive());
    if (call === null) continue;
    const [from, request] = call;
    reply(from, Array.isArray(request) && request[0] === 'is_auth' ? 'yes' : ['error', 'not_supported']);
  }
}
