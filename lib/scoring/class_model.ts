/**
 * The opt-in class model of a release folder (`multiclass.json`, written by
 * the train stage when schema.yaml's `target.mode` is `multiclass`): read by
 * `deno task predict` and `deno task serve` alike, which then add `class`
 * and `class_probability` to every scored row.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { OVR_FORMAT, type OvrModel } from "../learn/multiclass.ts";

/**
 * The folder's class model, or undefined when it has none (a binary release).
 *
 * @example
 * ```ts ignore
 * import { readClassModel } from "./class_model.ts";
 * const classes = await readClassModel("artifacts/model"); // undefined for a binary model
 * ```
 */
export async function readClassModel(dir: string): Promise<OvrModel | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/multiclass.json`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  let model: OvrModel;
  try {
    model = JSON.parse(text) as OvrModel;
  } catch (err) {
    throw new DataError(`not JSON: ${(err as Error).message}`, {
      file: `${dir}/multiclass.json`,
      cause: err,
    });
  }
  if (model?.format !== OVR_FORMAT) {
    throw new DataError(`not a class model (format ${JSON.stringify(model?.format)})`, {
      file: `${dir}/multiclass.json`,
    });
  }
  return model;
}
