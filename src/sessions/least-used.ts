/** Bounding a table by use: what the template cache and the top-queries tallies both do at their limits. */

/**
 * Delete the tenth of `map`'s `max` entries used least (by `uses`); among equals the oldest (insertion order)
 * first, which nothing open is likely to hold. Returns how many were deleted.
 */
export function dropLeastUsed<K, V>(map: Map<K, V>, max: number, uses: (v: V) => number): number {
  const drop = Math.max(1, Math.floor(max / 10));
  const counts = new Float64Array(map.size);
  let i = 0;
  for (const v of map.values()) counts[i++] = uses(v);
  counts.sort();
  const below = counts[drop - 1]!;
  let atBelow = drop - counts.subarray(0, drop).filter((c) => c < below).length;
  let dropped = 0;
  for (const [k, v] of map) {
    const u = uses(v);
    if (u > below) continue;
    if (u === below) {
      if (atBelow === 0) continue;
      atBelow--;
    }
    map.delete(k);
    dropped++;
  }
  return dropped;
}
