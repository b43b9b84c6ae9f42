/**
 * The synthetic workspace of the runner benchmark: data files spread over
 * the stages (a few large shared files, a shared folder of small files, a
 * file or a folder of small files per stage), a pipeline of trivial stages
 * forming a realistic DAG, and a params.yaml. The same pipeline text serves
 * as our `pipeline.yaml` and as DVC's `dvc.yaml` (the syntax is DVC's).
 *
 * Shape for `stages = 100` (the default):
 *
 * - 5 `prep_*` stages, each reading one large shared file and the shared folder;
 * - 8 chains `cC_sK` of 11 stages: each reads the previous out of its chain
 *   (the first one a `prep_*` out), its own data and a small shared file;
 * - 6 `merge_*` stages, each a fan-in of 3 chain tails plus the shared folder;
 * - 1 `report` stage reading every merge out and writing a metrics file.
 *
 * Each cmd is `echo`/`cat` of a few bytes, so a stage's cost is the runner's.
 *
 * @module
 */
import { dirname, join } from "node:path";

/** What to generate. */
export interface SyntheticOptions {
  /** Number of stages (at least 20). */
  stages: number;
  /** Total bytes of dep data, in MiB. */
  dataMib: number;
}

/** One generated stage. */
export interface SyntheticStage {
  /** Stage name. */
  name: string;
  /** The shell command. */
  cmd: string;
  /** Dep paths (files or folders). */
  deps: string[];
  /** Dotted params keys read from params.yaml. */
  params: string[];
  /** Out paths (cached). */
  outs: string[];
  /** Metrics paths (`cache: false`). */
  metrics: string[];
}

/** A generated pipeline with its data. */
export interface SyntheticPipeline {
  /** Stages in topological (file) order. */
  stages: SyntheticStage[];
  /** Text of pipeline.yaml / dvc.yaml. */
  pipelineYaml: string;
  /** Text of params.yaml. */
  paramsYaml: string;
  /** Data files written. */
  files: number;
  /** Data bytes written. */
  bytes: number;
}

const MIB = 1024 * 1024;
const N_PREP = 5;
const N_CHAINS = 8;
const N_MERGE = 6;
const FAN_IN = 3;

const PARAMS_YAML = `prepare:
  seed: 7
  sample: 0.25
chain:
  window: 10
  lr: 0.01
merge:
  mode: union
report:
  top_k: 5
`;

/**
 * Plan the stages (no I/O): names, deps, params and commands.
 *
 * @example
 * ```ts
 * import { planStages } from "./_synthetic.ts";
 * planStages(100).length; // 100
 * ```
 */
export function planStages(count: number): SyntheticStage[] {
  if (!Number.isInteger(count) || count < 20) {
    throw new RangeError(`the synthetic pipeline needs at least 20 stages, got ${count}`);
  }
  const out = (name: string) => `outs/${name}.txt`;
  const stages: SyntheticStage[] = [];
  for (let i = 0; i < N_PREP; i++) {
    const name = `prep_${i}`;
    stages.push({
      name,
      cmd: `echo ${name} > ${out(name)}`,
      deps: [`data/shared/big_${i % 4}.bin`, "data/shared/lookup"],
      params: ["prepare.seed", "prepare.sample"],
      outs: [out(name)],
      metrics: [],
    });
  }
  const chainStages = count - N_PREP - N_MERGE - 1;
  const tails: string[] = [];
  let k = 0;
  for (let c = 0; c < N_CHAINS; c++) {
    const length = Math.floor(chainStages / N_CHAINS) + (c < chainStages % N_CHAINS ? 1 : 0);
    let prev = `prep_${c % N_PREP}`;
    for (let s = 0; s < length; s++, k++) {
      const name = `c${c}_s${s}`;
      // Every third stage reads a folder of small files, the others one file.
      const data = k % 3 === 2 ? `data/stages/${name}` : `data/stages/${name}.bin`;
      stages.push({
        name,
        cmd: `cat ${out(prev)} > ${out(name)} && echo ${name} >> ${out(name)}`,
        deps: [out(prev), data, "data/shared/schema.json"],
        params: [s % 2 ? "chain.lr" : "chain.window"],
        outs: [out(name)],
        metrics: [],
      });
      prev = name;
    }
    tails.push(prev);
  }
  const merges: string[] = [];
  for (let m = 0; m < N_MERGE; m++) {
    const name = `merge_${m}`;
    const ins = Array.from({ length: FAN_IN }, (_, j) => tails[(m + j) % N_CHAINS]);
    stages.push({
      name,
      cmd: `cat ${ins.map(out).join(" ")} > ${out(name)}`,
      deps: [...ins.map(out), "data/shared/lookup"],
      params: ["merge.mode"],
      outs: [out(name)],
      metrics: [],
    });
    merges.push(name);
  }
  stages.push({
    name: "report",
    cmd: `cat ${merges.map(out).join(" ")} > ${out("report")} && echo '{"stages": ${count}}' > ` +
      "outs/metrics.json",
    deps: merges.map(out),
    params: ["report.top_k"],
    outs: [out("report")],
    metrics: ["outs/metrics.json"],
  });
  return stages;
}

