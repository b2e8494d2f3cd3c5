/**
 * @module erlang/etf/tags
 * The tags of Erlang's external term format, each named once, as the protocol document
 * lists them: erts/doc/guides/erl_ext_dist.md in erlang/otp ("External Term Format").
 * Every term starts with one of these bytes; a whole encoded term starts with VERSION.
 */

export const VERSION = 131;

export const NEW_FLOAT_EXT = 70; // 8-byte IEEE double, big-endian
export const BIT_BINARY_EXT = 77; // a bitstring: length, bits used in the last byte, bytes
export const COMPRESSED = 80; // zlib-compressed term: uncompressed size, then the data
export const ATOM_CACHE_REF = 82; // only with DIST_HDR_ATOM_CACHE, which this node never offers
export const NEW_PID_EXT = 88; // node atom, id u32, serial u32, creation u32 (OTP 23+)
export const NEW_PORT_EXT = 89; // node atom, id u32, creation u32
export const NEWER_REFERENCE_EXT = 90; // word count u16, node atom, creation u32, words u32...
export const SMALL_INTEGER_EXT = 97; // 0..255
export const INTEGER_EXT = 98; // signed 32-bit
export const FLOAT_EXT = 99; // deprecated: 31 bytes of printf("%.20e") text
export const ATOM_EXT = 100; // deprecated: latin-1 name, u16 length
export const REFERENCE_EXT = 101; // deprecated: one id word, creation u8
export const PORT_EXT = 102; // deprecated: creation u8
export const PID_EXT = 103; // deprecated: creation u8
export const SMALL_TUPLE_EXT = 104; // arity u8
export const LARGE_TUPLE_EXT = 105; // arity u32
export const NIL_EXT = 106; // []
export const STRING_EXT = 107; // a list of bytes 0..255: length u16, bytes
export const LIST_EXT = 108; // length u32, elements, tail
export const BINARY_EXT = 109; // length u32, bytes
export const SMALL_BIG_EXT = 110; // byte count u8, sign u8, little-endian digits
export const LARGE_BIG_EXT = 111; // byte count u32, sign u8, little-endian digits
export const NEW_FUN_EXT = 112; // size u32 (of the whole fun), then its parts
export const EXPORT_EXT = 113; // fun M:F/A: module atom, function atom, arity
export const NEW_REFERENCE_EXT = 114; // deprecated: word count u16, node atom, creation u8, words
export const SMALL_ATOM_EXT = 115; // deprecated: latin-1 name, u8 length
export const MAP_EXT = 116; // arity u32, key, value, key, value...
export const ATOM_UTF8_EXT = 118; // UTF-8 name, u16 length
export const SMALL_ATOM_UTF8_EXT = 119; // UTF-8 name, u8 length
export const V4_PORT_EXT = 120; // node atom, id u64, creation u32 (OTP 24+, with V4_NC)
