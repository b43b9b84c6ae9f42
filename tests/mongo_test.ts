/**
 * MongoDB as a data source, end to end: params and environment of the
 * source (no server), then against the test server (FerretDB) as
 * subprocesses with the documented permissions: `load-mongo` is idempotent,
 * ingest from the collection equals ingest from the same CSV byte for byte,
 * failures are clear exits (7 for a closed port, 2 for a missing collection),
 * and examples/mongodb/pipeline.yaml re-runs ingest only when the data changed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { parse, stringify } from "yaml";
import { ConfigError, EXIT } from "../lib/errors.ts";
import { shouldLogRepro } from "../lib/mlflow/tracking.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { parseYaml } from "../lib/yaml.ts";
import { readSourceEnv, readSourceParams } from "../stages/ingest.ts";
import { outcomes, REPO, tempWorkspace } from "./_workspace.ts";

const params = (text: string) => parseYaml(text, "params.yaml");

Deno.test("readSourceParams: csv default, mongodb section and its errors", () => {
  const csv = readSourceParams(params("ingest:\n  path: d.csv\n"));
  assert.equal(csv.source, "csv");
  assert.equal(csv.mongodb, undefined);
  const m = readSourceParams(params(
    "ingest:\n  source: mongodb\n  mongodb:\n    database: db\n    collection: c\n" +
      "    batch_size: 50\n    fingerprint: fp.json\n",
  ));
  assert.deepEqual(m.mongodb, {
    database: "db",
    collection: "c",
    batchSize: 50,
    fingerprint: "fp.json",
  });
  assert.equal(m.path, undefined);
  const bad: [string, RegExp][] = [
    ["ingest:\n  source: mongodb\n", /no 'ingest\.mongodb' section/],
    ["ingest:\n  source: csv\n", /missing required key 'ingest\.path'/],
    ["ingest:\n  source: mongo\n  path: d\n", /must be one of csv, mongodb/],
    [
      "ingest:\n  source: mongodb\n  mongodb: {database: d, collection: c, batchsize: 5}\n",
      /unknown key 'ingest\.mongodb\.batchsize'/,
    ],
    [
      "ingest:\n  source: mongodb\n  mongodb: {database: d, collection: c, batch_size: 0}\n",
      /'ingest\.mongodb\.batch_size' must be ≥ 1/,
    ],
    ["ingest:\n  source: mongodb\n  mongodb: {database: '', collection: c}\n", /must not be empty/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => readSourceParams(params(text)), (e) => {
      assert.ok(e instanceof ConfigError, text);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("readSourceEnv: nothing for csv; MONGODB_URI for mongodb, or a clear ConfigError", () => {
  const base = { header: true, delimiter: ",", naValues: [] };
  assert.deepEqual(
    readSourceEnv({ ...base, source: "csv", path: "d.csv" }, () => {
      throw new Error("must not read the environment");
    }),
    {},
  );
  const mongo = { ...base, source: "mongodb" as const };
  assert.deepEqual(readSourceEnv(mongo, () => "mongodb://h/"), { mongodbUri: "mongodb://h/" });
  assert.throws(() => readSourceEnv(mongo, () => ""), /MONGODB_URI is not set/);
  assert.throws(() =>
    readSourceEnv(mongo, () => {
      throw new Deno.errors.NotCapable("Requires env access");
    }), /may not read MONGODB_URI/);
});

// ---- against the test server ----

const env = servicesFromEnv();
const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });
const database = `threatline_e2e_${crypto.randomUUID().slice(0, 8)}`;

/** The permissions of the Mongo-backed stages (examples/mongodb/pipeline.yaml). */
const MONGO_STAGE = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env=MONGODB_URI,LOG_TOKENS,LOG_STREAM",
  "--ignore-env",
  "--allow-sys=osRelease,uid",
];
/** The permissions of `deno task load-mongo` (no writes). */
const LOAD_MONGO = MONGO_STAGE.filter((p) => p !== "--allow-write");
/** The permissions of the default CSV ingest (no network, no MONGODB_URI). */
const CSV_STAGE = ["--allow-read", "--allow-write", "--allow-env=LOG_TOKENS,LOG_STREAM"];

