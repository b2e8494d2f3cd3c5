/**
 * @module process/name-services
 * Names beyond a node's own registered ones, as OTP's `gen` takes `{global, Name}`: a
 * name service registers itself under its kind (`global.ts` as 'global'), and anything
 * that takes a server name (`GenServer`, `Supervisor`) resolves `[kind, name]` through
 * it, without knowing how the service keeps its names.
 */
import type { Pid } from '../term.ts';
import { ProcessError } from './process.ts';

/** What a name service does for a server name `[kind, name]`. */
export interface NameService {
  whereis(name: string): Pid | undefined;
  /** 'yes', or 'no' when the name is taken. */
  register(name: string, pid: Pid): Promise<'yes' | 'no'>;
}

const services = new Map<string, NameService>();

/** Makes `service` answer for names `[kind, name]`. */
export function setNameService(kind: string, service: NameService): void {
  services.set(kind, service);
}

/** True for `[kind, name]` when a service has that kind and `name` is no node name. */
export function isServiceName(v: unknown): v is readonly [string, string] {
  return (
    Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && services.has(v[0]) &&
    typeof v[1] === 'string' && v[1] !== '' && !v[1].includes('@')
  );
}

/** The service of `kind`; throws when none is running on this node. */
export function nameService(kind: string): NameService {
  const s = services.get(kind);
  if (s) return s;
  throw new ProcessError('ERR_NO_NAME_SERVICE', `no ${kind} name service runs on this node`);
}
