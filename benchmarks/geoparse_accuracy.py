"""Geoparsing accuracy on the shared gold corpora, scored by the shared scorer.

Why: the README's accuracy table must be reproducible with one command, and scored
by ``../shared/eval/score.py`` (not by our own code), with the conventions the
published tables use (``--match eupeg --gold-filter geocodable``; the sample
article with its ignore spans and the default ``--match overlap``).

How: for each corpus, run ``python -m dashboard geoparse --jsonl`` exactly as a
user would, write the predictions under ``--out`` and score them.  HIPE corpora
have no coordinates, so only recognition is reported for them (gold filter
``all``).  Every file in ``dev/`` (modern news in es, nl, de, it, fr; recognition
only, see ``dev/README.md``) is reported twice: ``--match eupeg`` and
``--match overlap``, both with gold filter ``all``.  ``--dev`` scores only the first half of LGL and GeoVirus, the half
whose errors were looked at while developing the rules; the second half was
never inspected.

Usage::

    python benchmarks/geoparse_accuracy.py [--eval ../shared/eval] [--out /tmp/geoparse-eval] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [
    # file, --match, --gold-filter, what is reported
    ("seed_de.jsonl", "overlap", "all", "both"),
    ("lgl.jsonl", "eupeg", "geocodable", "both"),
    ("geovirus.jsonl", "eupeg", "geocodable", "both"),
    ("hipe2020_de.jsonl", "eupeg", "all", "recognition"),
    ("hipe2020_fr.jsonl", "eupeg", "all", "recognition"),
]


def dev_corpora(eval_dir: Path) -> list[tuple[str, str, str, str]]:
    """Every file of ``dev/``, scored eupeg and overlap (recognition only, gold filter all)."""
    return [(f"dev/{p.name}", match, "all", "recognition")
            for p in sorted((eval_dir / "dev").glob("*.jsonl")) for match in ("eupeg", "overlap")]


def halves(src: Path, dst: Path, which: str) -> Path:
    lines = [ln for ln in src.read_text(encoding="utf-8").split("\n") if ln.strip()]
    half = len(lines) // 2
    part = lines[:half] if which == "dev" else lines[half:]
    dst.write_text("\n".join(part) + "\n", encoding="utf-8")
    return dst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--out", type=Path, default=Path("/tmp/geoparse-eval"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--split", choices=["all", "dev", "held-out"], default="all",
                    help="LGL and GeoVirus: all documents, the dev half or the held-out half")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    scorer = a.eval / "score.py"
    if not scorer.exists():
        print(f"no scorer at {scorer}; pass --eval DIR", file=sys.stderr)
        return 2
    rows = []
    done: set[Path] = set()
    for name, match, gold_filter, what in CORPORA + dev_corpora(a.eval):
        gold = a.eval / name
        if not gold.exists():
            continue
        if a.split != "all" and name in ("lgl.jsonl", "geovirus.jsonl"):
            gold = halves(gold, a.out / f"{a.split}_{name}", a.split)
        pred = a.out / f"pred_{gold.name}"
        if gold not in done:  # dev files are scored twice from one run
            done.add(gold)
            with pred.open("w", encoding="utf-8") as f:
                subprocess.run([sys.executable, "-m", "dashboard", "geoparse", "--jsonl", str(gold)], stdout=f,
                               stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
        out = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--match", match,
                              "--gold-filter", gold_filter, "--json"], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        r.update(corpus=name, match=match, gold_filter=gold_filter, reported=what)
        rows.append(r)
    if a.json:
        print(json.dumps(rows))
        return 0
    print(f"{'corpus':32} {'match':8} {'P':>6} {'R':>6} {'F1':>6} {'acc@161':>8} {'AUC':>6} {'median km':>9}")
    for r in rows:
        both = r["reported"] == "both"
        acc = f"{r['accuracy_at_161km']:.3f}" if both and r["accuracy_at_161km"] is not None else "-"
        auc = f"{r['auc']:.3f}" if both and r["auc"] is not None else "-"
        med = f"{r['median_error_km']:.1f}" if both and r["median_error_km"] is not None else "-"
        print(f"{r['corpus']:32} {r['match']:8} {r['recognition_precision']:6.3f} {r['recognition_recall']:6.3f} "
              f"{r['recognition_f1']:6.3f} {acc:>8} {auc:>6} {med:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
