/**
 * One decision tree as plain arrays (the form trees.json stores), how the
 * growers build it, and the row partition they share.
 *
 * Internal node `k` splits on feature `feature[k]`: rows whose bin is
 * `<= bin[k]` (raw value `<= edges[bin[k]]`) go to `left[k]`, the others
 * (and NaN) to `right[k]`. A categorical split has `bin[k] = -1` and lists in
 * `cats[k]` the category codes (= bins) that go left; every other value goes
 * right. A child `c >= 0` is internal node `c`; `c < 0` is
 * leaf `~c`, whose output is `value[~c]`. The root is internal node 0, or
 * leaf 0 when the tree has no split.
 *
 * @module
 */

/** A tree as parallel arrays (internal nodes: feature/bin/left/right; leaves: value). */
export interface TreeArrays {
  /** Feature index of each internal node. */
  feature: number[];
  /** Bin index of each internal node's split (left: bin ≤ this). */
  bin: number[];
  /** Left child (≥ 0 internal, < 0 leaf `~c`). */
  left: number[];
  /** Right child. */
  right: number[];
  /** Output of each leaf. */
  value: number[];
  /**
   * Per internal node, the category codes going left (ascending) of a
   * categorical split, `[]` for a threshold split; absent when the tree has
   * no categorical split.
   */
  cats?: number[][];
}

/** Where a node goes in its tree: -1 the root, else `parent * 2 + (0 left | 1 right)`. */
export type Slot = number;

/** The root's slot. */
export const ROOT: Slot = -1;

/**
 * An empty tree to grow.
 *
 * @example
 * ```ts
 * import { addLeaf, emptyTree, ROOT } from "./_tree_nodes.ts";
 * const t = emptyTree();
 * addLeaf(t, ROOT, 0.5); // 0
 * ```
 */
export function emptyTree(): TreeArrays {
  return { feature: [], bin: [], left: [], right: [], value: [] };
}

function link(tree: TreeArrays, slot: Slot, child: number): void {
  if (slot < 0) return;
  if (slot & 1) tree.right[slot >> 1] = child;
  else tree.left[slot >> 1] = child;
}

/**
 * Put a split at `slot`; returns its internal index `k` (children slots `2k`, `2k + 1`).
 *
 * @example
 * ```ts
 * import { addLeaf, addSplit, emptyTree, ROOT } from "./_tree_nodes.ts";
 * const t = emptyTree();
 * const k = addSplit(t, ROOT, 3, 0);
 * addLeaf(t, 2 * k, -1);
 * addLeaf(t, 2 * k + 1, 1); // t.left[0] === ~0, t.right[0] === ~1
 * ```
 */
export function addSplit(
  tree: TreeArrays,
  slot: Slot,
  feature: number,
  bin: number,
  cats?: number[] | null,
): number {
  const k = tree.feature.length;
  if (cats && !tree.cats) tree.cats = tree.feature.map(() => []);
  tree.cats?.push(cats ? [...cats] : []);
  tree.feature.push(feature);
  tree.bin.push(bin < 0 ? -1 : bin);
  tree.left.push(0);
  tree.right.push(0);
  link(tree, slot, k);
  return k;
}

/**
 * Put a leaf at `slot`; returns its leaf index.
 *
 * @example
 * ```ts
 * import { addLeaf, emptyTree, ROOT } from "./_tree_nodes.ts";
 * addLeaf(emptyTree(), ROOT, 0.2); // 0
 * ```
 */
export function addLeaf(tree: TreeArrays, slot: Slot, value: number): number {
  const j = tree.value.length;
  tree.value.push(value);
  link(tree, slot, ~j);
  return j;
}

/**
 * The leaf row `i` of a column-major binned matrix (`rows` rows) reaches.
 *
 * @example
 * ```ts
 * import { addLeaf, addSplit, emptyTree, leafOfBinned, ROOT } from "./_tree_nodes.ts";
 * const t = emptyTree();
 * addSplit(t, ROOT, 0, 0); addLeaf(t, 0, 0); addLeaf(t, 1, 1);
 * leafOfBinned(t, new Uint8Array([0, 1]), 2, 1); // 1
 * ```
 */
export function leafOfBinned(
  tree: TreeArrays,
  binned: Uint8Array,
  rows: number,
  i: number,
): number {
  if (tree.feature.length === 0) return 0;
  let n = 0;
  while (n >= 0) {
    const b = binned[tree.feature[n] * rows + i];
    const left = tree.bin[n] >= 0 ? b <= tree.bin[n] : tree.cats![n].includes(b);
    n = left ? tree.left[n] : tree.right[n];
  }
  return ~n;
}

/**
 * Reorder `idx[start, end)` so rows whose bin in `column` is `<= bin` (or,
 * given `leftBins`, whose bin is marked 1 there) come first (both sides keep
 * their order); returns where the right side starts. `tmp` is scratch of at
 * least `idx.length`.
 *
 * @example
 * ```ts
 * import { partitionRows } from "./_tree_nodes.ts";
 * const idx = Uint32Array.of(0, 1, 2, 3);
 * partitionRows({ idx, start: 0, end: 4, column: Uint8Array.of(2, 0, 1, 0), bin: 0, tmp: new Uint32Array(4) });
 * // 2, idx = [1, 3, 0, 2]
 * ```
 */
export function partitionRows(o: {
  idx: Uint32Array;
  start: number;
  end: number;
  column: Uint8Array;
  bin: number;
  tmp: Uint32Array;
  leftBins?: Uint8Array;
}): number {
  const { idx, column, bin, tmp, leftBins } = o;
  let l = o.start, r = 0;
  if (leftBins) {
    for (let k = o.start; k < o.end; k++) {
      const i = idx[k];
      if (leftBins[column[i]] === 1) idx[l++] = i;
      else tmp[r++] = i;
    }
  } else {
    for (let k = o.start; k < o.end; k++) {
      const i = idx[k];
      if (column[i] <= bin) idx[l++] = i;
      else tmp[r++] = i;
    }
  }
  idx.set(tmp.subarray(0, r), l);
  return l;
}
