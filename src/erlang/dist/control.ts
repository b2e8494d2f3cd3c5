/**
 * @module erlang/dist/control
 * Erlang's control messages, each opcode named once (erts/doc/guides/erl_dist_protocol.md
 * in erlang/otp, "Protocol between Connected Nodes"). After the handshake every frame
 * is `u32 length, 112 (pass-through), 131 control, [131 payload]`, or an empty frame,
 * a tick. Opcodes marked `_TT` carry a sequential-trace token, which this node reads
 * and ignores.
 *
 * ```
 * LINK {1, From, To}                        UNLINK {4, From, To}  (before UNLINK_ID)
 * SEND {2, '', To} + Msg                    SEND_SENDER {22, From, To} + Msg
 * REG_SEND {6, From, '', Name} + Msg        ALIAS_SEND {33, From, Alias} + Msg
 * EXIT {3, From, To, Reason}                PAYLOAD_EXIT {24, From, To} + Reason
 * EXIT2 {8, From, To, Reason}               PAYLOAD_EXIT2 {26, From, To} + Reason
 * MONITOR_P {19, From, PidOrName, Ref}      DEMONITOR_P {20, From, PidOrName, Ref}
 * MONITOR_P_EXIT {21, PidOrName, To, Ref, Reason}
 * PAYLOAD_MONITOR_P_EXIT {28, PidOrName, To, Ref} + Reason
 * UNLINK_ID {35, Id, From, To}              UNLINK_ID_ACK {36, Id, From, To}
 * SPAWN_REQUEST {29, ReqId, From, GroupLeader, {M, F, A}, Opts} + Args
 * SPAWN_REPLY {31, ReqId, To, Flags, Result}
 * ```
 */

/** The byte before the control message when no atom cache is used. */
export const PASS_THROUGH = 112;

export const LINK = 1;
export const SEND = 2;
export const EXIT = 3;
export const UNLINK = 4;
export const NODE_LINK = 5;
export const REG_SEND = 6;
export const GROUP_LEADER = 7;
export const EXIT2 = 8;
export const SEND_TT = 12;
export const EXIT_TT = 13;
export const REG_SEND_TT = 16;
export const EXIT2_TT = 18;
export const MONITOR_P = 19;
export const DEMONITOR_P = 20;
export const MONITOR_P_EXIT = 21;
export const SEND_SENDER = 22;
export const SEND_SENDER_TT = 23;
export const PAYLOAD_EXIT = 24;
export const PAYLOAD_EXIT_TT = 25;
export const PAYLOAD_EXIT2 = 26;
export const PAYLOAD_EXIT2_TT = 27;
export const PAYLOAD_MONITOR_P_EXIT = 28;
export const SPAWN_REQUEST = 29;
export const SPAWN_REQUEST_TT = 30;
export const SPAWN_REPLY = 31;
export const ALIAS_SEND = 33;
export const ALIAS_SEND_TT = 34;
export const UNLINK_ID = 35;
export const UNLINK_ID_ACK = 36;
