"""NSL-KDD reference: scikit-learn RandomForest on the official protocol.

Train on KDDTrain+.txt, test on KDDTest+.txt and KDDTest-21.txt; binary
(normal vs attack, accuracy at 0.5) and 5-class (normal/DoS/Probe/R2L/U2R,
macro-F1). Default RandomForest settings (nothing is tuned, so the test files
choose nothing). Categoricals (protocol_type, service, flag) one-hot encoded,
unknown categories ignored; the difficulty column (the last) is dropped.

    python3 bench/nsl_kdd_reference.py DATA_DIR [--seeds 1,2,3] [--trees 100]

Prints one JSON object: per seed and the medians.  Needs numpy, scikit-learn.
Run through `deno task bench nsl-kdd` (bench/nsl_kdd.ts).
"""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import OneHotEncoder

# The usual NSL-KDD attack -> category mapping (same as examples/nsl-kdd/params.yaml).
CATEGORY = {
    "normal": "normal",
    **{a: "DoS" for a in "back land neptune pod smurf teardrop apache2 udpstorm processtable worm mailbomb".split()},
    **{a: "Probe" for a in "satan ipsweep nmap portsweep mscan saint".split()},
    **{a: "R2L" for a in ("guess_passwd ftp_write imap phf multihop warezmaster warezclient spy xlock xsnoop "
                           "snmpguess snmpgetattack httptunnel sendmail named").split()},
    **{a: "U2R" for a in "buffer_overflow loadmodule rootkit perl sqlattack xterm ps".split()},
}
CATEGORICAL = [1, 2, 3]  # protocol_type, service, flag


def load(path):
    rows = [line.rstrip("\r\n").split(",") for line in open(path, encoding="utf-8") if line.strip()]
    labels = [r[41] for r in rows]
    cat = np.array([[r[i] for i in CATEGORICAL] for r in rows])
    num = np.array([[float(r[i]) for i in range(41) if i not in CATEGORICAL] for r in rows])
    return cat, num, labels


def main(argv):
    data = argv[0]
    seeds = [1, 2, 3]
    trees = 100
    for i, a in enumerate(argv):
        if a == "--seeds":
            seeds = [int(s) for s in argv[i + 1].split(",")]
        if a == "--trees":
            trees = int(argv[i + 1])
    train = load(f"{data}/KDDTrain+.txt")
    tests = {"kddtest_plus": load(f"{data}/KDDTest+.txt"), "kddtest_21": load(f"{data}/KDDTest-21.txt")}
    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train[0])

    def matrix(d):
        return np.hstack([enc.transform(d[0]), d[1]])

    x = matrix(train)
    y_bin = np.array([l != "normal" for l in train[2]])
    y_cls = np.array([CATEGORY.get(l, "unknown") for l in train[2]])
    runs = []
    for seed in seeds:
        run = {"seed": seed}
        t0 = time.perf_counter()
        rf = RandomForestClassifier(n_estimators=trees, random_state=seed, n_jobs=1).fit(x, y_bin)
        run["binary_fit_seconds"] = time.perf_counter() - t0
        for name, d in tests.items():
            truth = np.array([l != "normal" for l in d[2]])
            run[f"{name}_accuracy"] = accuracy_score(truth, rf.predict(matrix(d)))
        rf5 = RandomForestClassifier(n_estimators=trees, random_state=seed, n_jobs=1).fit(x, y_cls)
        for name, d in tests.items():
            truth = np.array([CATEGORY.get(l, "unknown") for l in d[2]])
            pred = rf5.predict(matrix(d))
            labels = ["normal", "DoS", "Probe", "R2L", "U2R"]
            run[f"{name}_macro_f1"] = f1_score(truth, pred, labels=labels, average="macro", zero_division=0)
            run[f"{name}_5class_accuracy"] = accuracy_score(truth, pred)
        runs.append(run)
    keys = [k for k in runs[0] if k != "seed"]
    unknown = sorted({l for d in tests.values() for l in d[2] if l not in CATEGORY})
    print(json.dumps({
        "model": f"sklearn RandomForestClassifier(n_estimators={trees}) default settings",
        "sklearn": __import__("sklearn").__version__,
        "runs": runs,
        "median": {k: statistics.median(r[k] for r in runs) for k in keys},
        "unmapped_test_labels": unknown,
    }, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
