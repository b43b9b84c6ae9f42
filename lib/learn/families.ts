/**
 * The model family names, without TensorFlow.js: model_io.ts checks a card's
 * family before it knows whether it needs a network (lib/learn/models.ts
 * re-exports these).
 *
 * @module
 */
import type { TreeFamily } from "./trees.ts";

/** A TensorFlow.js network family. */
export type NetFamily = "logreg" | "mlp";

/** A model family: a TensorFlow.js network or a tree ensemble. */
export type Family = NetFamily | TreeFamily;

/**
 * The values a `family` accepts, in search order.
 *
 * @example
 * ```ts
 * import { FAMILIES } from "./families.ts";
 * FAMILIES.includes("gbdt"); // true
 * ```
 */
export const FAMILIES: readonly Family[] = ["logreg", "mlp", "gbdt", "extra_trees"];
