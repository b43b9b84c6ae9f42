"""Reference scoring server for `deno task bench serve`: FastAPI + uvicorn +
scikit-learn doing what `POST /v1/predict` of tasks/serve.ts does for one
record, on the same released model folder (artifacts/model):

- the record is validated against the schema embedded in preprocess.json by
  a pydantic model built from it (type, allowed values, min/max, nullable,
  unknown fields rejected: FastAPI answers 422);
- it is encoded with the same fitted preprocessing (imputation, standard
  scaling, one-hot with an unseen bucket);
- it is scored by scikit-learn estimators carrying the released weights
  (an MLPClassifier per Dense chain, LogisticRegression for a single Dense
  layer; an ensemble's branches averaged, as its Average layer does), read
  from model.json + weights.bin (TF.js layers format); a tree release
  (trees.json: gbdt or extra_trees) is walked node by node with the released
  trees, since scikit-learn cannot load foreign trees;
- the answer is {"model_version", "probability", "label"}.

Run (the benchmark does this):
    THREATLINE_MODEL_DIR=artifacts/model python -m uvicorn serve_reference:app \
        --app-dir bench --host 127.0.0.1 --port 8001 --no-access-log
Benchmark code, not product code.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Literal, Optional

import numpy as np
from fastapi import FastAPI
from pydantic import ConfigDict, Field, create_model
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

MODEL_DIR = os.environ.get("THREATLINE_MODEL_DIR", "artifacts/model")


def read_json(name: str) -> Any:
    with open(os.path.join(MODEL_DIR, name), encoding="utf-8") as f:
        return json.load(f)


card = read_json("card.json")
spec = read_json("preprocess.json")
family = card.get("family") or card["config"]["family"]
TREE_FAMILIES = ("gbdt", "extra_trees")
topology = None if family in TREE_FAMILIES else read_json("model.json")
schema = spec["schema"]
target = schema["target"]["column"]
id_column = schema.get("id")


def column_type(col: dict) -> Any:
    """The pydantic annotation of one schema column."""
    base = {"integer": int, "number": float, "boolean": bool}.get(col["type"], str)
    if col.get("values"):
        values = [str(v) if base is str else v for v in col["values"]]
        base = Literal[tuple(values)]  # type: ignore[valid-type]
    return Optional[base] if col.get("nullable") else base


fields: dict[str, Any] = {}
for col in schema["columns"]:
    annotation = column_type(col)
    limits = {k: v for k, v in (("ge", col.get("min")), ("le", col.get("max"))) if v is not None}
    required = not col.get("nullable") and col["name"] not in (target, id_column)
    default = ... if required else None
    if not required and not col.get("nullable"):
        annotation = Optional[annotation]
    fields[col["name"]] = (annotation, Field(default, **limits))

Record = create_model(  # type: ignore[call-overload]
    "Record", __config__=ConfigDict(extra="forbid"), **fields
)


def encoder():
    """The fitted preprocessing as one function: record -> float64 row."""
    steps = []
    for f in spec["features"]:
        if f["kind"] == "numeric":
            steps.append(("numeric", f["column"], f["impute"], f["center"], f["scale"]))
        else:
            index = {c: i for i, c in enumerate(f["categories"])}
            steps.append(("one_hot", f["column"], f["impute"], index, len(f["categories"]) + 1))
    width = len(spec["columns"])

    def encode(record: dict) -> np.ndarray:
        x = np.zeros((1, width))
        at = 0
        for step in steps:
            if step[0] == "numeric":
                _, name, impute, center, scale = step
                v = record.get(name)
                x[0, at] = ((impute if v is None else float(v)) - center) / scale
                at += 1
            else:
                _, name, impute, index, n = step
                v = record.get(name)
                key = impute if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
                x[0, at + index.get(key, n - 1)] = 1.0
                at += n
        return x

    return encode


def dense_chains() -> list[list[str]]:
    """The Dense layers of each branch, input first: one chain for a
    Sequential stack, one per input of the final Average for an ensemble."""
    top = topology["modelTopology"]
    layers = top["config"]["layers"]
    if top["class_name"] == "Sequential":
        for layer in layers:
            if layer["class_name"] not in ("Dense", "InputLayer", "Dropout", "SeededDropout"):
                raise ValueError(f"unsupported layer {layer['class_name']}")
        return [[l["config"]["name"] for l in layers if l["class_name"] == "Dense"]]
    by_name = {l["config"]["name"]: l for l in layers}

    def chain(name: str) -> list[str]:
        out = []
        while by_name[name]["class_name"] != "InputLayer":
            layer = by_name[name]
            if layer["class_name"] == "Dense":
                out.append(name)
            elif layer["class_name"] not in ("Dropout", "SeededDropout"):
                raise ValueError(f"unsupported layer {layer['class_name']}")
            name = layer["inbound_nodes"][0][0][0]
        return out[::-1]

    outputs = [o[0] for o in top["config"]["output_layers"]]
    (last,) = outputs
    if by_name[last]["class_name"] == "Average":
        return [chain(n[0]) for n in by_name[last]["inbound_nodes"][0]]
    return [chain(last)]


def estimators() -> list:
    """One scikit-learn estimator per branch, carrying the released weights."""
    manifest = [w for group in topology["weightsManifest"] for w in group["weights"]]
    raw = np.fromfile(os.path.join(MODEL_DIR, "weights.bin"), dtype="<f4")
    weights, at = {}, 0
    for w in manifest:
        size = int(np.prod(w["shape"]))
        weights[w["name"]] = raw[at : at + size].reshape(w["shape"]).astype(np.float64)
        at += size
    activation = {
        l["config"]["name"]: l["config"].get("activation")
        for l in topology["modelTopology"]["config"]["layers"]
    }
    out = []
    for names in dense_chains():
        wanted = ["relu"] * (len(names) - 1) + ["sigmoid"]
        if [activation[n] for n in names] != wanted:
            raise ValueError(f"expected relu hidden layers and a sigmoid output: {names}")
        kernels = [weights[f"{n}/kernel"] for n in names]
        biases = [weights[f"{n}/bias"] for n in names]
        dummy_x = np.zeros((2, kernels[0].shape[0]))
        dummy_y = np.array([0, 1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(names) == 1:
                clf = LogisticRegression().fit(dummy_x, dummy_y)
                clf.coef_ = kernels[0].T.copy()
                clf.intercept_ = biases[0].copy()
            else:
                hidden = tuple(k.shape[1] for k in kernels[:-1])
                clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", max_iter=1)
                clf.fit(dummy_x, dummy_y)
                clf.coefs_ = kernels
                clf.intercepts_ = biases
        out.append(clf)
    return out


class ReleasedTrees:
    """The released tree ensemble, scored like lib/ml/trees.ts: x <= edge goes
    left, leaves summed in tree order (gbdt: sigmoid of base + sum;
    extra_trees: mean)."""

    def __init__(self, spec: dict) -> None:
        self.base = spec["base"]
        self.gbdt = spec["family"] == "gbdt"
        self.trees = [
            (t["feature"], [spec["bin_edges"][f][b] for f, b in zip(t["feature"], t["bin"])],
             t["left"], t["right"], t["value"])
            for t in spec["trees"]
        ]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        row = x[0].astype(np.float32).tolist()
        s = self.base
        for feature, threshold, left, right, value in self.trees:
            n = 0 if feature else ~0
            while n >= 0:
                n = left[n] if row[feature[n]] <= threshold[n] else right[n]
            s += value[~n]
        p = 1.0 / (1.0 + np.exp(-s)) if self.gbdt else s / len(self.trees)
        return np.array([[1.0 - p, p]])


encode = encoder()
models = [ReleasedTrees(read_json("trees.json"))] if family in TREE_FAMILIES else estimators()
threshold = card["threshold"]
version = card["version"]
app = FastAPI()


@app.get("/ready")
async def ready() -> dict:
    return {"status": "ready", "model_version": version}


@app.post("/v1/predict")
async def predict(record: Record) -> dict:  # type: ignore[valid-type]
    x = encode(record.model_dump())
    p = float(np.mean([m.predict_proba(x)[0, 1] for m in models]))
    return {"model_version": version, "probability": p, "label": int(p >= threshold)}
