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
import { loadPreprocess, type Preprocessor, rowEncoder } from "../learn/preprocess.ts";
import { parseTreeModel } from "../learn/trees.ts";
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
import { type Reason, reasonRanker } from "./reasons.ts";
import { splitFeatures, treeExplainer } from "./tree_contributions.ts";
import { parseNgramLrFile } from "./ngram_model.ts";
import { numericEncoder } from "./_numeric_encoder.ts";

/** The URL model's registered name (params `push.mlflow.model_name` of url.params.yaml). */
export const URL_MODEL_NAME = "threatline-url";

/** A verdict on one URL. */
export interface UrlVerdict {
  /** The URL as given. */
  url: string;
  /** Probability of phishing. */
  probability: number;
  /** The verdict at the model's threshold. */
  label: "phishing" | "legitimate";
  /** What pushed the score most toward the verdict. */
  reasons: Reason[];
}

/** A refused URL. */
export interface UrlRefusal {
  /** The URL as given. */
  url: string;
  /** Why (`code` as in lib/url/check_input.ts). */
  error: { code: string; message: string };
}

/** One result of a batch, in input order. */
export type UrlResult = UrlVerdict | UrlRefusal;

/** A loaded URL model. */
export interface UrlChecker {
  /** Model card version. */
  version: string;
  /** Decision threshold. */
  threshold: number;
  /** Check URLs (input order kept); `reasons` (default 3) caps the reasons per verdict, 0 for none. */
  check(urls: readonly string[], options?: { reasons?: number }): UrlResult[];
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
  const pre: Preprocessor = loadPreprocess(encoding, `${dir}/preprocess.json`);
  const names = pre.inputs;
  const ngramLrPerPart = names.includes(NGRAM_LR_PART_COLUMNS[0]);
  const groups = ALL_GROUPS.filter((g: FeatureGroup) =>
    FEATURE_GROUPS[g].some((n) => names.includes(n)) || (g === "ngram_lr" && ngramLrPerPart)
  );
  const computed = featureNames(groups, { ngramLrPerPart });
  const encoder = rowEncoder(pre, computed, { file: `${dir}/preprocess.json` });
  const width = encoder.width;
  if (width !== names.length || computed.join() !== names.join()) {
    throw new DataError(
      `the URL model takes ${width} inputs from ${names.length} columns; expected one numeric ` +
        "input per URL feature (a URL model trained by the url_* stages)",
      { file: `${dir}/preprocess.json` },
    );
  }
  const fastEncode = numericEncoder(pre, encoder);
  let explain: Explain;
  let active: Int32Array | undefined;
  const isTrees = model.family === "gbdt" || model.family === "extra_trees";
  if (isTrees) {
    const file = `${dir}/trees.json`;
    const trees = parseTreeModel(JSON.parse(await Deno.readTextFile(file)), file);
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
  const rank = reasonRanker(computed, { ngramLr, active });
  // Trees with reasons: one pass per URL (features, encoding, the contribution
  // walk, which also gives the probability, reasons) in reused rows, no
  // per-block intermediate arrays.
  const values = new Float64Array(computed.length), row = new Float64Array(width);
  const verdict = (url: string, top: number): UrlResult => {
    let checked: CheckedUrl;
    try {
      checked = checkUrl(url);
    } catch (err) {
      if (!(err instanceof UrlInputError)) throw err;
      return { url, error: { code: err.code, message: err.message } };
    }
    urlFeatureVector(checked, groups, values, 0, ngramLr);
    fastEncode!(values, row);
    const e = explain(row, 0);
    const p = e.probability!;
    const phishing = p >= model.threshold;
    return {
      url,
      probability: Math.round(p * 1e6) / 1e6,
      label: phishing ? "phishing" : "legitimate",
      reasons: rank({ checked, phishing, values, contributions: e.values, top }),
    };
  };
  return {
    version: model.version,
    threshold: model.threshold,
    dispose: () => model.dispose(),
    check(urls, o = {}) {
      const top = o.reasons ?? 3;
      if (top > 0 && isTrees && fastEncode) return urls.map((url) => verdict(url, top));
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
      ok.forEach((r, k) => encoder.encode(r.values, x, k * width));
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
