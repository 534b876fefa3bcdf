/**
 * Average-link agglomerative clustering over a similarity matrix: repeatedly join the two most
 * similar groups while their mean pairwise similarity is at least `threshold`. Average link rather
 * than single link because one chance resemblance must not chain two events together; rather than
 * complete link because one short or off-angle article must not keep a story apart.
 */

/** A pair that may never share a group (outside the time window): far below any threshold. */
export const NEVER = -1e9;

export interface SmallGroupRule {
  /** Groups with fewer members than this are "small". */
  size: number;
  /** How much lower the bar is when one of the two groups is small. */
  allowance: number;
}

/**
 * Group index (0..n-1, the smallest member's index) per item. `similarity` is n × n, symmetric,
 * and is overwritten. Ties go to the lowest indices, so the result is deterministic.
 *
 * A small group joins at `threshold − small.allowance`: one short article's similarity to a story
 * is a noisy estimate that runs low, and joining it wrongly misplaces one article; two large groups
 * that resemble each other are the two-events-of-one-kind case, where a false merge costs most.
 */
export function averageLink(similarity: Float64Array, n: number, threshold: number, small: SmallGroupRule): Int32Array {
  const S = similarity;
  const size = new Float64Array(n).fill(1);
  const adj = (i: number, j: number): number => S[i * n + j] + (Math.min(size[i], size[j]) < small.size ? small.allowance : 0);
  const active = new Uint8Array(n).fill(1);
  const group = Int32Array.from({ length: n }, (_, i) => i);
  // Each group's most similar other group, kept up to date so a merge step is O(n), not O(n²).
  const nearest = new Int32Array(n).fill(-1);
  const rescan = (i: number): void => {
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !active[j]) continue;
      const v = adj(i, j);
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    nearest[i] = best;
  };
  for (let i = 0; i < n; i++) rescan(i);

  for (let left = n; left > 1; left--) {
    let a = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!active[i] || nearest[i] < 0) continue;
      const v = adj(i, nearest[i]);
      if (v > bestValue) {
        bestValue = v;
        a = i;
      }
    }
    if (a < 0 || bestValue < threshold) break;
    let b = nearest[a];
    if (b < a) [a, b] = [b, a];
    const sizeA = size[a];
    const sizeB = size[b];
    active[b] = 0;
    size[a] = sizeA + sizeB;
    for (let k = 0; k < n; k++) if (group[k] === b) group[k] = a;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      const v = (sizeA * S[a * n + k] + sizeB * S[b * n + k]) / (sizeA + sizeB);
      S[a * n + k] = v;
      S[k * n + a] = v;
    }
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (nearest[k] === a || nearest[k] === b) rescan(k);
      else if (adj(k, a) > adj(k, nearest[k]) || (adj(k, a) === adj(k, nearest[k]) && a < nearest[k])) nearest[k] = a;
    }
    rescan(a);
  }
  return group;
}