/**
 * The pipeline text (valid as both `pipeline.yaml` and `dvc.yaml`).
 *
 * @example
 * ```ts
 * import { pipelineText, planStages } from "./_synthetic.ts";
 * pipelineText(planStages(20)).startsWith("stages:\n"); // true
 * ```
 */
export function pipelineText(stages: SyntheticStage[]): string {
  const lines = ["stages:"];
  const list = (key: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`    ${key}:`, ...items.map((i) => `      - ${i}`));
  };
  for (const s of stages) {
    lines.push(`  ${s.name}:`, `    cmd: ${JSON.stringify(s.cmd)}`);
    list("deps", s.deps);
    list("params", s.params);
    list("outs", s.outs);
    if (s.metrics.length) {
      lines.push("    metrics:", ...s.metrics.map((m) => `      - ${m}:\n          cache: false`));
    }
  }
  return lines.join("\n") + "\n";
}

/** Files to write: path and size, before any byte is written. */
function planData(stages: SyntheticStage[], dataMib: number): Map<string, number> {
  const total = dataMib * MIB;
  const files = new Map<string, number>();
  // 45% in four large shared files, 5% in a shared folder of 400 small files.
  for (let i = 0; i < 4; i++) files.set(`data/shared/big_${i}.bin`, Math.floor(total * 0.45 / 4));
  const lookupFile = Math.floor(total * 0.05 / 400);
  for (let i = 0; i < 400; i++) {
    const size = Math.floor(lookupFile * (0.5 + (i % 10) / 9)); // 0.5x..1.5x, mean ~1x
    files.set(`data/shared/lookup/part_${String(i).padStart(3, "0")}.csv`, size);
  }
  files.set("data/shared/schema.json", 2048);
  // The other 50% per stage: one file, or a folder of 20 small files.
  const own = stages.flatMap((s) => s.deps.filter((d) => d.startsWith("data/stages/")));
  const perStage = Math.floor(total * 0.5 / Math.max(1, own.length));
  for (const dep of own) {
    if (dep.endsWith(".bin")) {
      files.set(dep, perStage);
    } else {
      for (let i = 0; i < 20; i++) files.set(`${dep}/row_${i}.csv`, Math.floor(perStage / 20));
    }
  }
  return files;
}

/**
 * Write the data files, pipeline file and params.yaml into `dir`.
 *
 * @example
 * ```ts ignore
 * import { writeSynthetic } from "./_synthetic.ts";
 * const p = await writeSynthetic("/tmp/ws", { stages: 100, dataMib: 300 }, "pipeline.yaml");
 * console.log(p.files, p.bytes);
 * ```
 */
export async function writeSynthetic(
  dir: string,
  options: SyntheticOptions,
  pipelineFile: string,
): Promise<SyntheticPipeline> {
  const stages = planStages(options.stages);
  const plan = planData(stages, options.dataMib);
  const block = new Uint8Array(4 * MIB);
  for (let off = 0; off < block.length; off += 65536) {
    crypto.getRandomValues(block.subarray(off, off + 65536));
  }
  const header = new TextEncoder();
  let bytes = 0;
  let fileIndex = 0;
  for (const [path, size] of plan) {
    const abs = join(dir, path);
    await Deno.mkdir(dirname(abs), { recursive: true });
    using f = await Deno.open(abs, { write: true, createNew: true });
    // A distinct header per file so no two files share a hash.
    header.encodeInto(`${fileIndex++} ${path}\n`, block.subarray(0, 256));
    for (let left = size; left > 0;) {
      const chunk = block.subarray(0, Math.min(block.length, left));
      let written = 0;
      while (written < chunk.length) written += await f.write(chunk.subarray(written));
      left -= chunk.length;
      block[300] = (block[300] + 1) & 0xff; // no two blocks alike
    }
    bytes += size;
  }
  await Deno.mkdir(join(dir, "outs"), { recursive: true });
  const pipelineYaml = pipelineText(stages);
  await Deno.writeTextFile(join(dir, pipelineFile), pipelineYaml);
  await Deno.writeTextFile(join(dir, "params.yaml"), PARAMS_YAML);
  return { stages, pipelineYaml, paramsYaml: PARAMS_YAML, files: plan.size, bytes };
}

/**
 * Copy the data of a written workspace into `dir` (`cp -a`, so sizes and
 * bytes match) and write the same pipeline text under another name.
 *
 * @example
 * ```ts ignore
 * import { copySynthetic } from "./_synthetic.ts";
 * await copySynthetic("/tmp/ours", "/tmp/dvc", pipeline, "dvc.yaml");
 * ```
 */
export async function copySynthetic(
  from: string,
  dir: string,
  pipeline: SyntheticPipeline,
  pipelineFile: string,
): Promise<void> {
  await Deno.mkdir(join(dir, "outs"), { recursive: true });
  const cp = await new Deno.Command("cp", {
    args: ["-a", join(from, "data"), join(dir, "data")],
    stderr: "piped",
  }).output();
  if (!cp.success) throw new Error(`cp -a failed: ${new TextDecoder().decode(cp.stderr)}`);
  await Deno.writeTextFile(join(dir, pipelineFile), pipeline.pipelineYaml);
  await Deno.writeTextFile(join(dir, "params.yaml"), pipeline.paramsYaml);
}
