// MongoDB source and loader: URI handling, error mapping and fingerprints
// without a server; reading, loading and fingerprinting against the test
// server (FerretDB) when MONGODB_URI is set (required under `deno task test`).
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Collection, MongoClient, type ObjectId } from "mongodb";
import { ConfigError, DataError, EXIT, ServiceError } from "../errors.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { schemaFrom } from "../learn/_testing.ts";
import { loadCsvIntoMongo, type LoadSummary } from "./mongo_load.ts";
import {
  checkFieldNames,
  connectMongo,
  describeMongoUri,
  mongoClientOptions,
  mongoServiceError,
  mongoSource,
  redactUri,
} from "./mongo_source.ts";
import { csvSource } from "./source.ts";
import {
  canonicalValue,
  fingerprintSource,
  hashingSource,
  rowHasher,
} from "./source_fingerprint.ts";
import { readTable } from "./table.ts";

const SECRET_URI = "mongodb://app:p%40ss%2Fw0rd@db1.example:27017,db2.example/?authSource=admin";

Deno.test("describeMongoUri and redactUri never show the password", () => {
  assert.equal(describeMongoUri(SECRET_URI), "mongodb://db1.example:27017,db2.example");
  assert.equal(
    describeMongoUri("mongodb+srv://u:x@cluster.example/db"),
    "mongodb+srv://cluster.example",
  );
  assert.equal(describeMongoUri("http://x"), "(an invalid MongoDB URI)");
  const text = redactUri(`failed ${SECRET_URI}; user app:p%40ss%2Fw0rd; raw p@ss/w0rd`, SECRET_URI);
  assert.ok(!text.includes("p%40ss") && !text.includes("p@ss/w0rd"), text);
  assert.match(text, /failed mongodb:\/\/db1\.example:27017,db2\.example; user app; raw \*\*\*/);
});

Deno.test("mongoClientOptions: timeouts unless the URI sets them", () => {
  const o = mongoClientOptions("mongodb://h/?socketTimeoutMS=5", { connectMs: 700 });
  assert.equal(o.serverSelectionTimeoutMS, 10_000);
  assert.equal(o.connectTimeoutMS, 700);
  assert.equal(o.socketTimeoutMS, undefined);
});

function driverError(name: string, message: string, code?: number): Error {
  return Object.assign(new Error(message), { name, code });
}

Deno.test("mongoServiceError: unreachable, timeout, dropped, auth, other; exit 7; no password", () => {
  const cases: [Error, RegExp][] = [
    [
      driverError("MongoServerSelectionError", "connect ECONNREFUSED 10.0.0.1:27017"),
      /^MongoDB at mongodb:\/\/db1\.example:27017,db2\.example is unreachable \(connecting\): connect ECONNREFUSED .* \(no usable server within 1500 ms\)$/,
    ],
    [
      driverError("MongoNetworkTimeoutError", "connection 3 to db1 timed out"),
      /did not answer in time \(connecting\): .* \(socketTimeoutMS = 9000 ms\)$/,
    ],
    [driverError("MongoNetworkError", "read ECONNRESET"), /dropped the connection/],
    [
      driverError("MongoServerError", "Authentication failed.", 18),
      /refused user 'app' \(connecting\): Authentication failed\.$/,
    ],
    [driverError("MongoServerError", "not authorized on x", 13), /refused user 'app'/],
    [driverError("MongoServerError", "BSON too big", 10334), /failed \(connecting\): BSON too big/],
  ];
  for (const [err, pattern] of cases) {
    const mapped = mongoServiceError(err, SECRET_URI, "connecting", {
      serverSelectionMs: 1500,
      socketMs: 9000,
    });
    assert.ok(mapped instanceof ServiceError, err.name);
    assert.equal(mapped.exitCode, EXIT.service);
    assert.match(mapped.message, pattern);
    assert.ok(!mapped.message.includes("p%40ss") && !String(mapped.hint).includes("p%40ss"));
  }
  const plain = new DataError("not mine");
  assert.equal(mongoServiceError(plain, SECRET_URI, "x"), plain);
});

