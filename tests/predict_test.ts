/**
 * `deno task predict` as a user runs it: a subprocess with the task's
 * permissions (deno.json's `predict` line when it exists), in a temporary
 * folder, on a tiny release; and, when the pipeline has run, the released
 * model on the test split against the evaluate stage's predictions.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { csvRows, phishingCsv, phishingRelease } from "../lib/scoring/_testing.ts";
import { progressLine, summaryLine } from "../tasks/predict.ts";
import { REPO } from "./_workspace.ts";

/** The permission flags of the predict task (deno.json's line, or the proposed one). */
async function taskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const line: string | undefined = config.tasks?.predict;
  if (line) return line.split(/\s+/).filter((a) => a.startsWith("--allow-"));
  return [
    "--allow-read",
    "--allow-write",
    "--allow-net",
    "--allow-env=LOG_TOKENS,LOG_STREAM,HOME,USERPROFILE,HOMEPATH,HOMEDRIVE,AWS_*,MLFLOW_*,_X_AMZN_TRACE_ID",
    "--allow-sys=osRelease",
  ];
}

async function predict(cwd: string, args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(await taskFlags()),
      "--config",
      join(REPO, "deno.json"),
      join(REPO, "tasks/predict.ts"),
      ...args,
    ],
    cwd,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("progress and summary lines", () => {
  strictEqual(
    progressLine({ rows: 500000, rejected: 3, bytesRead: 34e6, totalBytes: 68e6, seconds: 1 }),
    "predict: 500,000 rows, 500,000 rows/s, 3 rejected, 50%, ETA 1.00 s",
  );
  strictEqual(
    progressLine({ rows: 10, rejected: 0, bytesRead: 100, seconds: 0.5 }),
    "predict: 10 rows, 20 rows/s",
  );
  const line = summaryLine({
    rows: 1000,
    scored: 998,
    rejected: 2,
    seconds: 0.5,
    out: "-",
    rejectsFile: "predictions.rejects.csv",
    driftFiles: { json: "predictions.drift.json", markdown: "predictions.drift.md" },
    drifted: ["a", "b"],
    driftTested: true,
    modelVersion: "0123456789ab",
    threshold: 0.5,
    engine: "dense-simd",
    workers: 2,
  });
  strictEqual(
    line,
    "predict: 1,000 rows: 998 scored, 2 rejected (see predictions.rejects.csv); drift in 2 " +
      "column(s): a, b (see predictions.drift.md); 0.50 s, 2,000 rows/s; model 0123456789ab " +
      "(dense-simd, 2 workers) → stdout",
  );
});

let shared: Promise<string> | undefined;
const release = () => (shared ??= phishingRelease());

Deno.test("predict: rejects keep exit 0 and are counted in the summary; output order with 2 workers", async () => {
  const dir = await release();
  const lines = (await phishingCsv(300, 300)).trimEnd().split("\n");
  lines[10] = lines[10].replace(/^[^,]+/, "9");
  lines[20] = lines[20].replace(/,[^,]+$/, "");
  await Deno.writeTextFile(join(dir, "in.csv"), lines.join("\n") + "\n");
  const one = await predict(dir, [
    "in.csv",
    "--model",
    "model",
    "--out",
    "one.csv",
    "--workers",
    "0",
  ]);
  strictEqual(one.code, 0, one.stderr);
  ok(
    /predict: 300 rows: 298 scored, 2 rejected \(see one\.rejects\.csv\); (no drift|drift in \d+ column\(s\): .*\(see one\.drift\.md\)); [0-9.]+ s, [0-9,]+ rows\/s; model [0-9a-f]{12} \((dense-simd|trees-js), in one thread\) → one\.csv/
      .test(one.stderr),
    one.stderr,
  );
  const two = await predict(dir, ["in.csv", "--model", "model", "-o", "two.csv", "--workers", "2"]);
  strictEqual(two.code, 0, two.stderr);
  strictEqual(
    await Deno.readTextFile(join(dir, "two.csv")),
    await Deno.readTextFile(join(dir, "one.csv")),
  );
  const rejects = csvRows(await Deno.readTextFile(join(dir, "two.rejects.csv")));
  deepStrictEqual(rejects.slice(1).map((r) => [r[0], r[1], r[2]]), [["10", "11", "in.csv"], [
    "20",
    "21",
    "in.csv",
  ]]);
  const drift = JSON.parse(await Deno.readTextFile(join(dir, "two.drift.json")));
  strictEqual(drift.rows, 298);
  strictEqual(drift.columns.length, 30);
  ok((await Deno.readTextFile(join(dir, "two.drift.md"))).startsWith("# Drift of the batch"));
});

