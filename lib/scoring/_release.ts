/**
 * What a model release is made of (its files, its family) and where one comes
 * from ({@linkcode ModelSource}); shared by `model_source.ts`, which resolves
 * a source, and `_remote_models.ts`, which downloads one. `model_source.ts`
 * re-exports it.
 *
 * @module
 */
/**
 * The files a release folder of a model family holds (lib/learn/model_io.ts's
 * MODEL_FILES): the card and the preprocessing, plus `trees.json` for the
 * tree families or `model.json` + `weights.bin` for the networks.
 *
 * @example
 * ```ts
 * import { releaseFiles } from "./_release.ts";
 * releaseFiles("gbdt"); // ["card.json", "preprocess.json", "trees.json"]
 * ```
 */
export function releaseFiles(family: string | undefined): string[] {
  const model = family === "gbdt" || family === "extra_trees"
    ? ["trees.json"]
    : ["model.json", "weights.bin"];
  return ["card.json", "preprocess.json", ...model];
}

/**
 * The family a card names (cards written before the tree families carry it
 * in `config` only).
 *
 * @example
 * ```ts
 * import { cardFamily } from "./_release.ts";
 * cardFamily({ config: { family: "mlp" } }); // "mlp"
 * ```
 */
export function cardFamily(card: unknown): string | undefined {
  const c = card as { family?: unknown; config?: { family?: unknown } } | null;
  const f = c?.family ?? c?.config?.family;
  return typeof f === "string" ? f : undefined;
}

/** A parsed model source. */
export type ModelSource =
  | { kind: "dir"; dir: string }
  | { kind: "s3"; uri: string; bucket: string; prefix: string }
  | { kind: "mlflow"; uri: string; name: string; alias: string };
