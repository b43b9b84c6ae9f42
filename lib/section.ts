/**
 * Typed, validated reading of one mapping of a YAML file (a section of
 * `params.yaml`, a column of `schema.yaml` …). Each getter checks the type and
 * range and throws a {@linkcode ConfigError} naming file, line, column and the
 * dotted key; {@linkcode Section.done} rejects keys nobody asked for.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import type { YamlFile } from "./yaml.ts";

/** Range and default options for numbers. */
export interface NumberOptions {
  /** Used when the key is absent; without it the key is required. */
  default?: number;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Require an integer. */
  integer?: boolean;
}

/** A validated view of one mapping in a YAML file. */
export interface Section {
  /** The dotted path of this mapping (e.g. `train`). */
  readonly path: (string | number)[];
  /** Whether the key is present. */
  has(key: string): boolean;
  /** A number, checked against `options`. */
  number(key: string, options?: NumberOptions): number;
  /** A string; `oneOf` restricts it to listed values. */
  string<T extends string = string>(
    key: string,
    options?: { default?: T; oneOf?: readonly T[] },
  ): T;
  /** A boolean. */
  boolean(key: string, options?: { default?: boolean }): boolean;
  /** A list of numbers (each checked like {@linkcode Section.number}). */
  numbers(key: string, options?: NumberOptions & { defaultList?: number[] }): number[];
  /** A list of strings. */
  strings(key: string, options?: { defaultList?: string[] }): string[];
  /** A nested mapping as its own section (`optional` gives undefined when absent). */
  section(key: string): Section;
  /** A nested mapping, or undefined when absent. */
  optionalSection(key: string): Section | undefined;
  /** The raw value of a key (no validation). */
  raw(key: string): unknown;
  /** Throw for any key that no getter asked for (typos must not pass silently). */
  done(): void;
  /** Build a {@linkcode ConfigError} located at `key` of this mapping. */
  error(key: string | undefined, message: string): ConfigError;
}

/**
 * Open the mapping at `path` of a YAML file as a {@linkcode Section}.
 *
 * @example
 * ```ts
 * import { parseYaml } from "./yaml.ts";
 * import { openSection } from "./section.ts";
 * const y = parseYaml("train:\n  epochs: 30\n", "params.yaml");
 * const train = openSection(y, ["train"]);
 * train.number("epochs", { integer: true, min: 1 }); // 30
 * train.done();
 * ```
 */
export function openSection(y: YamlFile, path: (string | number)[]): Section {
  let value: unknown = y.value;
  for (const step of path) {
    value = (value as Record<string | number, unknown> | null)?.[step];
  }
  const name = (key?: string) => [...path, ...(key === undefined ? [] : [key])].join(".");
  const error = (key: string | undefined, message: string) => {
    const at = y.locate(key === undefined ? path : [...path, key]);
    return new ConfigError(message, { file: y.file, ...at, field: name(key) });
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw error(undefined, `'${name()}' must be a mapping`);
  }
  const obj = value as Record<string, unknown>;
  const used = new Set<string>();
  const get = (key: string) => {
    used.add(key);
    return obj[key];
  };
  const checkNumber = (key: string, v: unknown, o: NumberOptions, label = name(key)) => {
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw error(key, `'${label}' must be a number, got ${JSON.stringify(v)}`);
    }
    if (o.integer && !Number.isInteger(v)) {
      throw error(key, `'${label}' must be an integer, got ${v}`);
    }
    if (o.min !== undefined && v < o.min) {
      throw error(key, `'${label}' must be ≥ ${o.min}, got ${v}`);
    }
    if (o.max !== undefined && v > o.max) {
      throw error(key, `'${label}' must be ≤ ${o.max}, got ${v}`);
    }
    return v;
  };
  const self: Section = {
    path,
    has: (key) => key in obj,
    number(key, o = {}) {
      const v = get(key);
      if (v === undefined) {
        if (o.default !== undefined) return o.default;
        throw error(undefined, `missing required key '${name(key)}'`);
      }
      return checkNumber(key, v, o);
    },
    string(key, o = {}) {
      const v = get(key);
      if (v === undefined) {
        if (o.default !== undefined) return o.default;
        throw error(undefined, `missing required key '${name(key)}'`);
      }
      if (typeof v !== "string") {
        throw error(key, `'${name(key)}' must be a string, got ${JSON.stringify(v)}`);
      }
      if (o.oneOf && !o.oneOf.includes(v as never)) {
        throw error(key, `'${name(key)}' must be one of ${o.oneOf.join(", ")}; got '${v}'`);
      }
      return v as never;
    },
    boolean(key, o = {}) {
      const v = get(key);
      if (v === undefined) {
        if (o.default !== undefined) return o.default;
        throw error(undefined, `missing required key '${name(key)}'`);
      }
      if (typeof v !== "boolean") {
        throw error(key, `'${name(key)}' must be true or false, got ${JSON.stringify(v)}`);
      }
      return v;
    },
    numbers(key, o = {}) {
      const v = get(key);
      if (v === undefined) {
        if (o.defaultList !== undefined) return o.defaultList;
        throw error(undefined, `missing required key '${name(key)}'`);
      }
      const list = Array.isArray(v) ? v : [v];
      return list.map((x, i) => checkNumber(key, x, o, `${name(key)}[${i}]`));
    },
    strings(key, o = {}) {
      const v = get(key);
      if (v === undefined) {
        if (o.defaultList !== undefined) return o.defaultList;
        throw error(undefined, `missing required key '${name(key)}'`);
      }
      const list = Array.isArray(v) ? v : [v];
      return list.map((x, i) => {
        if (typeof x !== "string") {
          throw error(key, `'${name(key)}[${i}]' must be a string, got ${JSON.stringify(x)}`);
        }
        return x;
      });
    },
    section(key) {
      if (get(key) === undefined) throw error(undefined, `missing required key '${name(key)}'`);
      return openSection(y, [...path, key]);
    },
    optionalSection(key) {
      return get(key) === undefined ? undefined : openSection(y, [...path, key]);
    },
    raw: (key) => get(key),
    done() {
      for (const key of Object.keys(obj)) {
        if (!used.has(key)) {
          const at = y.locate([...path, key], true);
          throw new ConfigError(`unknown key '${name(key)}'`, {
            file: y.file,
            ...at,
            field: name(key),
          });
        }
      }
    },
    error,
  };
  return self;
}
