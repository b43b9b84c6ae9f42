/**
 * Where a train stage's time went, read from its log (`stage.log` of
 * bench/train_bench.ts): seconds per rung and family (from each
 * `candidate done` line's `elapsed`, the search's clock), and what follows
 * the search (refit choice, refit, release: the stage's own `seconds` minus
 * the search's last `elapsed`).
 *
 * @module
 */

/**
 * Seconds per `r<rung> <family>` in the order first seen, then `after search`.
 *
 * @example
 * ```ts
 * import { stagePhases } from "./_train_phases.ts";
 * stagePhases([
 *   'info  candidate id=c1 rung=0 rows=10 config="gbdt lr=0.1"',
 *   "info  candidate done id=c1 rung=0 elapsed=1.5",
 *   'info  train: done chosen="gbdt" seconds=2',
 * ].join("\n")); // { "r0 gbdt": 1.5, "after search": 0.5 }
 * ```
 */
export function stagePhases(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  let family = "?", last = 0;
  for (const line of log.split("\n")) {
    const started = /candidate id=\S+ rung=\d+ rows=\d+ config="(\w+)/.exec(line);
    if (started) family = started[1];
    const done = /candidate done id=\S+ rung=(\d+) .*elapsed=([\d.]+)/.exec(line);
    if (done) {
      const key = `r${done[1]} ${family}`, elapsed = Number(done[2]);
      out[key] = round((out[key] ?? 0) + elapsed - last);
      last = elapsed;
    }
    const end = /train: done .*seconds=([\d.]+)/.exec(line);
    if (end) out["after search"] = round(Number(end[1]) - last);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
