/**
 * Learning: from typed rows to a fitted, saved model.
 *
 * - `preprocess.ts` (with `_preprocess_*.ts`): features from columns, fitted
 *   on the training rows, into a `matrix.ts` matrix; `expand_codes.ts`:
 *   category-code columns as one-hot columns for the families that need them.
 * - `models.ts`, `tf_backend.ts`: the TensorFlow.js networks and their backend;
 *   `trees.ts` (with `_bins.ts`, `_gbdt.ts`, `_extra_trees.ts`, `_tree_*.ts`):
 *   gradient-boosted and extremely randomized trees.
 * - `fit.ts`, `search.ts`: fitting one candidate, searching the candidates.
 * - `model_io.ts`: a release folder (card, preprocessing, model files) saved
 *   and loaded.
 *
 * @example
 * ```ts ignore
 * import { loadReleasedModel } from "./mod.ts";
 * const model = await loadReleasedModel("artifacts/model");
 * ```
 *
 * @module
 */
export * from "./matrix.ts";
export * from "./preprocess.ts";
export * from "./expand_codes.ts";
export * from "./models.ts";
export * from "./trees.ts";
export * from "./fit.ts";
export * from "./search.ts";
export * from "./model_io.ts";
export * from "./tf_backend.ts";
