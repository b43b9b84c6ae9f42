/**
 * `deno task bench url-check --phases`: where the URL checker's time goes,
 * in this process, per URL (best of 5 passes over the first 20,000 URLs of
 * the bench's file, after a warm-up pass): each line a cumulative step of
 * lib/url/_verdict.ts's one-pass path, so differences are the steps' costs.
 *
 * @module
 */
import { checkUrl } from "../lib/url/check_input.ts";
import { type FeatureGroup, urlFeatureVector } from "../lib/url/features.ts";
import { urlPartGrams } from "../lib/url/ngram_vector.ts";
import { judgeBlock } from "../lib/url/check_file.ts";
import { loadUrlChecker } from "../lib/url/url_checker.ts";

/** Print the phase table for the URL file `path` and the model folder `model`. */
export async function urlPhases(path: string, model: string): Promise<void> {
  const urls = (await Deno.readTextFile(path)).split("\n").filter((u) => u !== "")
    .slice(0, 20_000);
  const checker = await loadUrlChecker(model, { use: "batch" });
  const m = checker.fastModel;
  if (!m) throw new Error("--phases needs a tree URL model on numeric columns");
  const checked = urls.flatMap((u) => {
    try {
      return [checkUrl(u)];
    } catch {
      return [];
    }
  });
  const values = new Float64Array(m.names.length);
  const without = (gs: FeatureGroup[]) => m.groups.filter((g) => !gs.includes(g));
  const time = (name: string, f: () => void) => {
    f();
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      f();
      best = Math.min(best, performance.now() - t0);
    }
    console.log(`  ${name.padEnd(62)} ${(best * 1000 / urls.length).toFixed(2)} µs/URL`);
  };
  console.log(`phases (${urls.length} URLs of ${path}, best of 5):`);
  time("checkUrl (parse, refusals)", () => urls.forEach((u) => checkedOrNot(u)));
  time("features without the n-gram groups (checked URLs)", () => {
    for (const c of checked) urlFeatureVector(c, without(["ngrams", "ngram_lr"]), values, 0);
  });
  time("features without ngram_lr (+ the 512 hashed 3/4-gram buckets)", () => {
    for (const c of checked) urlFeatureVector(c, without(["ngram_lr"]), values, 0);
  });
  time("per-part 1..5-gram table alone (urlPartGrams)", () => {
    for (const c of checked) urlPartGrams(c);
  });
  time("all features (+ n-gram table + the four LR logits)", () => {
    for (const c of checked) urlFeatureVector(c, m.groups, values, 0, m.ngramLr);
  });
  time("check, --reasons 0 (+ parse, encoding, compiled trees)", () => {
    checker.check(urls, { reasons: 0 });
  });
  time("check, --reasons 3 (+ contribution walk, ranking, reason texts)", () => {
    checker.check(urls, { reasons: 3 });
  });
  const items = urls.map((url, i) => ({ line: i + 1, url }));
  time("judgeBlock, --reasons 3 (+ CSV text, blocks of 4,096)", () => {
    for (let i = 0; i < items.length; i += 4096) judgeBlock(checker, items.slice(i, i + 4096), 3);
  });
}

function checkedOrNot(u: string): void {
  try {
    checkUrl(u);
  } catch {
    // refused: counted like the rest
  }
}