Deno.test("predict: a wrong header exits 3 with the missing and unexpected columns", async () => {
  const dir = await release();
  await Deno.writeTextFile(
    join(dir, "wrong.csv"),
    (await phishingCsv(3)).replace("favicon", "fav"),
  );
  const r = await predict(dir, ["wrong.csv", "--model", "model", "--out", "w.csv"]);
  strictEqual(r.code, 3);
  ok(
    r.stderr.includes(
      "error[DATA] wrong.csv:1, field 'favicon': wrong header: missing column(s) 'favicon'; unexpected column(s) 'fav'",
    ),
    r.stderr,
  );
  strictEqual(await Deno.stat(join(dir, "w.csv")).then(() => true, () => false), false);
  const bad = await predict(dir, ["in.csv", "--model", "model", "--threshold", "2"]);
  strictEqual(bad.code, 2);
  ok(bad.stderr.includes("--threshold must be a number in [0, 1]"), bad.stderr);
});

Deno.test("predict: --delimiter reads a ';' file like its comma form; without it, exit 3 naming the line", async () => {
  const dir = await release();
  const comma = await phishingCsv(20);
  await Deno.writeTextFile(join(dir, "c.csv"), comma);
  await Deno.writeTextFile(join(dir, "semi.csv"), comma.replaceAll(",", ";"));
  const a = await predict(dir, ["c.csv", "--model", "model", "--out", "c.out.csv"]);
  strictEqual(a.code, 0, a.stderr);
  const b = await predict(dir, [
    "semi.csv",
    "--model",
    "model",
    "--out",
    "semi.out.csv",
    "--delimiter",
    ";",
  ]);
  strictEqual(b.code, 0, b.stderr);
  strictEqual(
    await Deno.readTextFile(join(dir, "semi.out.csv")),
    await Deno.readTextFile(join(dir, "c.out.csv")),
  );
  const c = await predict(dir, ["semi.csv", "--model", "model", "--out", "x.csv"]);
  strictEqual(c.code, 3);
  ok(
    c.stderr.includes(
      "error[DATA] semi.csv:1: the first line is a single field when split at ','; it looks ';'-separated",
    ),
    c.stderr,
  );
  const d = await predict(dir, ["c.csv", "--model", "model", "--delimiter", ";;"]);
  strictEqual(d.code, 2);
  ok(d.stderr.includes("--delimiter: the CSV delimiter must be one ASCII character"), d.stderr);
});

Deno.test("predict: stdin (JSON Lines) to stdout, gzip input, --threshold", async () => {
  const dir = await release();
  const csv = await phishingCsv(50, 100);
  await Deno.writeTextFile(join(dir, "p.csv"), csv);
  const plain = await predict(dir, ["p.csv", "--model", "model", "--out", "-"]);
  strictEqual(plain.code, 0, plain.stderr);
  const gz = new Blob([csv]).stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(join(dir, "p.csv.gz"), gz);
  const zipped = await predict(dir, ["p.csv.gz", "--model", "model", "--out", "-"]);
  strictEqual(zipped.stdout, plain.stdout);
  const [header, ...rows] = csvRows(csv);
  const jsonl = rows.map((r) =>
    JSON.stringify(Object.fromEntries(header.map((h, i) => [h, Number(r[i])])))
  )
    .join("\n");
  const piped = await predict(
    dir,
    ["-", "--format", "jsonl", "--model", "model", "--out", "-"],
    jsonl,
  );
  strictEqual(piped.code, 0, piped.stderr);
  strictEqual(piped.stdout, plain.stdout);
  ok(piped.stderr.includes("50 rows: 50 scored"), piped.stderr);
  const all = await predict(dir, ["p.csv", "--model", "model", "--out", "-", "--threshold", "0"]);
  ok(csvRows(all.stdout).slice(1).every((r) => r[2] === "1"));
});

const ARTIFACTS = join(REPO, "artifacts");
const fresh = await (async () => {
  try {
    const card = await Deno.stat(join(ARTIFACTS, "model/card.json"));
    const preds = await Deno.stat(join(ARTIFACTS, "evaluate/predictions.csv"));
    await Deno.stat(join(ARTIFACTS, "ingest/test.csv"));
    return preds.mtime!.getTime() >= card.mtime!.getTime();
  } catch {
    return false;
  }
})();

Deno.test({
  name: "predict on the test split equals the evaluate stage's predictions (to 1e-6)",
  ignore: !fresh,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const r = await predict(dir, [
        join(ARTIFACTS, "ingest/test.csv"),
        "--model",
        join(ARTIFACTS, "model"),
        "--out",
        "test_predictions.csv",
      ]);
      strictEqual(r.code, 0, r.stderr);
      const ours = csvRows(await Deno.readTextFile(join(dir, "test_predictions.csv"))).slice(1);
      const theirs = csvRows(await Deno.readTextFile(join(ARTIFACTS, "evaluate/predictions.csv")))
        .slice(1);
      strictEqual(ours.length, theirs.length);
      ours.forEach((row, i) => {
        const diff = Math.abs(Number(row[1]) - Number(theirs[i][2]));
        ok(diff <= 1e-6 + 1e-12, `row ${i + 1}: ${row[1]} vs ${theirs[i][2]}`);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("predict tests: cleanup", async () => {
  await Deno.remove(await release(), { recursive: true });
});
