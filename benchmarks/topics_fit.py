"""Refit the English topic weights on the DEV half, with the hand-set weights as the prior.

``topics_tune.py`` moves one weight a whole step at a time and stops where a
step raises one half of dev and lowers the other.  This script instead fits all
English weights at once: a class-weighted multinomial logistic loss on the dev
items (the benchmark's classes; a class's score is a soft maximum of its
topics' scores) plus ``lambda * sum((w - w_hand)**2)``, so a weight leaves its
hand-set value only as far as many items ask for.  Weights stay in [0, 4] (a negative hand weight may stay negative).  No
word is added or removed, and patterns of other languages and the
language-independent ("any") ones are left as they are.

The strength ``lambda`` (and the class weighting) is chosen by two-fold
cross-validation *inside* dev: fit on one half of dev, score macro-F1 on the
other, both ways round.  Held-out items are skipped unread, as in
``topics_tune.py``; ``topics_quality.py`` then gives the honest figure.

Usage::

    python benchmarks/topics_fit.py                    # cross-validate, print the table
    python benchmarks/topics_fit.py --write FILE.toml  # also write the fitted weights
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from topics_quality import CLASSES, PREDICTED, dev_items, scores
from topics_tune import LinearScores

from dashboard.topics import default_tagger


class Fit:
    """The dev items as a sparse design matrix over the English patterns."""

    def __init__(self, lin: LinearScores, fitted: set[tuple[int, str]]) -> None:
        self.lin = lin
        self.keys = list(lin.columns)
        self.n_topics = len(lin.ids)
        rows, cols, vals = [], [], []
        for j, key in enumerate(self.keys):
            r, v = lin.columns[key]
            rows.append(r)
            cols.append(np.full(len(r), j))
            vals.append(v)
        n = len(lin.gold)
        self.X = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, len(self.keys))
        )
        self.topic = np.array([k[0] for k in self.keys])
        self.w0 = np.array([lin.weight[k] for k in self.keys])
        self.free = np.array([k in fitted and PREDICTED.get(lin.ids[k[0]]) is not None for k in self.keys])
        self.y = np.array([CLASSES.index(g) for g in lin.gold])
        # topic -> class index (or -1)
        self.cls = np.array([CLASSES.index(PREDICTED[t]) if t in PREDICTED else -1 for t in lin.ids])

    def topic_scores(self, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        W = sparse.csr_matrix((w, (np.arange(len(w)), self.topic)), shape=(len(w), self.n_topics))
        return np.asarray((self.X[rows] @ W).todense())

    def loss_grad(self, wf: np.ndarray, rows: np.ndarray, lam: float, cw: np.ndarray, tau: float):
        w = self.w0.copy()
        w[self.free] = wf
        S = self.topic_scores(w, rows) / tau
        n, k = len(rows), len(CLASSES)
        Z = np.full((n, k), -np.inf)
        for c in range(k):
            ts = np.flatnonzero(self.cls == c)
            Z[:, c] = np.logaddexp.reduce(S[:, ts], axis=1)
        Zmax = Z.max(1, keepdims=True)
        P = np.exp(Z - Zmax)
        P /= P.sum(1, keepdims=True)
        y = self.y[rows]
        a = cw[y]
        loss = -(a * np.log(P[np.arange(n), y] + 1e-12)).sum()
        dZ = P.copy()
        dZ[np.arange(n), y] -= 1.0
        dZ *= a[:, None]
        G = np.zeros_like(S)  # dL/dS
        for c in range(k):
            ts = np.flatnonzero(self.cls == c)
            q = np.exp(S[:, ts] - Z[:, [c]])  # share of each topic in its class' soft max
            G[:, ts] = dZ[:, [c]] * q
        G /= tau
        XG = self.X[rows].T @ G  # (keys, topics)
        grad = XG[np.arange(len(w)), self.topic]
        d = wf - self.w0[self.free]
        return loss / n + lam * (d @ d), grad[self.free] / n + 2 * lam * d

    def fit(self, rows: np.ndarray, lam: float, cw: np.ndarray, tau: float) -> np.ndarray:
        x0 = self.w0[self.free]
        res = minimize(
            self.loss_grad, x0, args=(rows, lam, cw, tau), jac=True, method="L-BFGS-B",
            bounds=[(min(0.0, v), max(4.0, v)) for v in x0], options={"maxiter": 300},
        )
        w = self.w0.copy()
        w[self.free] = res.x
        return w

    def macro(self, w: np.ndarray, rows: np.ndarray) -> float:
        S = self.topic_scores(w, rows)
        pred = [self.lin.predict(r) for r in S]
        return scores([(self.lin.gold[d], p) for d, p in zip(rows, pred)])[0]


def class_weights(y: np.ndarray, power: float) -> np.ndarray:
    counts = np.bincount(y, minlength=len(CLASSES)).astype(float)
    cw = (counts.mean() / np.maximum(counts, 1)) ** power
    return cw / (cw[y].mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lambdas", default="0.3,0.1,0.03,0.01,0.003")
    ap.add_argument("--powers", default="0,0.5,1")
    ap.add_argument("--tau", type=float, default=1.0)
    ap.add_argument("--round", type=float, default=0.5, help="round fitted weights to this step (0: no rounding)")
    ap.add_argument("--write", type=Path, help="write the fitted English weights to this TOML file")
    args = ap.parse_args()

    data = dev_items()
    tagger = default_tagger()
    index = {t.id: i for i, t in enumerate(tagger.topics)}
    en = {(index[t.id], p) for t in tagger.topics for p in t.keywords.get("en", {})}
    lin = LinearScores(tagger, data, [])
    fit = Fit(lin, en)
    halves = [
        np.array([d for d, (_, t) in enumerate(data) if int(hashlib.sha1(t.encode()).hexdigest(), 16) % 2 == h])
        for h in (0, 1)
    ]
    everything = np.arange(len(data))
    print(f"# {len(data)} dev items, {int(fit.free.sum())} English weights free; hand weights:"
          f" dev {fit.macro(fit.w0, everything):.4f}, halves {fit.macro(fit.w0, halves[0]):.4f}"
          f" / {fit.macro(fit.w0, halves[1]):.4f}")

    def rounded(w: np.ndarray) -> np.ndarray:
        return np.round(w / args.round) * args.round if args.round else w

    best = None
    for power in map(float, args.powers.split(",")):
        for lam in map(float, args.lambdas.split(",")):
            cv = []
            for a, b in ((0, 1), (1, 0)):
                cw = class_weights(fit.y[halves[a]], power)
                w = rounded(fit.fit(halves[a], lam, cw, args.tau))
                cv.append(fit.macro(w, halves[b]) - fit.macro(fit.w0, halves[b]))
            print(f"power {power:g} lambda {lam:g}: cross-validated gain {cv[0]:+.4f} / {cv[1]:+.4f}")
            if min(cv) > 0 and (best is None or sum(cv) > best[0]):
                best = (sum(cv), power, lam)
    if best is None:
        print("# no setting beats the hand weights on both folds")
        return
    _, power, lam = best
    w = rounded(fit.fit(everything, lam, class_weights(fit.y, power), args.tau))
    moved = [(fit.keys[j], fit.w0[j], w[j]) for j in np.flatnonzero(fit.w0 != w)]
    print(f"# chosen power {power:g} lambda {lam:g}: dev {fit.macro(w, everything):.4f}; {len(moved)} weights moved")
    if args.write:
        by_topic: dict[str, list[str]] = {}
        for (ti, pat), old, new in sorted(moved, key=lambda m: (m[0][0], m[0][1])):
            by_topic.setdefault(lin.ids[ti], []).append(f'"{pat}" = {new:g}   # was {old:g}')
        text = "\n\n".join(f"[topics.{t}.en]\n" + "\n".join(lines) for t, lines in by_topic.items())
        args.write.write_text(text + "\n", encoding="utf-8")
        print(f"# written to {args.write}")


if __name__ == "__main__":
    main()
