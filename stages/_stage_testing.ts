/**
 * Helpers for the data stages' tests: run a stage as a subprocess in a
 * workspace directory and set up such workspaces. Not product code.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * Absolute path of a file in the repository.
 *
 * @example
 * ```ts ignore
 * await Deno.copyFile(repoPath("schema.yaml"), `${dir}/schema.yaml`);
 * ```
 */
export function repoPath(rel: string): string {
  return ROOT + rel;
}

/** Exit code and output of a stage run. */
export interface StageRun {
  /** Exit code. */
  code: number;
  /** Everything the stage printed on stderr (logs and the error). */
  stderr: string;
}

/**
 * Run `stages/<stage>.ts` with the permissions pipeline.yaml gives it, in `cwd`.
 *
 * @example
 * ```ts ignore
 * const { code, stderr } = await runStage("ingest", dir, ["--params", "p.yaml"]);
 * ```
 */
export async function runStage(stage: string, cwd: string, args: string[] = []): Promise<StageRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      // The npm `yaml` parser reads LOG_TOKENS/LOG_STREAM from the environment.
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      "--config",
      repoPath("deno.json"),
      repoPath(`stages/${stage}.ts`),
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * A temp workspace holding the repository's schema.yaml and params.yaml and
 * the first `rows` rows of the phishing data at the params' path (edited by `edit`).
 *
 * @example
 * ```ts ignore
 * const dir = await phishingWorkspace(300, (lines) => lines);
 * ```
 */
export async function phishingWorkspace(
  rows: number,
  edit: (lines: string[]) => string[] = (l) => l,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "stages_" });
  await Deno.mkdir(`${dir}/data`);
  await Deno.copyFile(repoPath("schema.yaml"), `${dir}/schema.yaml`);
  await Deno.copyFile(repoPath("params.yaml"), `${dir}/params.yaml`);
  const text = await Deno.readTextFile(repoPath("data/phishing_websites.csv"));
  const lines = text.split("\n").slice(0, rows + 1);
  await Deno.writeTextFile(`${dir}/data/phishing_websites.csv`, edit(lines).join("\n") + "\n");
  return dir;
}

/**
 * Replace the field `column` of data line `line` (1-based file line) in CSV lines.
 *
 * @example
 * ```ts ignore
 * setField(lines, 5, 1, "abc");
 * ```
 */
export function setField(lines: string[], line: number, column: number, value: string): string[] {
  const out = [...lines];
  const fields = out[line - 1].split(",");
  fields[column] = value;
  out[line - 1] = fields.join(",");
  return out;
}