Deno.test("connectMongo: a malformed URI is a ConfigError without its password", async () => {
  await assert.rejects(connectMongo({ uri: "mongodb://u:topsecret@h:notaport/" }), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^MONGODB_URI is not a valid MongoDB connection string/);
    assert.ok(!e.message.includes("topsecret"), e.message);
    return true;
  });
});

Deno.test("connectMongo: a closed port and a silent server are ServiceErrors, not hangs", async () => {
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // accepts, never answers
  try {
    const port = (silent.addr as Deno.NetAddr).port;
    for (const uri of ["mongodb://u:pw1234@127.0.0.1:1/", `mongodb://127.0.0.1:${port}/`]) {
      await assert.rejects(
        connectMongo({ uri, timeouts: { serverSelectionMs: 600, connectMs: 300 } }),
        (e) => {
          assert.ok(e instanceof ServiceError, String(e));
          assert.match(
            e.message,
            /^MongoDB at mongodb:\/\/127\.0\.0\.1:\d+ is unreachable \(connecting\): .* \(no usable server within 600 ms\)$/,
          );
          assert.ok(!e.message.includes("pw1234"));
          return true;
        },
      );
    }
  } finally {
    silent.close();
  }
});

Deno.test("checkFieldNames rejects what a projection cannot read", () => {
  checkFieldNames(["src_bytes", "label"]);
  for (const bad of ["a.b", "$x", "_id", ""]) {
    assert.throws(() => checkFieldNames([bad]), ConfigError);
  }
});

Deno.test("canonicalValue keeps types and odd values apart", () => {
  const values = [1, "1", true, "true", null, "null", NaN, Infinity, 10n, new Date(0), { a: 1 }];
  const texts = values.map(canonicalValue);
  assert.equal(new Set(texts).size, values.length, texts.join(" "));
  assert.equal(canonicalValue(-0), canonicalValue(0)); // ingest writes both as "0"
});

Deno.test("rowHasher: same rows same hash; order, values and columns matter", () => {
  const hash = (cols: string[], rows: unknown[][], split = 1) => {
    const h = rowHasher(cols);
    h.update(rows.slice(0, split));
    h.update(rows.slice(split));
    return h.digest();
  };
  const rows = [[1, "a"], [2, null], [2, null]];
  const base = hash(["x", "y"], rows);
  assert.deepEqual(hash(["x", "y"], rows, 2), base);
  assert.equal(base.rows, 3);
  assert.notEqual(hash(["x", "y"], [rows[1], rows[0], rows[2]]).sha256, base.sha256);
  assert.notEqual(hash(["x", "y"], [[1, "a"], [2, ""], [2, null]]).sha256, base.sha256);
  assert.notEqual(hash(["x", "z"], rows).sha256, base.sha256);
});

