/**
 * @module erlang/handshake/flags
 * The distribution flags, each named once (erts/doc/guides/erl_dist_protocol.md in
 * erlang/otp, "Distribution Flags"): the capabilities two nodes announce in the
 * handshake. What they use afterwards is what both announced (`ours & theirs`).
 */

export const PUBLISHED = 0x1n; // a visible node: in nodes(), synced by global
export const ATOM_CACHE = 0x2n; // never offered: this node sends and reads no atom cache
export const EXTENDED_REFERENCES = 0x4n;
export const DIST_MONITOR = 0x8n; // MONITOR_P, DEMONITOR_P, MONITOR_P_EXIT
export const FUN_TAGS = 0x10n;
export const DIST_MONITOR_NAME = 0x20n; // monitors of registered names
export const NEW_FUN_TAGS = 0x80n;
export const EXTENDED_PIDS_PORTS = 0x100n;
export const EXPORT_PTR_TAG = 0x200n;
export const BIT_BINARIES = 0x400n;
export const NEW_FLOATS = 0x800n;
export const DIST_HDR_ATOM_CACHE = 0x2000n; // never offered (see ATOM_CACHE)
export const SMALL_ATOM_TAGS = 0x4000n;
export const UTF8_ATOMS = 0x10000n;
export const MAP_TAG = 0x20000n;
export const BIG_CREATION = 0x40000n; // 32-bit creations: NEW_PID_EXT, NEWER_REFERENCE_EXT
export const SEND_SENDER = 0x80000n;
export const EXIT_PAYLOAD = 0x400000n; // exit reasons after the control message, as payload
export const FRAGMENTS = 0x800000n; // never offered: every message arrives whole
export const HANDSHAKE_23 = 0x1000000n; // the version 6 handshake
export const UNLINK_ID = 0x2000000n; // UNLINK_ID and its acknowledgement (mandatory in OTP 26)
export const MANDATORY_25_DIGEST = 0x4000000n;
export const SPAWN = 1n << 32n; // never offered: remote spawn and erpc are not served here
export const NAME_ME = 1n << 33n;
export const V4_NC = 1n << 34n; // 32-bit pid and port numbers, 5-word references (mandatory in OTP 26)
export const ALIAS = 1n << 35n;

/** What this node offers: what OTP 25 insists on, plus monitors, payload exits, unlink ids, V4_NC. */
export const OFFERED =
  PUBLISHED | EXTENDED_REFERENCES | DIST_MONITOR | FUN_TAGS | DIST_MONITOR_NAME | NEW_FUN_TAGS |
  EXTENDED_PIDS_PORTS | EXPORT_PTR_TAG | BIT_BINARIES | NEW_FLOATS | SMALL_ATOM_TAGS | UTF8_ATOMS |
  MAP_TAG | BIG_CREATION | SEND_SENDER | EXIT_PAYLOAD | HANDSHAKE_23 | UNLINK_ID |
  MANDATORY_25_DIGEST | V4_NC;

/** What this node needs of a peer: the term formats it reads and writes, and the version 6 handshake. */
export const REQUIRED =
  EXTENDED_REFERENCES | EXTENDED_PIDS_PORTS | UTF8_ATOMS | MAP_TAG | BIG_CREATION | NEW_FLOATS | HANDSHAKE_23;

const NAMES: [bigint, string][] = [
  [EXTENDED_REFERENCES, 'EXTENDED_REFERENCES'], [EXTENDED_PIDS_PORTS, 'EXTENDED_PIDS_PORTS'],
  [UTF8_ATOMS, 'UTF8_ATOMS'], [MAP_TAG, 'MAP_TAG'], [BIG_CREATION, 'BIG_CREATION'],
  [NEW_FLOATS, 'NEW_FLOATS'], [HANDSHAKE_23, 'HANDSHAKE_23'],
];

/**
 * The names of the required flags missing from `flags`, for a refusal that says what lacks.
 *
 * @example
 * missing(REQUIRED & ~MAP_TAG) //=> ['MAP_TAG']
 */
export function missing(flags: bigint): string[] {
  return NAMES.filter(([flag]) => (flags & flag) === 0n).map(([, name]) => name);
}
