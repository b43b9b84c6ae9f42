/**
 * `deno run -A bench/start_bench.ts --base DIR [--runs 8] [--entry stages/evaluate.ts]`:
 * the start-up of one entry point (`deno run -A <entry> --help`: every
 * static import evaluated, nothing read) in checkout DIR and in this one,
 * alternated `--runs` times; prints each side's milliseconds and medians.
 * Issue 10's evidence for the lazy TensorFlow.js import (lib/learn/tf_backend.ts `loadTf`).
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    runs: { type: "string", default: "8" },
    entry: { type: "string", default: "stages/evaluate.ts" },
  },
});
if (!values.base) throw new TypeError("--base DIR is required");
const sides = { base: values.base, head: new URL("..", import.meta.url).pathname };
const times: Record<string, number[]> = { base: [], head: [] };
for (let run = 0; run < Number(values.runs); run++) {
  for (const [name, cwd] of Object.entries(sides)) {
    const t0 = performance.now();
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", values.entry, "--help"],
      cwd,
      stdout: "null",
      stderr: "null",
    }).output();
    times[name].push(performance.now() - t0);
  }
}
const median = (a: number[]) => a.toSorted((p, q) => p - q)[a.length >> 1];
for (const [name, t] of Object.entries(times)) {
  console.log(
    `${name} ${sides[name as "base"]}: ${t.map(Math.round).join(" ")} ms, median ${
      Math.round(median(t))
    }`,
  );
}