Deno.test("hashingSource passes rows through and agrees with fingerprintSource", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fp_" });
  try {
    const path = join(dir, "d.csv");
    await Deno.writeTextFile(path, "x,y\n1,a\n2,?\n");
    const source = () => csvSource({ path, header: true, naValues: ["?"] });
    const schema = schemaFrom(
      "columns: [{name: x, type: integer}, {name: y, type: string, nullable: true}]\n" +
        "target: {column: x, positive: [1], negative: [2]}\n",
    );
    const hashed = hashingSource(source());
    assert.equal(hashed.fingerprint(), undefined);
    const table = await readTable(hashed.source, { schema });
    assert.equal(table.rows, 2);
    const full = await fingerprintSource(source());
    assert.deepEqual(hashed.fingerprint(), { rows: 2, sha256: full.sha256 });
    assert.deepEqual(full.columns, ["x", "y"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- against the test server ----

const env = servicesFromEnv();
const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });
const runId = crypto.randomUUID().slice(0, 8);

/** Any document, with an `_id` of any type. */
type Doc = { _id?: number | string | ObjectId; [field: string]: unknown };

/** Run `fn` with a client and a fresh database, dropped afterwards. */
async function withDatabase(
  fn: (coll: (name: string) => Collection<Doc>, database: string) => Promise<void>,
) {
  mongo.check();
  const client = new MongoClient(env.mongodbUri!, { serverSelectionTimeoutMS: 5000 });
  const database = `threatline_src_${runId}_${Math.random().toString(36).slice(2, 8)}`;
  try {
    await fn((name) => client.db(database).collection<Doc>(name), database);
  } finally {
    await client.db(database).dropDatabase().catch(() => {});
    await client.close();
  }
}

async function readAll(options: Parameters<typeof mongoSource>[0]) {
  const reader = await mongoSource(options).open();
  const batches: { rows: unknown[][]; lines: number[] }[] = [];
  for await (const b of reader.batches) batches.push(b);
  return { columns: reader.columns, batches };
}

Deno.test({
  name: `mongoSource: projection, _id order, batches, native values ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () =>
    withDatabase(async (coll, database) => {
      const docs: Doc[] = [
        { _id: 3, b: "z", a: 3.5, extra: 1 },
        { _id: 1, a: 1, b: "x" },
        { _id: 5, a: null, b: true },
        { _id: 2, a: -2, b: "y" },
        { _id: 4, a: 0, b: "" },
      ];
      await coll("t").insertMany(docs);
      const { columns, batches } = await readAll({
        uri: env.mongodbUri!,
        database,
        collection: "t",
        columns: ["a", "b"],
        batchSize: 2,
      });
      assert.deepEqual(columns, ["a", "b"]);
      assert.deepEqual(batches.map((b) => b.rows.length), [2, 2, 1]);
      assert.deepEqual(batches.flatMap((b) => b.lines), [1, 2, 3, 4, 5]);
      assert.deepEqual(batches.flatMap((b) => b.rows), [
        [1, "x"],
        [-2, "y"],
        [3.5, "z"],
        [0, ""],
        [null, true],
      ]);
    }),
});

Deno.test({
  name: `mongoSource: missing field, missing collection, closed port ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () =>
    withDatabase(async (coll, database) => {
      await coll("t").insertMany([
        { _id: 1, a: 1, b: "x" },
        { _id: "k", a: 2 },
      ]);
      const base = { uri: env.mongodbUri!, database, columns: ["a", "b"] };
      await assert.rejects(readAll({ ...base, collection: "t" }), (e) => {
        assert.ok(e instanceof DataError);
        assert.equal(e.message, `document 2 (_id "k") has no field 'b'`);
        assert.deepEqual([e.where.line, e.where.field], [2, "b"]);
        return true;
      });
      await assert.rejects(readAll({ ...base, collection: "nope" }), (e) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, new RegExp(`^collection '${database}\\.nope' does not exist`));
        assert.match(String(e.hint), /has: t; load a CSV/);
        return true;
      });
      const closed = "mongodb://reader:hunter22@127.0.0.1:1/?directConnection=true";
      await assert.rejects(
        readAll({ ...base, uri: closed, collection: "t", timeouts: { serverSelectionMs: 800 } }),
        (e) => {
          assert.ok(e instanceof ServiceError);
          assert.match(e.message, /^MongoDB at mongodb:\/\/127\.0\.0\.1:1 is unreachable/);
          assert.ok(!e.message.includes("hunter22"));
          return true;
        },
      );
    }),
});

const SCHEMA = schemaFrom(
  "columns:\n" +
    "  - {name: n, type: integer}\n" +
    "  - {name: s, type: string, nullable: true}\n" +
    "  - {name: f, type: boolean}\n" +
    "  - {name: note, drop: true}\n" +
    "target: {column: f, positive: [true], negative: [false]}\n",
);

