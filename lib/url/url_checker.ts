/**
 * The URL checker: a released URL model (the `url_train` stage's folder,
 * registered as `threatline-url`) plus the feature code, answering
 * "phishing or legitimate, how sure, and why" for raw URLs. Used by
 * `deno task check-url` and `POST /v1/check-url`. Never fetches a URL or
 * resolves a host.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { loadReleasedModel, type ReleasedModel } from "../learn/model_io.ts";
import {
  loadPreprocess,
  type Preprocessor,
  type RowEncoder,
  rowEncoder,
} from "../learn/preprocess.ts";
import { parseTreeModel, type TreeModel } from "../learn/trees.ts";
import { type CheckedUrl, checkUrl, UrlInputError } from "./check_input.ts";
import { DataError } from "../errors.ts";
import {
  ALL_GROUPS,
  FEATURE_GROUPS,
  type FeatureGroup,
  featureNames,
  NGRAM_LR_PART_COLUMNS,
  type NgramLr,
  urlFeatureVector,
} from "./features.ts";
import { reasonRanker } from "./reasons.ts";
import { splitFeatures, treeExplainer } from "./tree_contributions.ts";
import { parseNgramLrFile } from "./ngram_model.ts";
import { numericSpec, numericSpecFromJson } from "./_numeric_encoder.ts";
import { fastChecker, type FastModel, type UrlResult } from "./_verdict.ts";

/** The URL model's registered name (params `push.mlflow.model_name` of url.params.yaml). */
export const URL_MODEL_NAME = "threatline-url";

export type { UrlRefusal, UrlResult, UrlVerdict } from "./_verdict.ts";

/** A loaded URL model. */
export interface UrlChecker {
  /** Model card version. */
  version: string;
  /** Decision threshold. */
  threshold: number;
  /** Check URLs (input order kept); `reasons` (default 3) caps the reasons per verdict, 0 for none. */
  check(urls: readonly string[], options?: { reasons?: number }): UrlResult[];
  /**
   * The model as plain structured-cloneable data for lib/url/_verdict.ts
   * (workers build their checker from it without reading the folder);
   * tree models on numeric inputs only.
   */
  fastModel?: FastModel;
  /** Free the model. */
  dispose(): void;
}

/**
 * Per-row contributions in model input order (score units), and the row's
 * probability when the same walk yields it (trees).
 */
type Explain = (
  x: Float32Array | Float64Array,
  offset: number,
) => { values: ArrayLike<number>; probability?: number };

function gradientTimesInput(model: ReleasedModel, width: number): Explain {
  // Central differences of the logit at the row, times the row (inputs are
  // standardised, so 0 is the training mean): one predictProba call per row.
  const h = 1e-2;
  const logit = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
  return (x, offset) => {
    const rows = new Float32Array(2 * width * width);
    for (let j = 0; j < width; j++) {
      for (const [s, r] of [[1, 2 * j], [-1, 2 * j + 1]]) {
        rows.set(x.subarray(offset, offset + width), r * width);
        rows[r * width + j] += s * h;
      }
    }
    const p = model.predictProba(rows, 2 * width);
    const out = new Float64Array(width);
    for (let j = 0; j < width; j++) {
      out[j] = (logit(p[2 * j]) - logit(p[2 * j + 1])) / (2 * h) * x[offset + j];
    }
    return { values: out };
  };
}

/**
 * Load the URL model folder (e.g. `artifacts/url/model`).
 *
 * @example
 * ```ts ignore
 * import { loadUrlChecker } from "./url_checker.ts";
 * const checker = await loadUrlChecker("artifacts/url/model");
 * checker.check(["http://paypal.com.example.tk/login"])[0]; // { url, probability, label, reasons }
 * ```
 */
