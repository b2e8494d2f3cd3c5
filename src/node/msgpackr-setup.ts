/**
 * @module node/msgpackr-setup
 * Imported by codec.ts before msgpackr itself, so it runs first. msgpackr's optional
 * native helper speeds up decoding long strings, which our frames do not carry; loading
 * it cost about 12 ms of every node's start-up and made no measurable difference to
 * remote sends, so it stays off unless the environment asks for it.
 */
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