Deno.test({
  name: `loadCsvIntoMongo: types, duplicates kept, idempotent, mirrors edits ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () =>
    withDatabase(async (coll, database) => {
      const dir = await Deno.makeTempDir({ prefix: "load_" });
      const file = join(dir, "d.csv");
      const collection = coll("rows");
      const load = (batchSize = 2, prune = false) =>
        loadCsvIntoMongo({
          prune,
          file,
          header: true,
          naValues: ["?"],
          schema: SCHEMA,
          uri: env.mongodbUri!,
          database,
          collection: "rows",
          batchSize,
        });
      const counts = (
        s: LoadSummary,
      ) => [s.rows, s.inserted, s.updated, s.unchanged, s.deleted, s.extra];
      try {
        const rows = ["1,a,1,x", "1,a,1,x", "2,?,0,", "-3,07,yes,y", "1,a,1,x"];
        await Deno.writeTextFile(file, "n,s,f,note\n" + rows.join("\n") + "\n");
        assert.deepEqual(counts(await load()), [5, 5, 0, 0, 0, 0]);
        assert.deepEqual(await collection.find({}, { sort: { _id: 1 } }).toArray(), [
          { _id: 1, n: 1, s: "a", f: true, note: "x" },
          { _id: 2, n: 1, s: "a", f: true, note: "x" },
          { _id: 3, n: 2, s: null, f: false, note: null },
          { _id: 4, n: -3, s: "07", f: true, note: "y" },
          { _id: 5, n: 1, s: "a", f: true, note: "x" },
        ]);
        assert.deepEqual(counts(await load(3)), [5, 0, 0, 5, 0, 0]);
        await collection.insertOne({ n: 9, s: "foreign", f: true, note: null }); // an ObjectId
        const edited = [rows[0], "1,b,1,x", rows[2], rows[3]];
        await Deno.writeTextFile(file, "n,s,f,note\n" + edited.join("\n") + "\n");
        // Without --prune nothing the file lacks is deleted: row 5 and the foreign document stay.
        assert.deepEqual(counts(await load()), [4, 0, 1, 3, 0, 2]);
        assert.equal(await collection.countDocuments({}), 6);
        // With --prune the collection mirrors the file.
        assert.deepEqual(counts(await load(2, true)), [4, 0, 0, 4, 2, 0]);
        assert.equal(await collection.countDocuments({}), 4);
        assert.deepEqual(await collection.findOne({ _id: 2 }), {
          _id: 2,
          n: 1,
          s: "b",
          f: true,
          note: "x",
        });
        await Deno.writeTextFile(file, "n,s,f,note\n1,a,1,x\n2.5,a,1,x\n");
        await assert.rejects(load(), (e) => {
          assert.ok(e instanceof DataError);
          assert.equal(e.message, "column 'n': value '2.5' is not an integer");
          assert.deepEqual([e.where.file, e.where.line, e.where.field], [file, 3, "n"]);
          return true;
        });
        await Deno.writeTextFile(file, "n,s,f,note\n");
        await assert.rejects(load(), /no data rows: the collection was left as it was/);
        assert.equal(await collection.countDocuments({}), 4);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }),
});

Deno.test({
  name: `fingerprint of a collection changes with one document and only then ${mongo.label}`,
  ignore: mongo.ignore,
  fn: () =>
    withDatabase(async (coll, database) => {
      const collection = coll("t");
      await collection.insertMany(
        Array.from({ length: 7 }, (_, i) => ({ _id: i + 1, a: i % 2, b: `v${i}` })),
      );
      const fp = () =>
        fingerprintSource(mongoSource({
          uri: env.mongodbUri!,
          database,
          collection: "t",
          columns: ["a", "b"],
          batchSize: 3,
        }));
      const first = await fp();
      assert.equal(first.rows, 7);
      assert.deepEqual(await fp(), first);
      await collection.updateOne({ _id: 5 }, { $set: { b: "changed" } });
      const changed = await fp();
      assert.equal(changed.rows, 7);
      assert.notEqual(changed.sha256, first.sha256);
      await collection.updateOne({ _id: 5 }, { $set: { b: "v4", ignored: 1 } });
      assert.deepEqual(await fp(), first); // fields outside the projection do not count
    }),
});
