import { deepStrictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { openSection } from "../section.ts";
import { parseYaml } from "../yaml.ts";
import type { ScoreReport } from "../reports/metrics.ts";
import { readRefit, refitChoice } from "./refit_choice.ts";

const val = (log_loss: number) => ({ log_loss }) as ScoreReport;
const o = { validationSize: 0.2, minGain: 0.01 };

Deno.test("refitChoice: a steep learning curve refits, a flat one does not", () => {
  // 0.10 -> 0.05 on 3x the rows: 50% x ln(1.25)/ln(3) = 10.2% expected.
  const steep = refitChoice({
    previous: { rows: 1000, val: val(0.1) },
    last: { rows: 3000, val: val(0.05) },
  }, o);
  deepStrictEqual(steep, { refit: true, expected_gain: 0.101557, min_gain: 0.01 });
  // 0.40 -> 0.396 on 5x the rows: 1% x ln(1.25)/ln(5) = 0.14% expected.
  const flat = refitChoice({
    previous: { rows: 100_000, val: val(0.4) },
    last: { rows: 500_000, val: val(0.396) },
  }, o);
  deepStrictEqual(flat.refit, false);
  deepStrictEqual(flat.expected_gain, 0.001386);
  // Worse with more rows: no gain expected.
  deepStrictEqual(
    refitChoice({ previous: { rows: 10, val: val(0.3) }, last: { rows: 30, val: val(0.4) } }, o)
      .expected_gain,
    0,
  );
});

Deno.test("refitChoice: with one rung there is no curve, so it refits", () => {
  deepStrictEqual(refitChoice({ last: { rows: 500, val: val(0.2) } }, o), {
    refit: true,
    expected_gain: null,
    min_gain: 0.01,
  });
});

Deno.test("readRefit: true, false or auto; anything else names the key", () => {
  const read = (v: string) =>
    readRefit(openSection(parseYaml(`train:\n  refit: ${v}\n`, "p.yaml"), ["train"]));
  deepStrictEqual([read("true"), read("false"), read("auto")], [true, false, "auto"]);
  throws(
    () => read("sometimes"),
    (e: unknown) =>
      e instanceof ConfigError && /train\.refit' must be true, false or auto/.test(e.message),
  );
});
