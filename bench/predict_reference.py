"""Reference for `deno task bench predict`: the same batch job in the usual
Python stack, run as its own process like `deno task predict`.

  fit DATA.csv KIND OUT.pkl     fit a scikit-learn model of the released
                                model's kind on the dataset and pickle it
                                (not timed): KIND is mlp:192,96 (StandardScaler
                                + MLPClassifier of those hidden widths),
                                logreg, gbdt:ITER (HistGradientBoosting) or
                                extra_trees:N (ExtraTrees)
  predict MODEL.pkl IN.csv OUT.csv
                                pandas read_csv, predict_proba, to_csv with
                                the same columns as ours (the timed job)

It does less than ours: no schema validation, no rejects, no drift report.
"""

import pickle
import sys


def make_model(kind: str):
    from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    family, _, arg = kind.partition(":")
    if family == "mlp":
        widths = tuple(int(w) for w in arg.split(",") if w)
        net = MLPClassifier(hidden_layer_sizes=widths, max_iter=40, random_state=7)
        return make_pipeline(StandardScaler(), net)
    if family == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    if family == "gbdt":
        return HistGradientBoostingClassifier(max_iter=int(arg or 100), random_state=7)
    if family == "extra_trees":
        return ExtraTreesClassifier(n_estimators=int(arg or 100), random_state=7, n_jobs=-1)
    raise SystemExit(f"unknown model kind {kind!r}")


def fit(data_csv: str, kind: str, out_pkl: str) -> None:
    import pandas as pd

    df = pd.read_csv(data_csv)
    y = (df["result"] == -1).astype(int)  # phishing is the threat class
    x = df.drop(columns=["result"])
    model = make_model(kind)
    model.fit(x, y)
    with open(out_pkl, "wb") as f:
        pickle.dump({"model": model, "features": list(x.columns)}, f)


def predict(model_pkl: str, in_csv: str, out_csv: str) -> None:
    import pandas as pd

    with open(model_pkl, "rb") as f:
        ref = pickle.load(f)
    df = pd.read_csv(in_csv)
    p = ref["model"].predict_proba(df[ref["features"]])[:, 1]
    out = pd.DataFrame(
        {
            "row": range(1, len(df) + 1),
            "probability": p,
            "label": (p >= 0.5).astype(int),
            "model_version": "sklearn-reference",
        }
    )
    out.to_csv(out_csv, index=False, float_format="%.6f")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    command, *args = sys.argv[1:]
    {"fit": fit, "predict": predict}[command](*args)
