import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { LockStage } from "../cache/lock.ts";
import type { StageSpec } from "../spec/spec.ts";
import { describeReason, type ObservedStage, whyStale } from "./stale.ts";

function stage(over: Partial<StageSpec> = {}): StageSpec {
  return {
    name: "train",
    cmd: ["python train.py"],
    deps: ["data.csv", "train.py"],
    params: [{ file: "params.yaml", keys: ["train.lr"] }],
    outs: [{ path: "model.bin", kind: "out", cache: true, persist: false }],
    alwaysChanged: false,
    frozen: false,
    where: { line: 1, column: 1 },
    ...over,
  };
}

const locked: LockStage = {
  cmd: ["python train.py"],
  deps: [
    { path: "data.csv", hash: "d1", size: 1 },
    { path: "train.py", hash: "t1", size: 1 },
  ],
  params: { "params.yaml": { "train.lr": 0.1 } },
  outs: [{ path: "model.bin", hash: "m1", size: 1, cache: true }],
};

function observed(over: Partial<ObservedStage> = {}): ObservedStage {
  return {
    deps: new Map([["data.csv", "d1"], ["train.py", "t1"]]),
    params: { "params.yaml": { "train.lr": 0.1 } },
    outs: new Map([["model.bin", "m1"]]),
    ...over,
  };
}

Deno.test("whyStale: fresh when everything matches the lock", () => {
  strictEqual(whyStale({ stage: stage(), locked, observed: observed() }), undefined);
});

Deno.test("whyStale: a stage missing from the lock is new", () => {
  deepStrictEqual(whyStale({ stage: stage(), locked: undefined, observed: observed() }), {
    kind: "new",
  });
});

Deno.test("whyStale: cmd changed", () => {
  const r = whyStale({
    stage: stage({ cmd: ["python train.py --fast"] }),
    locked,
    observed: observed(),
  });
  strictEqual(r?.kind, "cmd_changed");
});

Deno.test("whyStale: a dep's hash changed, names the dep", () => {
  const r = whyStale({
    stage: stage(),
    locked,
    observed: observed({ deps: new Map([["data.csv", "d2"], ["train.py", "t1"]]) }),
  });
  deepStrictEqual(r, { kind: "dep_changed", path: "data.csv", before: "d1", after: "d2" });
});

Deno.test("whyStale: a dep missing, added or removed", () => {
  strictEqual(
    whyStale({
      stage: stage(),
      locked,
      observed: observed({ deps: new Map([["data.csv", undefined], ["train.py", "t1"]]) }),
    })?.kind,
    "dep_missing",
  );
  strictEqual(
    whyStale({
      stage: stage({ deps: ["data.csv", "train.py", "x"] }),
      locked,
      observed: observed(),
    })
      ?.kind,
    "dep_added",
  );
  deepStrictEqual(
    whyStale({ stage: stage({ deps: ["data.csv"] }), locked, observed: observed() }),
    { kind: "dep_removed", path: "train.py" },
  );
});

Deno.test("whyStale: only the declared param's value matters", () => {
  deepStrictEqual(
    whyStale({
      stage: stage(),
      locked,
      observed: observed({ params: { "params.yaml": { "train.lr": 0.2 } } }),
    }),
    { kind: "param_changed", file: "params.yaml", key: "train.lr", before: 0.1, after: 0.2 },
  );
  // Same values in another key order of a nested section are not a change.
  const nested: LockStage = { ...locked, params: { "params.yaml": { train: { a: 1, b: 2 } } } };
  strictEqual(
    whyStale({
      stage: stage(),
      locked: nested,
      observed: observed({ params: { "params.yaml": { train: { b: 2, a: 1 } } } }),
    }),
    undefined,
  );
  strictEqual(
    whyStale({ stage: stage(), locked, observed: observed({ params: { "params.yaml": {} } }) })
      ?.kind,
    "param_removed",
  );
});

Deno.test("whyStale: a change inside a whole section names the dotted key, old -> new", () => {
  const section = (hidden: number[], epochs: number) => ({
    train: { seed: 1, epochs, search: { mlp: { hidden: [hidden], lr: [0.01] } } },
  });
  const nested: LockStage = { ...locked, params: { "params.yaml": section([8], 10) } };
  const reason = whyStale({
    stage: stage(),
    locked: nested,
    observed: observed({ params: { "params.yaml": section([16], 10) } }),
  });
  deepStrictEqual(reason, {
    kind: "param_changed",
    file: "params.yaml",
    key: "train.search.mlp.hidden",
    before: [[8]],
    after: [[16]],
  });
  strictEqual(
    describeReason(reason!),
    "param 'train.search.mlp.hidden' (params.yaml) changed [[8]] -> [[16]]",
  );
  const added = whyStale({
    stage: stage(),
    locked: nested,
    observed: observed({
      params: { "params.yaml": { train: { ...section([8], 10).train, patience: 3 } } },
    }),
  });
  strictEqual(describeReason(added!), "param 'train.patience' (params.yaml) changed (unset) -> 3");
});

Deno.test("whyStale: an out missing or modified", () => {
  deepStrictEqual(
    whyStale({
      stage: stage(),
      locked,
      observed: observed({ outs: new Map([["model.bin", undefined]]) }),
    }),
    { kind: "out_missing", path: "model.bin" },
  );
  strictEqual(
    whyStale({
      stage: stage(),
      locked,
      observed: observed({ outs: new Map([["model.bin", "m2"]]) }),
    })
      ?.kind,
    "out_changed",
  );
  // Lock-only checks (no observed outs) ignore the workspace's outs.
  strictEqual(
    whyStale({ stage: stage(), locked, observed: observed({ outs: undefined }) }),
    undefined,
  );
});

Deno.test("whyStale: declared outs differ from the lock", () => {
  const r = whyStale({
    stage: stage({ outs: [{ path: "other.bin", kind: "out", cache: true, persist: false }] }),
    locked,
    observed: observed(),
  });
  deepStrictEqual(r, { kind: "outs_changed", added: ["other.bin"], removed: ["model.bin"] });
});

Deno.test("whyStale: always_changed, upstream, frozen", () => {
  strictEqual(
    whyStale({ stage: stage({ alwaysChanged: true }), locked, observed: observed() })?.kind,
    "always_changed",
  );
  deepStrictEqual(
    whyStale({ stage: stage(), locked, observed: observed(), staleUpstream: ["ingest"] }),
    { kind: "upstream", stage: "ingest" },
  );
  strictEqual(
    whyStale({ stage: stage({ frozen: true }), locked: undefined, observed: observed() }),
    undefined,
  );
});

Deno.test("describeReason names the path, key or stage", () => {
  strictEqual(
    describeReason({
      kind: "dep_changed",
      path: "data.csv",
      before: "aaaaaaaaaa",
      after: "bbbbbbbbbb",
    }),
    "dep 'data.csv' changed (aaaaaaaa -> bbbbbbbb)",
  );
  strictEqual(
    describeReason({
      kind: "param_changed",
      file: "params.yaml",
      key: "train.lr",
      before: 0.1,
      after: 0.2,
    }),
    "param 'train.lr' (params.yaml) changed 0.1 -> 0.2",
  );
  strictEqual(
    describeReason({ kind: "upstream", stage: "ingest" }),
    "upstream stage 'ingest' is stale",
  );
});