export async function loadUrlChecker(
  dir: string,
  options: { use?: "batch" | "single"; log?: Logger } = {},
): Promise<UrlChecker> {
  const model = await loadReleasedModel(dir, options);
  // The drift reference (column samples, megabytes for hundreds of features) is
  // not used here; parsing it through the positioned YAML reader took seconds.
  const { reference: _unused, ...encoding } = model.preprocessJson as Record<string, unknown>;
  const preFile = `${dir}/preprocess.json`;
  const isTrees = model.family === "gbdt" || model.family === "extra_trees";
  // Trees on plain numeric columns (the url_* stages' models): the columns and
  // the fast encoder straight from the JSON; the generic loader (~0.2 s of
  // YAML) only if a value ever leaves the fast encoder's range.
  const light = isTrees ? numericSpecFromJson(encoding) : undefined;
  let pre: Preprocessor | undefined = light ? undefined : loadPreprocess(encoding, preFile);
  const names = light ? light.names : pre!.inputs;
  const ngramLrPerPart = names.includes(NGRAM_LR_PART_COLUMNS[0]);
  const groups = ALL_GROUPS.filter((g: FeatureGroup) =>
    FEATURE_GROUPS[g].some((n) => names.includes(n)) || (g === "ngram_lr" && ngramLrPerPart)
  );
  const computed = featureNames(groups, { ngramLrPerPart });
  let built: RowEncoder | undefined;
  const genericEncoder = () =>
    built ??= rowEncoder(pre ??= loadPreprocess(encoding, preFile), computed, { file: preFile });
  const width = light ? names.length : genericEncoder().width;
  if (width !== names.length || computed.join() !== names.join()) {
    throw new DataError(
      `the URL model takes ${width} inputs from ${names.length} columns; expected one numeric ` +
        "input per URL feature (a URL model trained by the url_* stages)",
      { file: preFile },
    );
  }
  const numeric = light ? light.numeric : numericSpec(pre!);
  let explain: Explain;
  let active: Int32Array | undefined;
  let trees: TreeModel | undefined;
  if (isTrees) {
    const file = `${dir}/trees.json`;
    trees = parseTreeModel(JSON.parse(await Deno.readTextFile(file)), file);
    explain = treeExplainer(trees);
    active = splitFeatures(trees);
  } else {
    explain = gradientTimesInput(model, width);
  }
  let ngramLr: NgramLr | undefined;
  if (groups.includes("ngram_lr")) {
    const file = `${dir}/ngram_lr.json`;
    try {
      ngramLr = parseNgramLrFile(await Deno.readTextFile(file));
      if (("weights" in ngramLr) === ngramLrPerPart) {
        throw new Error(`the model's columns take ${ngramLrPerPart ? "per-part LRs" : "one LR"}`);
      }
    } catch (err) {
      throw new DataError(
        `the URL model takes the n-gram LR's score but ${file} is missing or invalid: ` +
          (err as Error).message,
        { file, cause: err },
      );
    }
  }
  // Trees on numeric inputs (the url_* stages' models): the one-pass path
  // (lib/url/_verdict.ts), which workers get as plain data.
  const fastModel: FastModel | undefined = trees && numeric
    ? {
      version: model.version,
      threshold: model.threshold,
      groups,
      names: computed,
      trees,
      ngramLr,
      numeric,
      encoding,
      file: preFile,
    }
    : undefined;
  const fast = fastModel && fastChecker(fastModel, genericEncoder);
  const rank = reasonRanker(computed, { ngramLr, active });
  return {
    version: model.version,
    threshold: model.threshold,
    fastModel,
    dispose: () => model.dispose(),
    check(urls, o = {}) {
      const top = o.reasons ?? 3;
      if (fast) return fast(urls, top);
      const results: UrlResult[] = new Array(urls.length);
      const ok: { i: number; checked: CheckedUrl; values: Float64Array }[] = [];
      urls.forEach((url, i) => {
        try {
          const checked = checkUrl(url);
          const values = new Float64Array(computed.length);
          urlFeatureVector(checked, groups, values, 0, ngramLr);
          ok.push({ i, checked, values });
        } catch (err) {
          if (!(err instanceof UrlInputError)) throw err;
          results[i] = { url, error: { code: err.code, message: err.message } };
        }
      });
      const x = new Float32Array(ok.length * width);
      ok.forEach((r, k) => genericEncoder().encode(r.values, x, k * width));
      // Trees with reasons: the contribution walk also gives the probability
      // (identical to predictProba's), so the trees are walked once.
      const oneWalk = top > 0 && isTrees;
      const proba = ok.length && !oneWalk ? model.predictProba(x, ok.length) : undefined;
      ok.forEach((r, k) => {
        const e = top > 0 ? explain(x, k * width) : undefined;
        const p = proba ? proba[k] : e!.probability!;
        const probability = Math.round(p * 1e6) / 1e6;
        const phishing = p >= model.threshold;
        const reasons = e
          ? rank({ checked: r.checked, phishing, values: r.values, contributions: e.values, top })
          : [];
        results[r.i] = {
          url: urls[r.i],
          probability,
          label: phishing ? "phishing" : "legitimate",
          reasons,
        };
      });
      return results;
    },
  };
}
