/**
 * Benchmark `monitor`: one run over `--rows` new records (default
 * 1,000,000) in a MongoDB collection (the FerretDB test server: `eval
 * "$(deno task -q services env mongodb)"` first), as a user runs it
 * (`tasks/monitor.ts` with deno.json's flags, start-up included): read,
 * score, write predictions back, drift, commit. Records are phishing rows
 * resampled with a seed; the model is the tiny test release
 * (lib/scoring/_testing.ts), or `--model DIR`. Inserting the records is not
 * timed, but reported (with a plain read of the records in `_id` order) as
 * the server's floor: the monitor reads and writes as many documents. Each
 * of `--runs` runs gets a fresh collection. Prints rows/s (medians) and peak
 * RSS (GNU time) with the date and command.
 *
 * ```sh
 * deno task bench monitor [--rows 1000000] [--runs 1] [--model DIR]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { parseArgs, positiveInt } from "../lib/args.ts";
import type { Logger } from "../lib/log.ts";
import { createRng } from "../lib/rng.ts";
import { phishingRelease, repoFile } from "../lib/scoring/_testing.ts";
import { REPO_ROOT, taskFlags } from "./_contenders.ts";
import { median, timedRun } from "./_timed.ts";
import { machineInfo } from "./_report.ts";

/** The benchmark. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: "deno task bench monitor [--rows N] [--runs N] [--model DIR]",
    options: { rows: { type: "string" }, runs: { type: "string" }, model: { type: "string" } },
  });
  const rows = positiveInt((values.rows as string) ?? "1000000", "--rows");
  const runs = positiveInt((values.runs as string) ?? "1", "--runs");
  const uri = Deno.env.get("MONGODB_URI");
  if (!uri) throw new Error('MONGODB_URI is not set: eval "$(deno task -q services env mongodb)"');
  const dir = await phishingRelease();
  const model = (values.model as string) ?? join(dir, "model");
  const lines = (await Deno.readTextFile(repoFile("data/phishing_websites.csv"))).trimEnd()
    .split("\n");
  const header = lines[0].split(",");
  const data = lines.slice(1).map((l) => l.split(",").map(Number));
  const rng = createRng(7);
  const client = new MongoClient(uri);
  const { flags, script } = await taskFlags("monitor");
  const seconds: number[] = [], rss: number[] = [], inserts: number[] = [], reads: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const database = `bench_monitor_${crypto.randomUUID().slice(0, 8)}`;
      const coll = client.db(database).collection("flows_live");
      log.info("bench monitor: inserting", { rows, database });
      const t0 = performance.now();
      for (let i = 0; i < rows; i += 10_000) {
        const docs = [];
        for (let j = i; j < Math.min(rows, i + 10_000); j++) {
          const v = data[rng.int(data.length)];
          const doc: Record<string, number> = {};
          header.forEach((h, k) => (doc[h] = v[k]));
          docs.push(doc);
        }
        await coll.insertMany(docs, { ordered: true });
      }
      inserts.push((performance.now() - t0) / 1000);
      // The server's floor: a plain read of the same records, in _id order.
      const t1 = performance.now();
      for await (const _ of coll.find({}).sort({ _id: 1 }).batchSize(5000)) { /* count */ }
      reads.push((performance.now() - t1) / 1000);
      await Deno.writeTextFile(
        join(dir, "params.yaml"),
        `monitor:\n  source: {kind: mongodb, database: ${database}, collection: flows_live}\n` +
          `  output: {collection: predictions}\n  lease_seconds: 3600\n`,
      );
      log.info("bench monitor: running");
      const t = await timedRun(
        Deno.execPath(),
        [
          "run",
          ...flags,
          "--config",
          join(REPO_ROOT, "deno.json"),
          join(REPO_ROOT, script),
          "--model",
          model,
        ],
        { cwd: dir, env: { MONGODB_URI: uri, MLFLOW_TRACKING_URI: "" } },
      );
      const report = JSON.parse(t.stdout);
      if (report.records !== rows) throw new Error(`scored ${report.records} of ${rows}`);
      seconds.push(t.seconds);
      rss.push(t.rssMiB);
      log.info("bench monitor: run", { seconds: t.seconds, rss_mib: t.rssMiB });
      await client.db(database).dropDatabase();
    }
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
  const m = await machineInfo();
  const s = median(seconds);
  console.log(`monitor benchmark, ${new Date().toISOString().slice(0, 10)}, ${JSON.stringify(m)}`);
  console.log(`command: deno task bench monitor --rows ${rows} --runs ${runs}`);
  console.log(
    "| rows | runs | monitor wall s | rows/s | peak RSS MiB | FerretDB: insertMany s | " +
      "FerretDB: read in _id order s |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${rows.toLocaleString("en")} | ${runs} | ${s.toFixed(1)} | ${
      Math.round(rows / s).toLocaleString("en")
    } | ${Math.round(median(rss))} | ${median(inserts).toFixed(1)} | ${median(reads).toFixed(1)} |`,
  );
  return 0;
}
