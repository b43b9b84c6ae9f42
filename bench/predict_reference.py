"""Reference for `deno task bench predict`: the same batch job in the usual
Python stack, run as its own process like `deno task predict`.

  fit DATA.csv HIDDEN OUT.pkl   fit StandardScaler + MLPClassifier with the
                                released model's hidden widths (e.g. 192,96)
                                on the dataset and pickle it (not timed)
  predict MODEL.pkl IN.csv OUT.csv
                                pandas read_csv, predict_proba, to_csv with
                                the same columns as ours (the timed job)

It does less than ours: no schema validation, no rejects, no drift report.
"""

import pickle
import sys


def fit(data_csv: str, hidden: str, out_pkl: str) -> None:
    import pandas as pd
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = pd.read_csv(data_csv)
    y = (df["result"] == -1).astype(int)  # phishing is the threat class
    x = df.drop(columns=["result"])
    widths = tuple(int(w) for w in hidden.split(",") if w)
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=widths, max_iter=40, random_state=7),
    )
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
