/**
 * `deno task load-mongo FILE [--database D] [--collection C] [--batch-size N]
 * [--schema schema.yaml] [--params params.yaml]`: load a CSV file (or `.gz`)
 * into a MongoDB collection (URI from `MONGODB_URI`) so ingest can read it
 * with `ingest.source: mongodb`. Idempotent: the collection mirrors the file
 * and a re-run writes nothing (lib/data/mongo_load.ts).
 *
 * How the file is read (`header`, `delimiter`, `na_values`) and the default
 * database, collection and batch size come from params.yaml's `ingest`
 * section, the same settings ingest uses; the flags override the latter.
 *
 * @module
 */
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { loadCsvIntoMongo } from "../lib/data/mongo_load.ts";
import { readSchema } from "../lib/data/schema.ts";
import { readYaml } from "../lib/yaml.ts";
import { secondsSince } from "../stages/_common.ts";
import { readMongoUri, readSourceParams } from "../stages/ingest.ts";

const USAGE = "deno task load-mongo FILE [--database D] [--collection C] [--batch-size N] " +
  "[--schema schema.yaml] [--params params.yaml] [--prune]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      maxPositionals: 1,
      options: {
        database: { type: "string" },
        collection: { type: "string" },
        "batch-size": { type: "string" },
        schema: { type: "string" },
        params: { type: "string" },
        prune: { type: "boolean" },
      },
    });
    const file = positionals[0];
    if (!file) {
      throw new ConfigError("which CSV file? (FILE is missing)", { hint: `usage: ${USAGE}` });
    }
    const p = readSourceParams(await readYaml((values.params as string) ?? "params.yaml"));
    const schema = await readSchema((values.schema as string) ?? "schema.yaml");
    const database = (values.database as string) ?? p.mongodb?.database;
    const collection = (values.collection as string) ?? p.mongodb?.collection;
    for (const [flag, value] of [["database", database], ["collection", collection]]) {
      if (!value) {
        throw new ConfigError(`no ${flag}: give --${flag} or set ingest.mongodb.${flag}`, {
          field: `--${flag}`,
          hint: `usage: ${USAGE}`,
        });
      }
    }
    const batchSize = values["batch-size"] !== undefined
      ? positiveInt(values["batch-size"] as string, "--batch-size")
      : p.mongodb?.batchSize ?? 1000;
    const uri = readMongoUri("load-mongo writes to MongoDB");
    const start = performance.now();
    log.info("load-mongo: loading", { file, into: `${database}.${collection}`, batchSize });
    const summary = await loadCsvIntoMongo({
      file,
      header: p.header,
      delimiter: p.delimiter,
      naValues: p.naValues,
      schema,
      uri,
      database: database!,
      collection: collection!,
      batchSize,
      log,
      prune: values.prune as boolean | undefined,
    });
    log.info("load-mongo: done", { ...summary, seconds: secondsSince(start) });
    console.log(JSON.stringify({ database, collection, ...summary }));
  });
}
