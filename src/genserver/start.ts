/**
 * @module genserver/start
 * Starting a GenServer, the way `proc_lib` starts one: the new process runs init and
 * acknowledges, and the starter waits for that acknowledgement or the process's DOWN.
 *
 * Protocol: the server sends `['$ack', pid, 'ok']` or `['$ack', pid, ['error', reason]]`
 * to a short-lived starter process, which monitors it meanwhile (a server killed
 * during init gives a DOWN instead). Waiting in a process of its own keeps the caller's
 * mailbox untouched, and lets code outside any process start servers too.
 */
import { Pid, moduleName, short, type Ref } from '../term.ts';
import { currentProcess, currentRuntime, inProcess } from '../process/index.ts';
import { unknownKey } from '../keys.ts';
import { GenServerError } from './errors.ts';
import { serverMain } from './server.ts';
import type { GenServerModule, StartOptions } from './types.ts';
import { isServiceName, nameService } from '../process/index.ts';

/** What `start` and `startLink` do; `link` links the server to the calling process. */
export async function doStart(module: GenServerModule, arg: unknown, opts: StartOptions, link: boolean): Promise<Pid> {
  checkModule(module);
  checkStartOptions(opts);
  const rt = currentRuntime();
  const parent = link ? currentProcess() : null;
  const globalName = isServiceName(opts.name) ? opts.name : undefined;
  const localName = typeof opts.name === 'string' ? opts.name : undefined;
  if (opts.name !== undefined) {
    const holder = globalName !== undefined ? nameService(globalName[0]).whereis(globalName[1]) : rt.whereis(localName!);
    if (holder) {
      throw new GenServerError('ERR_ALREADY_STARTED', `a process is already registered as ${short(opts.name)}: ${holder}`, ['already_started', holder]);
    }
  }
  return inProcess(async function awaitInit() {
    const starter = currentProcess()!;
    const [pid] = rt.spawn(serverMain, [module, arg, starter.pid, parent?.pid ?? null, globalName], parent, { link, name: localName });
    const ref = rt.monitor(starter, pid);
    const ack = (await starter.receive(ackOf(pid, ref), opts.timeout ?? Infinity)) as unknown[] | symbol;
    rt.demonitor(starter, ref, true);
    if (!Array.isArray(ack)) {
      if (parent) rt.unlink(parent, pid);
      rt.exit(starter.pid, pid, 'kill');
      throw new GenServerError('ERR_START_TIMEOUT', `GenServer ${pid} (${moduleName(module)}) did not finish init within ${opts.timeout} ms`, 'timeout');
    }
    if (ack[0] === '$ack' && ack[2] === 'ok') return pid;
    const reason = ack[0] === '$ack' ? (ack[2] as unknown[])[1] : ack[4];
    throw new GenServerError('ERR_INIT', `GenServer ${pid} failed to start: ${short(reason)}`, reason);
  });
}

/** The init acknowledgement of `pid`, or its DOWN if it died before sending one. */
function ackOf(pid: Pid, ref: Ref): (msg: unknown) => boolean {
  return function isAck(msg) {
    return Array.isArray(msg) && ((msg[0] === '$ack' && pid.equals(msg[1])) || (msg[0] === 'DOWN' && ref.equals(msg[1])));
  };
}

function checkModule(module: unknown): asserts module is GenServerModule {
  if ((typeof module === 'object' || typeof module === 'function') && module !== null && typeof (module as GenServerModule).init === 'function') return;
  throw new GenServerError(
    'ERR_BAD_ARG',
    `expected a callback module: an object, class instance or class with an init(arg) function. Got: ${short(module)}`,
  );
}

function checkStartOptions(opts: unknown): asserts opts is StartOptions {
  const o = opts as StartOptions;
  const expected = "expected start options { name?: non-empty string or ['global', name], timeout?: ms >= 0 }";
  const ok =
    typeof opts === 'object' && opts !== null &&
    (o.name === undefined || (typeof o.name === 'string' && o.name !== '') || isServiceName(o.name)) &&
    (o.timeout === undefined || (typeof o.timeout === 'number' && o.timeout >= 0));
  if (!ok) throw new GenServerError('ERR_BAD_ARG', `${expected}. Got: ${short(opts)}`);
  const unknown = unknownKey(o, ['name', 'timeout']);
  if (unknown) throw new GenServerError('ERR_BAD_ARG', `${expected}: ${unknown}`);
}
