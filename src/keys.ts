/**
 * @module keys
 * Options objects are checked for keys that nothing reads: a misspelled option
 * (`{ nmae: 'stack' }`, a child spec's `restrat`) is an error that names the key and the
 * one it was probably meant to be, never a silent default. Each API throws its own
 * error class with the text `unknownKey` gives.
 */

/**
 * Says what is wrong with the first key of `value` that is not in `known`, or gives
 * undefined when every key is known.
 *
 * @example
 * iex(bob)> Registry.start({ keys: 'unique', nmae: 'x' }).catch((e) => e.message)
 * "expected { keys: 'unique' | 'duplicate', name: non-empty string }: unknown key 'nmae' (did you mean 'name'?)"
 */
export function unknownKey(value: object, known: readonly string[]): string | undefined {
  const key = Object.keys(value).find((k) => !known.includes(k));
  if (key === undefined) return undefined;
  const near = known.find((k) => distance(k, key) <= Math.min(2, Math.floor(k.length / 2)));
  return `unknown key '${key}' (${near ? `did you mean '${near}'?` : `the keys are ${known.join(', ')}`})`;
}

// Internals

/** Edit distance, with a swap of two neighbours counting as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
