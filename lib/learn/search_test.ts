import { deepStrictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { openSection } from "../section.ts";
import { parseYaml } from "../yaml.ts";
import { candidates, expandGrid, readSearchSpec, type SearchSpec } from "./search.ts";

const spec = (text: string): SearchSpec =>
  readSearchSpec(openSection(parseYaml(text, "params.yaml"), ["search"]));

const TEXT = `search:
  strategy: grid
  logreg:
    learning_rate: [0.03]
  mlp:
    hidden: [[8], [16, 8]]
    learning_rate: [0.01, 0.001]
    l2: [0]
    dropout: [0, 0.2]
`;

Deno.test("readSearchSpec reads families in a fixed order with defaults", () => {
  const s = spec(TEXT);
  deepStrictEqual(s.strategy, "grid");
  deepStrictEqual(s.families.logreg, { hidden: [[]], learningRate: [0.03], l2: [0], dropout: [0] });
  deepStrictEqual(s.families.mlp?.hidden, [[8], [16, 8]]);
});

Deno.test("expandGrid: every combination, logreg first", () => {
  const grid = expandGrid(spec(TEXT));
  deepStrictEqual(grid.length, 1 + 2 * 2 * 1 * 2);
  deepStrictEqual(grid[0].family, "logreg");
  deepStrictEqual(grid[1], { family: "mlp", hidden: [8], learningRate: 0.01, l2: 0, dropout: 0 });
  deepStrictEqual(grid[8], {
    family: "mlp",
    hidden: [16, 8],
    learningRate: 0.001,
    l2: 0,
    dropout: 0.2,
  });
});

Deno.test("candidates: random strategy samples reproducibly, in grid order", () => {
  const s = spec(TEXT.replace("strategy: grid", "strategy: random\n  samples: 3"));
  const a = candidates(s, 7);
  deepStrictEqual(a.length, 3);
  deepStrictEqual(candidates(s, 7), a);
  const grid = expandGrid(s);
  const positions = a.map((c) => grid.indexOf(c));
  deepStrictEqual([...positions].sort((x, y) => x - y), positions);
  deepStrictEqual(candidates({ ...s, samples: 50 }, 7).length, grid.length);
});

Deno.test("readSearchSpec errors name the file, line and key", () => {
  const bad = (text: string, pattern: RegExp) =>
    throws(() => spec(text), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
  bad("search:\n  strategy: grid\n", /needs at least one of logreg, mlp/);
  bad("search:\n  mlp:\n    hidden: [64]\n    learning_rate: [0.1]\n", /list of layer-width lists/);
  bad(
    "search:\n  logreg:\n    learning_rate: [0.1]\n    dropuot: [0]\n",
    /unknown key 'search.logreg.dropuot'/,
  );
  bad(
    "search:\n  strategy: bayes\n  logreg: {learning_rate: [0.1]}\n",
    /must be one of grid, random/,
  );
  throws(
    () => spec("search:\n  mlp:\n    hidden: [[0]]\n    learning_rate: [0.1]\n"),
    (e: unknown) => {
      const err = e as ConfigError;
      return err.where.file === "params.yaml" && err.where.line === 3 &&
        err.where.field === "search.mlp.hidden";
    },
  );
});
