/**
 * `deno task schema infer FILE... [--target COL] [--positive L,..|--negative L,..]
 * [--drop COL,..] [--names FILE|COL,..] [--delimiter D] [--max-values N] [--out schema.yaml]`:
 * read CSV files (streamed, any size; `.gz` too) and write a commented
 * `schema.yaml` for them (lib/data/schema_infer.ts). Without `--positive` or
 * `--negative` the target's labels are listed and the file says which key to
 * fill: the threat class is never guessed. `--names` gives the column names of
 * header-less files: a comma list, or a file with one name per line (or an
 * ARFF file's `@attribute` lines). A summary goes to stderr. Exit 2 for a bad
 * command line, 3 for unreadable data, 1 when the written schema still needs
 * the target's classes.
 *
 * @module
 */
import { basename } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { renderSchemaYaml } from "../lib/data/_schema_yaml.ts";
import { inferSchema } from "../lib/data/schema_infer.ts";
import { resolveDataPaths } from "../lib/data/data_paths.ts";
import { parseSchema } from "../lib/data/schema.ts";
import { parseYaml } from "../lib/yaml.ts";

const USAGE = "deno task schema infer FILE... [--target COL] [--positive L,..|--negative L,..] " +
  "[--drop COL,..] [--names FILE|COL,..] [--delimiter D] [--max-values N] [--out schema.yaml]";

const list = (v: unknown) =>
  typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : undefined;

/**
 * Column names from `--names`: a comma list, or a file (one per line, a
 * comma list, or ARFF `@attribute name type` lines).
 *
 * @example
 * ```ts ignore
 * await readNames("duration,protocol_type,service"); // ["duration", "protocol_type", "service"]
 * ```
 */
export async function readNames(value: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(value);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) || !value.includes(",")) {
      if (err instanceof Deno.errors.NotFound) {
        throw new ConfigError(`--names: no file '${value}' (and not a comma list)`, {
          field: "--names",
        });
      }
      throw err;
    }
    return list(value)!;
  }
  const arff = [...text.matchAll(/^\s*@attribute\s+('([^']+)'|"([^"]+)"|(\S+))/gim)];
  if (arff.length > 0) return arff.map((m) => m[2] ?? m[3] ?? m[4]);
  return text.split(/[\r\n,]+/).map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("#"));
}

if (import.meta.main) {
  await runMain(async ({ args }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: {
        target: { type: "string" },
        positive: { type: "string" },
        negative: { type: "string" },
        drop: { type: "string" },
        names: { type: "string" },
        delimiter: { type: "string" },
        "max-values": { type: "string" },
        out: { type: "string" },
      },
    });
    const [command, ...files] = positionals;
    if (command !== "infer") {
      throw new ConfigError(
        command === undefined ? "which command? (infer)" : `unknown command '${command}'`,
        { hint: `usage: ${USAGE}` },
      );
    }
    if (files.length === 0) {
      throw new ConfigError("which files? (FILE is missing)", { hint: `usage: ${USAGE}` });
    }
    const delimiter = values.delimiter as string | undefined;
    if (delimiter !== undefined && (delimiter.length !== 1 || /["\r\n]/.test(delimiter))) {
      throw new ConfigError("--delimiter must be one character (not a quote or newline)", {
        field: "--delimiter",
      });
    }
    const names = values.names ? await readNames(values.names as string) : undefined;
    const inferred = await inferSchema({
      // Quoted globs too (`'data/day-*.csv'`), expanded as ingest.path expands them.
      paths: await resolveDataPaths(files, { field: "FILE" }),
      names,
      delimiter: delimiter === "\\t" ? "\t" : delimiter,
      target: values.target as string | undefined,
      positive: list(values.positive),
      negative: list(values.negative),
      drop: list(values.drop),
      maxValues: values["max-values"]
        ? positiveInt(values["max-values"] as string, "--max-values")
        : undefined,
    });
    const out = (values.out as string | undefined) ?? "schema.yaml";
    const name = basename(files[0]).replace(/(\.csv|\.txt|\.tsv)?(\.gz)?$/i, "");
    const text = renderSchemaYaml(inferred, {
      command: ["deno task schema", ...args].join(" "),
      name,
    });
    await Deno.writeTextFile(out, text);
    const drops = inferred.columns.filter((c) => c.drop);
    console.error(
      `wrote ${out}: ${inferred.columns.length} columns from ${
        inferred.rows.toLocaleString("en")
      } rows`,
    );
    for (const c of drops) console.error(`  drop ${c.name}: ${c.drop}`);
    if (inferred.naValues.length) {
      console.error(
        `  missing-value tokens seen: ${inferred.naValues.join(" ")} (ingest.na_values)`,
      );
    }
    if (inferred.target === undefined) {
      console.error("  no target found by name: set target.column in the file or pass --target");
      return 1;
    }
    const labels = inferred.labels.map(([l, n]) => `${l} (${n})`);
    console.error(
      `  target ${inferred.target} (${inferred.targetReason}): ${labels.slice(0, 12).join(", ")}${
        labels.length > 12 ? ", …" : ""
      }`,
    );
    if (!inferred.positive && !inferred.negative) {
      console.error(
        `  FILL IN target.negative (benign labels) or target.positive (threat labels) in ${out}, ` +
          "or run again with --negative/--positive: the threat class is never guessed",
      );
      return 1;
    }
    parseSchema(parseYaml(text, out)); // what we wrote must be a schema the stages accept
    return 0;
  });
}
