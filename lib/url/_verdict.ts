/**
 * The URL checker's fast path for tree models with all-numeric inputs (the
 * url_* stages' models): one pass per URL (features → numeric encoding into a
 * reused row → the contribution walk, which also gives the probability →
 * reasons), no per-block intermediate arrays. Built from a
 * {@linkcode FastModel}, plain structured-cloneable data: lib/url/url_checker.ts
 * loads and checks the model folder once and hands the same data to each
 * worker of lib/url/check_pool.ts, which then parses nothing. No TensorFlow.js
 * and no YAML on this path (the generic encoder, built from YAML, is asked for
 * only when a value leaves the fast encoder's range).
 *
 * @module
 */
import { compileTrees, type TreeModel } from "../learn/trees.ts";
import { loadPreprocess, type RowEncoder, rowEncoder } from "../learn/preprocess.ts";
import { type CheckedUrl, checkUrl, UrlInputError } from "./check_input.ts";
import { type FeatureGroup, type NgramLr, urlFeatureVector } from "./features.ts";
import { type Reason, reasonRanker } from "./reasons.ts";
import { splitFeatures, treeExplainer } from "./tree_contributions.ts";
import { numericEncoder, type NumericSpec, numericValid } from "./_numeric_encoder.ts";

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

/** A loaded and checked tree URL model as plain data (structured-cloneable). */
export interface FastModel {
  /** Model card version. */
  version: string;
  /** Decision threshold. */
  threshold: number;
  /** Feature groups computed. */
  groups: FeatureGroup[];
  /** The model's input columns (the groups' features, in order). */
  names: string[];
  /** trees.json, parsed and checked. */
  trees: TreeModel;
  /** The stacked n-gram LR(s), when the `ngram_lr` group is in. */
  ngramLr?: NgramLr;
  /** The fast encoder's numbers. */
  numeric: NumericSpec;
  /** preprocess.json without its drift reference: the generic encoder, on first need. */
  encoding: Record<string, unknown>;
  /** preprocess.json's path (messages). */
  file: string;
}

/** Checks URLs with a {@linkcode FastModel}: `top` reasons each (0: none). */
export type FastCheck = (urls: readonly string[], top: number) => UrlResult[];

/**
 * The checking function of `m`; `generic` gives the generic encoder of its
 * inputs (default: built from `m.encoding` on first need).
 *
 * @example
 * ```ts ignore
 * import { fastChecker } from "./_verdict.ts";
 * const check = fastChecker(model);
 * check(["http://paypal.com.example.tk/login"], 3)[0]; // { url, probability, label, reasons }
 * ```
 */
export function fastChecker(m: FastModel, generic?: () => RowEncoder): FastCheck {
  let built: RowEncoder | undefined;
  const fallback = generic ??
    (() => built ??= rowEncoder(loadPreprocess(m.encoding, m.file), m.names, { file: m.file }));
  const encode = numericEncoder(m.numeric, fallback);
  let scaled: ReturnType<typeof treeExplainer> | undefined; // encoded rows: the rare fallback
  // Rows the fast encoder takes as they are: the trees split the raw values
  // at exact raw cuts (the same decisions), no encoded row.
  const valid = numericValid(m.numeric);
  const explainRaw = treeExplainer(m.trees, { inputs: m.numeric });
  const rank = reasonRanker(m.names, { ngramLr: m.ngramLr, active: splitFeatures(m.trees) });
  const width = m.names.length, threshold = m.threshold;
  const values = new Float64Array(width), row = new Float64Array(width);
  let predict: ReturnType<typeof compileTrees> | undefined;
  const refusal = (url: string, err: unknown): UrlRefusal => {
    if (!(err instanceof UrlInputError)) throw err;
    return { url, error: { code: err.code, message: err.message } };
  };
  const verdict = (url: string, top: number): UrlResult => {
    let checked: CheckedUrl;
    try {
      checked = checkUrl(url);
    } catch (err) {
      return refusal(url, err);
    }
    urlFeatureVector(checked, m.groups, values, 0, m.ngramLr);
    let e;
    if (valid(values)) e = explainRaw(values, 0);
    else {
      encode(values, row);
      e = (scaled ??= treeExplainer(m.trees))(row, 0);
    }
    const p = e.probability;
    const phishing = p >= threshold;
    return {
      url,
      probability: Math.round(p * 1e6) / 1e6,
      label: phishing ? "phishing" : "legitimate",
      reasons: rank({ checked, phishing, values, contributions: e.values, top }),
    };
  };
  // No reasons: encode the block, then the compiled trees (the released model's predictProba).
  const probabilities = (urls: readonly string[]): UrlResult[] => {
    const results: UrlResult[] = new Array(urls.length);
    const ok: number[] = [];
    const x = new Float32Array(urls.length * width);
    urls.forEach((url, i) => {
      try {
        urlFeatureVector(checkUrl(url), m.groups, values, 0, m.ngramLr);
      } catch (err) {
        results[i] = refusal(url, err);
        return;
      }
      encode(values, row);
      x.set(row, ok.length * width);
      ok.push(i);
    });
    predict ??= compileTrees(m.trees);
    const proba = ok.length ? predict(x.subarray(0, ok.length * width), ok.length) : [];
    ok.forEach((i, k) => {
      const p = proba[k];
      results[i] = {
        url: urls[i],
        probability: Math.round(p * 1e6) / 1e6,
        label: p >= threshold ? "phishing" : "legitimate",
        reasons: [],
      };
    });
    return results;
  };
  return (urls, top) => top > 0 ? urls.map((url) => verdict(url, top)) : probabilities(urls);
}
