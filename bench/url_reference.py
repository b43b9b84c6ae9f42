"""Side-by-side reference for the URL model (README "Checking a URL"):
character n-gram TF-IDF + logistic regression (scikit-learn), trained and
scored on the SAME split files as the pipeline's url_* stages.

    python3 bench/url_reference.py artifacts/url/ingest/train.csv artifacts/url/ingest/test.csv
"""
import csv
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["url"] for r in rows], [1 if r["status"] == "phishing" else 0 for r in rows]


def main():
    xtr, ytr = read(sys.argv[1])
    xte, yte = read(sys.argv[2])
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(C=10.0, max_iter=2000)
    clf.fit(vec.fit_transform(xtr), ytr)
    p = clf.predict_proba(vec.transform(xte))[:, 1]
    acc = accuracy_score(yte, p >= 0.5)
    auc = roc_auc_score(yte, p)
    print(f"tfidf-char+logreg train={len(xtr)} test={len(xte)} accuracy={acc:.4f} roc_auc={auc:.4f}")


if __name__ == "__main__":
    main()
