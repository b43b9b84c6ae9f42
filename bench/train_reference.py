"""The scikit-learn side of `deno task bench train` (bench/train_bench.ts).

Fits HistGradientBoostingClassifier with its default settings (early stopping
on: 10% of the training rows held out, loss-scored, 10 rounds of patience;
max_iter=100, 31 leaves, 255 bins) on the non-held-out rows of a bench dataset
written by bench/_train_data.ts, with the categorical columns declared native
(categorical_features), and prints one JSON line: fit seconds (the fit call
alone), trees, ROC-AUC on the held-out rows, peak RSS of this process.

    python3 bench/train_reference.py bench/out/train/nslkdd
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score


def main(stem: str) -> None:
    meta = json.load(open(stem + ".json"))
    rows, cols = meta["rows"], meta["cols"]
    x = np.fromfile(stem + ".f32", dtype="<f4").reshape(rows, cols)
    y = np.fromfile(stem + ".u8", dtype=np.uint8)
    hold = np.zeros(rows, dtype=bool)
    hold[np.array(meta["holdout"], dtype=np.int64)] = True
    cat = [k > 0 for k in meta["categorical"]]
    clf = HistGradientBoostingClassifier(
        categorical_features=cat if any(cat) else None, random_state=0
    )
    start = time.perf_counter()
    clf.fit(x[~hold], y[~hold])
    seconds = time.perf_counter() - start
    auc = roc_auc_score(y[hold], clf.predict_proba(x[hold])[:, 1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"fit_seconds": seconds, "trees": int(clf.n_iter_), "roc_auc": auc,
                      "peak_rss_bytes": peak}))


if __name__ == "__main__":
    main(sys.argv[1])
