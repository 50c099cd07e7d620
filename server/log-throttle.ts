/**
 * @module
 * For warn lines that a flood of bad requests could repeat: whether a line about `key` may be
 * written now, at most once per `everyMs` per key. The keys seen are kept up to `maxKeys`
 * (then forgotten all at once: a flood of distinct keys may then write a few lines more).
 */
export function onceEvery(everyMs: number, now: () => number = Date.now, maxKeys = 1000): (key: string) => boolean {
  const lastWritten = new Map<string, number>();
  return (key) => {
    const at = now();
    if ((lastWritten.get(key) ?? -Infinity) > at - everyMs) return false;
    if (lastWritten.size >= maxKeys) lastWritten.clear();
    lastWritten.set(key, at);
    return true;
  };
}
