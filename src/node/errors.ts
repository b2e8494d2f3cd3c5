/**
 * @module node/errors
 * The node layer's errors: a name that is malformed or taken, a node that is not
 * distributed, a bad argument.
 */
import { CodedError } from '../errors.ts';

export class NodeError extends CodedError<'ERR_BAD_NAME' | 'ERR_NAME_TAKEN' | 'ERR_NOT_ALIVE' | 'ERR_BAD_ARG'> {}
