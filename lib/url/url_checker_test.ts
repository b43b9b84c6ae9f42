import { deepStrictEqual, ok } from "node:assert/strict";
import { writeTestUrlModel } from "./_testing.ts";
import { checkFile } from "./check_file.ts";
import { loadUrlChecker, type UrlVerdict } from "./url_checker.ts";

const dir = await Deno.makeTempDir();
await writeTestUrlModel(dir);
const checker = await loadUrlChecker(dir, { use: "single" });

Deno.test("a trained URL model: verdicts in input order, reasons from the trees, refusals in place", () => {
  const results = checker.check([
    "http://10.9.9.9/paypal/login.php",
    "javascript:alert(1)",
    "https://www.example.org/about/us",
  ]);
  const [a, b, c] = results;
  deepStrictEqual([(a as UrlVerdict).label, (c as UrlVerdict).label], ["phishing", "legitimate"]);
  ok((a as UrlVerdict).probability > 0.5 && (c as UrlVerdict).probability < 0.5);
  deepStrictEqual(b, {
    url: "javascript:alert(1)",
    error: {
      code: "unsupported_scheme",
      message: "scheme 'javascript:' is not checked (only http and https URLs)",
    },
  });
  const reasons = (a as UrlVerdict).reasons;
  ok(reasons.length >= 1 && reasons.length <= 3);
  ok(reasons.every((r) => r.contribution > 0 && r.text.length > 0));
  const again = checker.check(results.map((r) => r.url), { reasons: 0 });
  deepStrictEqual(
    again.map((r) => "probability" in r ? r.probability : null),
    results.map((r) => "probability" in r ? r.probability : null),
  );
  deepStrictEqual(checker.check(["http://1.2.3.4/"], { reasons: 0 })[0].url, "http://1.2.3.4/");
  deepStrictEqual(
    (checker.check(["http://1.2.3.4/"], { reasons: 0 })[0] as UrlVerdict).reasons,
    [],
  );
});

async function runFile(text: string, format: "csv" | "jsonl" | "lines", reasons = 1) {
  let out = "", rej = "";
  const summary = await checkFile({
    checker,
    input: ReadableStream.from([new TextEncoder().encode(text)]),
    format,
    file: "in",
    out: (t) => Promise.resolve(void (out += t)),
    rejects: (t) => Promise.resolve(void (rej += t)),
    reasons,
  });
  return { out: out.trim().split("\n"), rej: rej.trim().split("\n"), summary };
}

Deno.test("checkFile: lines, CSV and JSONL in input order; refused lines to rejects", async () => {
  const lines = await runFile(
    "http://10.1.1.1/paypal/login.php\n\nnot a url at all\nhttps://www.a.com/about\n",
    "lines",
  );
  deepStrictEqual(lines.out[0], "url,probability,label,reasons");
  deepStrictEqual(lines.out.slice(1).map((l) => l.split(",")[0]), [
    "http://10.1.1.1/paypal/login.php",
    "https://www.a.com/about",
  ]);
  deepStrictEqual(lines.rej.slice(1).map((l) => l.split(",").slice(0, 1)[0]), ["3"]);
  deepStrictEqual(lines.summary, { checked: 2, phishing: 1, rejected: 1 });
  const csv = await runFile('id,url\n1,"http://a.com/x,y"\n2,data:x\n', "csv");
  deepStrictEqual(csv.out[1].split(",").slice(0, 2), ['"http://a.com/x', 'y"']);
  deepStrictEqual(csv.rej[1].split(",").slice(0, 3), ["3", "data:x", "unsupported_scheme"]);
  const jsonl = await runFile('{"url": "http://a.com/"}\n{bad\n{"u": 1}\n', "jsonl");
  deepStrictEqual(jsonl.out.length, 2);
  deepStrictEqual(jsonl.rej.slice(1).map((l) => l.split(",")[0] + ":" + l.split(",").at(-2)), [
    "2:bad_json",
    "3:no_url",
  ]);
});

Deno.test("a network URL model: reasons by gradient × input, same verdicts", async () => {
  const netDir = await Deno.makeTempDir();
  await writeTestUrlModel(netDir, ["structure", "words", "brand", "counts"], "logreg");
  const net = await loadUrlChecker(netDir, { use: "single" });
  try {
    const [a, c] = net.check([
      "http://10.9.9.9/paypal/login.php",
      "https://www.example.org/about/us",
    ]);
    deepStrictEqual([(a as UrlVerdict).label, (c as UrlVerdict).label], ["phishing", "legitimate"]);
    const reasons = (a as UrlVerdict).reasons;
    ok(reasons.length > 0 && reasons.every((r) => r.contribution > 0), JSON.stringify(reasons));
    ok((c as UrlVerdict).reasons.every((r) => r.contribution < 0));
  } finally {
    net.dispose();
    await Deno.remove(netDir, { recursive: true });
  }
});

Deno.test("checkFile with a worker pool: same bytes as one thread, across blocks", async () => {
  const { startCheckPool } = await import("./check_pool.ts");
  const { BLOCK } = await import("./check_file.ts");
  const urls = Array.from(
    { length: 2 * BLOCK + 7 },
    (_, i) => i % 5 === 0 ? `http://10.0.0.${i % 250}/login${i}` : `https://site${i}.org/a/${i}`,
  );
  urls[BLOCK + 3] = "javascript:x";
  const text = urls.join("\n") + "\n";
  for (const reasons of [1, 0]) {
    const one = await runFile(text, "lines", reasons);
    const pool = await startCheckPool({ model: dir, workers: 2, reasons });
    try {
      let out = "", rej = "";
      const summary = await checkFile({
        judge: pool.judge,
        inFlight: 4,
        input: ReadableStream.from([new TextEncoder().encode(text)]),
        format: "lines",
        file: "in",
        out: (t) => Promise.resolve(void (out += t)),
        rejects: (t) => Promise.resolve(void (rej += t)),
      });
      deepStrictEqual(out.trim().split("\n"), one.out);
      deepStrictEqual(rej.trim().split("\n"), one.rej);
      deepStrictEqual(summary, one.summary);
      deepStrictEqual(summary.rejected, 1);
    } finally {
      pool.close();
    }
  }
});

Deno.test("a URL model with per-part n-gram LRs: the checker's columns are the featurize step's, part reasons", async () => {
  const d = await Deno.makeTempDir();
  try {
    await writeTestUrlModel(d, ["structure", "ngram_lr"]);
    const c = await loadUrlChecker(d, { use: "single" });
    const urls = ["http://10.9.9.9/paypal/login.php", "https://www.site3.com/about/team"];
    const withReasons = c.check(urls, { reasons: 5 }) as UrlVerdict[];
    const without = c.check(urls, { reasons: 0 }) as UrlVerdict[];
    deepStrictEqual(withReasons.map((r) => r.label), ["phishing", "legitimate"]);
    deepStrictEqual(withReasons.map((r) => r.probability), without.map((r) => r.probability));
    const parts = withReasons.flatMap((r) => r.reasons).filter((r) =>
      r.feature.startsWith("ngram_lr_")
    );
    ok(parts.length > 0, JSON.stringify(withReasons));
    ok(parts.every((r) => !r.text.includes(" = ")), JSON.stringify(parts));
    c.dispose();
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});
