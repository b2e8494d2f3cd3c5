/**
 * @module term/fast
 * Gives classes back the fast property layout that running under tsx takes from them.
 *
 * tsx compiles with esbuild's `keepNames`, which sets each class's `name` with
 * `Object.defineProperty` when the class is made. Redefining that built-in property
 * turns the class object into a dictionary of properties, and V8 optimises
 * `x instanceof C` only for a class whose layout is fast: for the others it calls the
 * generic instanceof builtin every time. Measured on Node 20: `instanceof Pid` took 11 ns
 * instead of 3, and it runs on every send (`route`), every pid or ref a frame encodes
 * (msgpackr tries each extension class in turn) and every pattern that holds a pid or a
 * ref (GenServer replies).
 *
 * V8 makes an object fast again when it is found on a prototype chain by an inline
 * cache, so the class is put behind a throwaway object and looked up through it a few
 * times (the same move as Bluebird's `toFastProperties`). Should a V8 version stop
 * doing so, nothing breaks: instanceof stays correct, only slower.
 */

/**
 * Makes each of `classes` fast for V8 again (see the module header).
 *
 * @example
 * class Point { constructor(x) { this.x = x } } // under tsx: a dictionary of properties
 * restoreFastLayout(Point)
 * new Point(1) instanceof Point //=> true, now checked without the generic builtin
 */
export function restoreFastLayout(...classes: Function[]): void {
  for (const c of classes) {
    const behind = Object.create(c) as { absent?: unknown };
    // Enough lookups for V8 to give `lookUp` an inline cache (it waits for a few calls).
    for (let i = 0; i < 16; i++) lookUp(behind);
  }
}

function lookUp(o: { absent?: unknown }): unknown {
  return o.absent;
}
