// The multiclass hooks of train/evaluate on the flows fixture (NSL-KDD layout):
// schema target.mode multiclass + params train.multiclass.classes -> multiclass.json
// in the model folder, per-class report and macro-F1 in the metrics.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { memoryLogger } from "../lib/log.ts";
import { parseYaml } from "../lib/yaml.ts";
import { repoPath, runStage } from "./_stage_testing.ts";
import { addMulticlassMetrics, trainMulticlass } from "./_multiclass.ts";

const CLASSES = `
train:
  multiclass:
    classes:
      normal: [normal]
      DoS: [back, land, neptune, pod, smurf, teardrop]
      Probe: [satan, ipsweep, nmap, portsweep]
      other: [guess_passwd, ftp_write, imap, phf, multihop, warezmaster, warezclient, spy, buffer_overflow, loadmodule, rootkit, perl]
`;

Deno.test("multiclass: train writes a class model, evaluate a per-class report and macro-F1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "multiclass_stage_" });
  try {
    await Deno.mkdir(`${dir}/tests/fixtures/flows`, { recursive: true });
    await Deno.copyFile(
      repoPath("tests/fixtures/flows/flows.csv"),
      `${dir}/tests/fixtures/flows/flows.csv`,
    );
    const schema = (await Deno.readTextFile(repoPath("tests/fixtures/flows/schema.yaml")))
      .replace("negative: [normal]", "negative: [normal]\n  mode: multiclass");
    await Deno.writeTextFile(`${dir}/schema.yaml`, schema);
    const params = await Deno.readTextFile(repoPath("tests/fixtures/flows/params.yaml")) + CLASSES;
    await Deno.writeTextFile(`${dir}/params.yaml`, params);
    for (const stage of ["ingest", "transform"]) {
      const r = await runStage(stage, dir);
      strictEqual(r.code, 0, r.stderr);
    }
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      const log = memoryLogger();
      await Deno.mkdir("artifacts/model", { recursive: true });
      const classes = await trainMulticlass({
        params: parseYaml(params, "params.yaml"),
        data: "artifacts/transform",
        modelDir: "artifacts/model",
        seed: 7,
        log,
      });
      deepStrictEqual(classes, ["normal", "DoS", "Probe", "other"]);
      const saved = JSON.parse(await Deno.readTextFile("artifacts/model/multiclass.json"));
      strictEqual(saved.models.length, 4);
      const metrics: Record<string, number | null> = { accuracy: 0.5 };
      await Deno.writeTextFile("metrics.json", "{}\n");
      await addMulticlassMetrics(metrics, {
        modelDir: "artifacts/model",
        data: "artifacts/transform",
        out: "artifacts/evaluate",
        metricsFile: "metrics.json",
        log,
      });
      const report = JSON.parse(await Deno.readTextFile("artifacts/evaluate/multiclass.json"));
      deepStrictEqual(report.classes, ["normal", "DoS", "Probe", "other"]);
      strictEqual(report.confusion.flat().reduce((a: number, b: number) => a + b, 0), 100);
      ok(report.macro_f1 > 0 && report.macro_f1 <= 1);
      const written = JSON.parse(await Deno.readTextFile("metrics.json"));
      strictEqual(written.macro_f1, metrics.macro_f1);
      strictEqual(written.accuracy, 0.5);
    } finally {
      Deno.chdir(cwd);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("multiclass: binary schemas leave the model folder alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "multiclass_off_" });
  try {
    await Deno.mkdir(`${dir}/t`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/t/preprocess.json`,
      JSON.stringify({ schema: { target: { column: "label", negative: ["normal"] } } }),
    );
    const r = await trainMulticlass({
      params: parseYaml("train: {}\n", "params.yaml"),
      data: `${dir}/t`,
      modelDir: `${dir}/m`,
      seed: 1,
      log: memoryLogger(),
    });
    strictEqual(r, undefined);
    ok(!(await Deno.stat(`${dir}/m`).then(() => true, () => false)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
