"""Fit the supporting-sentence ranker (assistant/compose/ranking.py) on the dev sets' key points.

    .venv/bin/python evals/fit_ranker.py            # the leave-one-set-out report
    .venv/bin/python evals/fit_ranker.py --write    # … then fit on every dev set and write ranker.json

Every dev set (evals/dev_*.yaml and evals/cases.yaml; never evals/holdout.yaml) is asked with the
built index. For each in-scope case the candidate pool of its answer is recorded; a candidate is a
positive when it holds a key point the summary left out. A logistic regression (classes balanced)
over the ranking features is fitted on all sets. The report fits once per set on the others and
counts, for that set, the key points six sentences chosen from the pool would cover (the same
diversity rule as the composer, word overlap only) with the shipped weights and the refitted ones.
That count is a proxy: before writing new weights, run `briefing eval` on every dev set with them
(on 2026-12-06 the proxy said +2 % where four older dev sets and the holdout lost 3–5 points).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.compose import ranking, recall  # noqa: E402
from assistant.compose.evidence import mmr  # noqa: E402
from assistant.compose.params import DEFAULT  # noqa: E402
from assistant.normalize import normalize  # noqa: E402


@dataclass
class Pool:
    set: str
    x: np.ndarray            # feature rows
    holds: list[set[int]]    # per candidate: the left-out key points it holds
    cands: list              # the candidates (text and tokens, for the diversity rule)
    said: tuple[str, ...]    # the summary's sentences
    left: int                # key points the summary left out


def dev_sets(root: Path = ROOT) -> list[Path]:
    files = sorted((root / "evals").glob("dev_*.yaml")) + [root / "evals" / "cases.yaml"]
    return [f for f in files if f.name != "holdout.yaml" and f.is_file()]


def record(briefing, files: list[Path]) -> list[Pool]:
    from assistant.evaluate.cases import load_cases
    from assistant.compose.turn import answer_recall, trained_classifier
    pools = []
    for f in files:
        # the recalled statements of a set's own questions are its key points: leave the set out
        with recall.left_out(f.stem):
            briefing.composer.recall = answer_recall(briefing.store)
            briefing.composer.classifier = trained_classifier(briefing.store, briefing.composer.params)
        for case in load_cases(f):
            if case.out_of_scope or not case.expect or not case.expect.key_points:
                continue
            with ranking.recording() as rec:
                ans = briefing.ask(case.question, history=case.history, audit=False)
            if not rec or ans.coverage == "none":
                continue
            summary = normalize(ans.summary or "")
            left = [kp for kp in case.expect.key_points if not any(normalize(p) in summary for p in kp)]
            cands = rec[-1]
            if not cands:
                continue
            holds = [{i for i, kp in enumerate(left) if any(normalize(p) in normalize(c.text) for p in kp)} for c in cands]
            said = tuple(s.text for s in ans.sections[0].sentences) if ans.sections else ()
            pools.append(Pool(f.stem, np.vstack([c.features for c in cands]), holds, cands, said, len(left)))
    return pools


def covered(pool: Pool, scores: np.ndarray, k: int) -> int:
    for c, s in zip(pool.cands, scores):
        c.score = float(s)
    index = {id(c): i for i, c in enumerate(pool.cands)}
    chosen = mmr(list(pool.cands), k=k, lam=DEFAULT.mmr_lambda, max_sim=DEFAULT.mmr_max_sim, said=pool.said,
                 cos_base=DEFAULT.mmr_cos_base)
    return len(set().union(*[pool.holds[index[id(c)]] for c in chosen]))


def stack(pools: list[Pool]) -> tuple[np.ndarray, np.ndarray]:
    return (np.vstack([p.x for p in pools]),
            np.concatenate([[1 if h else 0 for h in p.holds] for p in pools]))


def scores(r: ranking.Ranker, x: np.ndarray) -> np.ndarray:
    return r.bias + x @ np.array(r.weights)


def report(pools: list[Pool], c: float, k: int) -> dict:
    """Per set: key points left out of the summary, held by some candidate, covered with the shipped
    weights, and covered with weights refitted without that set (None when no other set can be fitted)."""
    shipped = ranking.Ranker.from_dict(ranking.shipped())
    out = {}
    for name in sorted({p.set for p in pools}):
        test = [p for p in pools if p.set == name]
        x, y = stack([p for p in pools if p.set != name]) if len(pools) > len(test) else (None, [])
        other = ranking.fit(x, y, c=c) if len(set(y)) == 2 else None
        out[name] = {"left_out": sum(p.left for p in test),
                     "in_pool": sum(len(set().union(*p.holds)) for p in test),
                     "shipped": sum(covered(p, scores(shipped, p.x), k) for p in test),
                     "refit_without_this_set": sum(covered(p, scores(other, p.x), k) for p in test) if other else None}
    return out


def _row(name: str, r: dict) -> str:
    loso = "–" if r["refit_without_this_set"] is None else str(r["refit_without_this_set"])
    return f"{name:14s} {r['left_out']:8d} {r['in_pool']:8d} {r['shipped']:8d} {loso:>11s}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="after the report, fit on every set and write the weights")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--out", type=Path, default=ranking.WEIGHTS)
    ap.add_argument("--sets", type=Path, nargs="+", help="case files (default: every dev set)")
    ap.add_argument("--store", help="the index to ask (default: the settings' store)")
    args = ap.parse_args(argv)
    from assistant.service import Briefing
    files = args.sets or dev_sets()
    if any(f.name == "holdout.yaml" for f in files):
        ap.error("the frozen holdout is never fitted on")
    with Briefing(store_dir=args.store) as b:
        b.ensure_index()
        pools = record(b, files)
    k = DEFAULT.max_support
    rep = report(pools, args.c, k)
    print(f"{'set':14s} {'left out':>8s} {'in pool':>8s} {'shipped':>8s} {'refit(LOSO)':>11s}")
    for name, r in rep.items():
        print(_row(name, r))
    tot = {key: (None if any(r[key] is None for r in rep.values()) else sum(r[key] for r in rep.values()))
           for key in next(iter(rep.values()), {})}
    if tot:
        print(_row("all", tot))
    if not args.write:
        return 0
    x, y = stack(pools) if pools else (None, [])
    if len(set(y)) < 2:
        print("no sentence holds a left-out key point (or every one does): nothing to fit", file=sys.stderr)
        return 1
    r = ranking.fit(x, y, c=args.c)
    doc = {**r.as_dict(), "fitted": {"on": [f.name for f in files], "cases": len(pools),
                                     "sentences": int(sum(len(p.cands) for p in pools)), "c": args.c,
                                     "date": dt.date.today().isoformat(), "leave_one_set_out": tot}}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