async function run(
  cwd: string,
  perms: string[],
  script: string,
  args: string[] = [],
  uri = env.mongodbUri!,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", join(REPO, "deno.json"), ...perms, join(REPO, script), ...args],
    cwd,
    env: { MONGODB_URI: uri, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A params.yaml text: `base` with ingest switched to the collection. */
function mongoParams(base: string, collection: string, extra: Record<string, unknown> = {}) {
  const p = parse(base);
  p.ingest.source = "mongodb";
  p.ingest.mongodb = { database, collection, batch_size: 64, ...extra };
  return stringify(p);
}

interface Dataset {
  name: string;
  /** Files of the workspace (relative path → text); `data` is the CSV. */
  files: Record<string, string>;
  data: string;
  paramsFile: string;
  schemaFile: string;
  rows: number;
}

async function flowsDataset(): Promise<Dataset> {
  const dir = "tests/fixtures/flows";
  const files: Record<string, string> = {};
  for (const f of ["flows.csv", "schema.yaml", "params.yaml"]) {
    files[`${dir}/${f}`] = await Deno.readTextFile(join(REPO, dir, f));
  }
  return {
    name: "flows",
    files,
    data: `${dir}/flows.csv`,
    paramsFile: `${dir}/params.yaml`,
    schemaFile: `${dir}/schema.yaml`,
    rows: 400,
  };
}

async function phishingDataset(rows: number): Promise<Dataset> {
  const text = await Deno.readTextFile(join(REPO, "data/phishing_websites.csv"));
  return {
    name: "phishing",
    files: {
      "data/phishing_websites.csv": text.split("\n").slice(0, rows + 1).join("\n") + "\n",
      "schema.yaml": await Deno.readTextFile(join(REPO, "schema.yaml")),
      "params.yaml": await Deno.readTextFile(join(REPO, "params.yaml")),
    },
    data: "data/phishing_websites.csv",
    paramsFile: "params.yaml",
    schemaFile: "schema.yaml",
    rows,
  };
}

async function withClient(fn: (client: MongoClient) => Promise<void>) {
  mongo.check();
  const client = new MongoClient(env.mongodbUri!, { serverSelectionTimeoutMS: 5000 });
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

const DATASETS: [string, () => Promise<Dataset>][] = [
  ["flows fixture", flowsDataset],
  ["phishing, 300 rows", () => phishingDataset(300)],
];

for (const [label, make] of DATASETS) {
  Deno.test({
    name:
      `${label}: load-mongo twice, then ingest from MongoDB equals ingest from the CSV ${mongo.label}`,
    ignore: mongo.ignore,
    fn: () =>
      withClient(async (client) => {
        const ds = await make();
        const collection = `${ds.name}_${crypto.randomUUID().slice(0, 6)}`;
        const fromCsv = await tempWorkspace(ds.files);
        const fromMongo = await tempWorkspace({
          ...ds.files,
          [ds.paramsFile]: mongoParams(ds.files[ds.paramsFile], collection),
        });
        try {
          const stageArgs = ["--params", ds.paramsFile, "--schema", ds.schemaFile];
          const load = () =>
            run(fromMongo.root, LOAD_MONGO, "tasks/load_mongo.ts", [ds.data, ...stageArgs]);
          const first = await load();
          assert.equal(first.code, 0, first.stderr);
          assert.deepEqual(JSON.parse(first.stdout), {
            database,
            collection,
            rows: ds.rows,
            inserted: ds.rows,
            updated: 0,
            unchanged: 0,
            deleted: 0,
            extra: 0,
          });
          const again = await load();
          assert.equal(again.code, 0, again.stderr);
          assert.equal(JSON.parse(again.stdout).unchanged, ds.rows);
          assert.equal(await client.db(database).collection(collection).countDocuments(), ds.rows);

          const csv = await run(fromCsv.root, CSV_STAGE, "stages/ingest.ts", stageArgs);
          assert.equal(csv.code, 0, csv.stderr);
          const db = await run(fromMongo.root, MONGO_STAGE, "stages/ingest.ts", stageArgs);
          assert.equal(db.code, 0, db.stderr);
          assert.match(db.stderr, new RegExp(`source=mongodb://[^ ]+/${database}\\.${collection}`));
          for (const f of ["raw", "train", "test"]) {
            const path = `artifacts/ingest/${f}.csv`;
            assert.equal(await fromMongo.read(path), await fromCsv.read(path), path);
          }
        } finally {
          await fromCsv.cleanup();
          await fromMongo.cleanup();
          await client.db(database).collection(collection).drop().catch(() => {});
        }
      }),
  });
}

Deno.test({
  name: `ingest from MongoDB: closed port exits 7, missing collection exits 2 ${mongo.label}`,
  ignore: mongo.ignore,
  async fn() {
    mongo.check();
    const ds = await phishingDataset(20);
    const w = await tempWorkspace({
      ...ds.files,
      "params.yaml": mongoParams(ds.files["params.yaml"], "no_such_collection"),
    });
    try {
      const closed = "mongodb://ingest:hunter22@127.0.0.1:1/?serverSelectionTimeoutMS=1500";
      const down = await run(w.root, MONGO_STAGE, "stages/ingest.ts", [], closed);
      assert.equal(down.code, EXIT.service, down.stderr);
      assert.match(
        down.stderr,
        /^error\[SERVICE\] field 'MONGODB_URI': MongoDB at mongodb:\/\/127\.0\.0\.1:1 is unreachable \(connecting\): connect ECONNREFUSED 127\.0\.0\.1:1 \(no usable server within 1500 ms\)$/m,
      );
      assert.ok(!down.stderr.includes("hunter22"), down.stderr);
      const missing = await run(w.root, MONGO_STAGE, "stages/ingest.ts");
      assert.equal(missing.code, EXIT.config, missing.stderr);
      assert.match(
        missing.stderr,
        new RegExp(
          `^error\\[CONFIG\\] collection '${database}\\.no_such_collection' does not exist`,
          "m",
        ),
      );
      const noPerm = await run(w.root, CSV_STAGE, "stages/ingest.ts");
      assert.equal(noPerm.code, EXIT.config, noPerm.stderr);
      assert.match(
        noPerm.stderr,
        /ingest\.source is mongodb, but the process may not read MONGODB_URI/,
      );
    } finally {
      await w.cleanup();
    }
  },
});

Deno.test({
  name: `examples/mongodb/pipeline.yaml: ingest re-runs only when the data changed ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () =>
    withClient(async (client) => {
      const ds = await phishingDataset(200);
      const collection = `pipeline_${crypto.randomUUID().slice(0, 6)}`;
      const fingerprint = "artifacts/source/fingerprint.json";
      const w = await tempWorkspace({
        ...ds.files,
        "pipeline.yaml": await Deno.readTextFile(join(REPO, "examples/mongodb/pipeline.yaml")),
        "params.yaml": mongoParams(ds.files["params.yaml"], collection, { fingerprint }),
      });
      const docs = client.db(database).collection<{ _id: number; url_length: number }>(collection);
      try {
        for (const entry of ["lib", "stages", "deno.json", "deno.lock"]) {
          await Deno.symlink(join(REPO, entry), join(w.root, entry));
        }
        const load = await run(w.root, LOAD_MONGO, "tasks/load_mongo.ts", [ds.data]);
        assert.equal(load.code, 0, load.stderr);

        const first = await w.repro();
        assert.deepEqual(first.summary.errors, []);
        assert.deepEqual(outcomes(first.summary), { fingerprint: "ran", ingest: "ran" });
        const fp = await w.read(fingerprint);
        assert.equal(JSON.parse(fp).rows, 200);
        const raw = await w.read("artifacts/ingest/raw.csv");

        // A no-op: the source_check sees the same collection, so nothing runs,
        // status says so, and there is nothing to log to MLflow.
        const second = await w.repro();
        assert.deepEqual(outcomes(second.summary), { fingerprint: "fresh", ingest: "fresh" });
        assert.equal(shouldLogRepro(second.summary), false);
        const status = await w.task("status", [], { MONGODB_URI: env.mongodbUri! });
        assert.equal(status.code, 0, status.stdout + status.stderr);
        assert.equal(await w.read(fingerprint), fp);

        // A new document changes the count: the fingerprint and ingest re-run.
        await docs.insertOne({ ...(await docs.findOne({ _id: 17 }))!, _id: 1_000_000 });
        const grown = await w.repro();
        assert.deepEqual(outcomes(grown.summary), { fingerprint: "ran", ingest: "ran" });
        assert.notEqual(await w.read(fingerprint), fp);
        await docs.deleteOne({ _id: 1_000_000 });
        const shrunk = await w.repro();
        assert.deepEqual(outcomes(shrunk.summary), { fingerprint: "ran", ingest: "restored" });
        assert.equal(await w.read(fingerprint), fp);

        const before = (await docs.findOne({ _id: 17 }))!.url_length;
        await docs.updateOne({ _id: 17 }, { $set: { url_length: before === 1 ? -1 : 1 } });
        // Ingest alone now reads other data than the fingerprint describes.
        const stale = await run(w.root, MONGO_STAGE, "stages/ingest.ts");
        assert.equal(stale.code, EXIT.data, stale.stderr);
        assert.match(
          stale.stderr,
          /the source changed after it was fingerprinted: the fingerprint has 200 rows/,
        );
        // An in-place update keeps count and largest _id: only a server-side
        // checksum sees it; without one (FerretDB) `--force` re-fingerprints.
        const probe = JSON.parse((await w.lock()).stages.fingerprint.source_check!);
        const seesUpdates = !(probe.unsupported ?? []).includes("checksum");
        const rerun = async () => {
          if (!seesUpdates) {
            const forced = await w.repro({ targets: ["fingerprint"], force: true });
            assert.equal(outcomes(forced.summary).fingerprint, "ran");
          }
          return outcomes((await w.repro()).summary);
        };
        assert.equal((await rerun()).ingest, "ran");
        assert.notEqual(await w.read(fingerprint), fp);
        assert.notEqual(await w.read("artifacts/ingest/raw.csv"), raw);

        await docs.updateOne({ _id: 17 }, { $set: { url_length: before } });
        assert.equal((await rerun()).ingest, "restored"); // from the run-cache
        assert.equal(await w.read(fingerprint), fp);
        assert.equal(await w.read("artifacts/ingest/raw.csv"), raw);
      } finally {
        await w.cleanup();
        await docs.drop().catch(() => {});
      }
    }),
});

Deno.test({
  name: `drop the test database ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () => withClient((client) => client.db(database).dropDatabase().then(() => {})),
});
