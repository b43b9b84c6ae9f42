/**
 * Where a train stage's time went, read from its log (`stage.log` of
 * bench/train_bench.ts): per rung its wall seconds (`r<k>`, from the
 * `candidate done` lines' `elapsed`, the search's clock), per rung and
 * family the seconds its candidates took (`r<k> <family>`: the sum of their
 * own `seconds`; the search fits a rung's trees on worker lanes beside the
 * networks, so these overlap and may add up to more than the rung; a log
 * without `seconds` gives each candidate the time since the previous one
 * finished), and what follows the search (refit choice, refit, release: the
 * stage's own `seconds` minus the search's last `elapsed`).
 *
 * @module
 */

/**
 * Seconds per `r<rung>` and `r<rung> <family>` in the order first seen, then `after search`.
 *
 * @example
 * ```ts
 * import { stagePhases } from "./_train_phases.ts";
 * stagePhases([
 *   'info  candidate id=c1 rung=0 rows=10 config="gbdt lr=0.1"',
 *   'info  candidate id=c2 rung=0 rows=10 config="logreg lr=0.1"',
 *   "info  candidate done id=c1 rung=0 elapsed=1.5 seconds=1.5",
 *   "info  candidate done id=c2 rung=0 elapsed=2 seconds=2",
 *   'info  train: done chosen="gbdt" seconds=2.5',
 * ].join("\n")); // { r0: 2, "r0 gbdt": 1.5, "r0 logreg": 2, "after search": 0.5 }
 * ```
 */
export function stagePhases(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  const family = new Map<string, string>();
  let last = 0, rungStart = 0, rung = "";
  for (const line of log.split("\n")) {
    const started = /candidate id=(\S+) rung=\d+ rows=\d+ config="(\w+)/.exec(line);
    if (started) family.set(started[1], started[2]);
    const done = /candidate done id=(\S+) rung=(\d+) .*elapsed=([\d.]+)/.exec(line);
    if (done) {
      const elapsed = Number(done[3]);
      if (`r${done[2]}` !== rung) (rung = `r${done[2]}`), (rungStart = last);
      const own = /\bseconds=([\d.]+)/.exec(line);
      const key = `${rung} ${family.get(done[1]) ?? "?"}`;
      out[rung] = round(elapsed - rungStart);
      out[key] = round((out[key] ?? 0) + (own ? Number(own[1]) : elapsed - last));
      last = elapsed;
    }
    const end = /train: done .*seconds=([\d.]+)/.exec(line);
    if (end) out["after search"] = round(Number(end[1]) - last);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
