/**
 * Raw YAML values in pipeline messages: what a value is ("got a list"),
 * whether it is a mapping, and the "unknown key" message with its
 * did-you-mean hint. Private to lib/runner/spec.
 *
 * @module
 */
import { didYouMean } from "./_suggest.ts";

/** Words people write for a stage key that are too far off for the typo check. */
const SYNONYMS: Record<string, string> = {
  command: "cmd",
  run: "cmd",
  dependencies: "deps",
  inputs: "deps",
  parameters: "params",
  outputs: "outs",
  description: "desc",
};

/** A short description of a YAML value for "got …" in messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return JSON.stringify(v);
}

/** Whether a value is a YAML mapping (not a list, not null). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The "unknown key" message shared by the top level and stages. */
export function unknownKeyMessage(key: string, where: string, valid: readonly string[]): string {
  const synonym = SYNONYMS[key.toLowerCase()];
  const hint = synonym && valid.includes(synonym)
    ? ` — did you mean '${synonym}'?`
    : didYouMean(key, valid);
  return `unknown key '${key}' ${where}${hint}`;
}
