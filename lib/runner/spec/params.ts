/**
 * The params a stage declares, resolved to their values. Only the declared
 * keys count: changing another key of `params.yaml` must not make the stage
 * stale, so the runner hashes exactly what this returns.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { parseYaml, type YamlFile, yamlFromValue } from "../../yaml.ts";
import { cachedParse } from "../cache/parse_cache.ts";
import { isMapping, PIPELINE_FILE } from "./_stage.ts";
import { didYouMean } from "./_suggest.ts";
import type { ParamRef, SpecLocation, StageSpec } from "./spec_types.ts";

/** Options of {@linkcode resolveParams}. */
export interface ResolveParamsOptions {
  /** Params files already parsed, by path as written in the spec; filled as files are read. */
  files?: Map<string, YamlFile>;
  /** The pipeline file, named in errors (default `pipeline.yaml`). */
  pipelineFile?: string;
  /** The runner's cache dir: parsed params files are cached there by content hash. */
  cacheDir?: string;
}

/**
 * Values of the params `stage` declares, by params file then dotted key. A
 * dotted key walks nested mappings (and list indexes, `layers.0`); a key that
 * names a whole section gives the whole section. A missing params file or key
 * throws a {@linkcode ConfigError} naming the params file, the key, the stage
 * and the line of the pipeline file that declares it.
 *
 * @example
 * ```ts ignore
 * import { loadPipeline } from "./spec.ts";
 * import { resolveParams } from "./params.ts";
 * const spec = await loadPipeline(".");
 * const files = new Map();
 * await resolveParams(".", spec.byName.get("train")!, { files });
 * // { "params.yaml": { "train.lr": 0.01, "split": { test: 0.2, seed: 7 } } }
 * ```
 */
export async function resolveParams(
  root: string,
  stage: StageSpec,
  options: ResolveParamsOptions = {},
): Promise<Record<string, Record<string, unknown>>> {
  const files = options.files ?? new Map<string, YamlFile>();
  const pipelineFile = options.pipelineFile ?? PIPELINE_FILE;
  const result: Record<string, Record<string, unknown>> = {};
  for (const ref of stage.params) {
    const declared = (i: number): SpecLocation => ref.keyWhere?.[i] ?? stage.where;
    const context = { pipelineFile, stage: stage.name };
    let y = files.get(ref.file);
    if (!y) {
      y = await readParams(root, ref, { ...context, where: declared(0) }, options.cacheDir);
      files.set(ref.file, y);
    }
    const values: Record<string, unknown> = {};
    ref.keys.forEach((key, i) => {
      values[key] = lookup(y, key, { ...context, where: declared(i) });
    });
    result[ref.file] = values;
  }
  return result;
}

interface Context {
  pipelineFile: string;
  stage: string;
  where: SpecLocation;
}

async function readParams(
  root: string,
  ref: ParamRef,
  ctx: Context,
  cacheDir: string | undefined,
): Promise<YamlFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(isAbsolute(ref.file) ? ref.file : join(root, ref.file));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const keys = ref.keys.map((k) => `'${k}'`).join(", ");
    throw new ConfigError(
      `params file '${ref.file}' not found: stage '${ctx.stage}' reads ${keys} from it (line ${ctx.where.line})`,
      {
        file: ctx.pipelineFile,
        ...ctx.where,
        stage: ctx.stage,
        field: "params",
        cause: err,
        hint: `create ${ref.file}, or remove the keys from the stage's params`,
      },
    );
  }
  const value = await cachedParse({
    cacheDir,
    kind: "params",
    file: ref.file,
    text,
    parse: () => parseYaml(text, ref.file).value,
  });
  return yamlFromValue(text, ref.file, value);
}

/** The value at dotted `key` of a params file. */
function lookup(y: YamlFile, key: string, ctx: Context): unknown {
  let value: unknown = y.value;
  const segments = key.split(".");
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (isMapping(value) && Object.hasOwn(value, seg)) {
      value = value[seg];
    } else if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(seg) && +seg < value.length) {
      value = value[+seg];
    } else {
      const found = segments.slice(0, i).join(".");
      const siblings = isMapping(value) ? Object.keys(value) : [];
      let hint: string | undefined;
      if (/\.(ya?ml|json)$/.test(key)) {
        hint = `to read keys of another file write '- ${key}: [key, …]' under params`;
      } else if (siblings.length > 0) {
        const shown = siblings.slice(0, 12).map((s) => `'${s}'`).join(", ");
        const more = siblings.length > 12 ? ` and ${siblings.length - 12} more` : "";
        hint = `${found ? `'${found}'` : y.file} has ${shown}${more}`;
      }
      throw new ConfigError(
        `params file '${y.file}' has no key '${key}'${
          found ? ` ('${found}' has no '${seg}')` : ""
        }, declared by stage '${ctx.stage}' on line ${ctx.where.line}${didYouMean(seg, siblings)}`,
        { file: ctx.pipelineFile, ...ctx.where, stage: ctx.stage, field: "params", hint },
      );
    }
  }
  return structuredClone(value);
}
