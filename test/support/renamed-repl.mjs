/**
 * A preload that makes Node's REPL look like a future one: its 'line' listener no
 * longer has the name the playground looks for. Start a node with
 * `NODE_OPTIONS=--import=<this file>` to see the prompt fall back to plain.
 */
import { EventEmitter } from 'node:events';

const on = EventEmitter.prototype.on;
EventEmitter.prototype.on = function renamedOn(event, listener) {
  if (event === 'line' && listener.name === 'onLine') {
    return on.call(this, event, function lineListener(...args) {
      return listener.apply(this, args);
    });
  }
  return on.call(this, event, listener);
};
