"""Smoke run of the retrieval benchmark: 5 lawqa_jp questions, their documents + 20 distractors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "retrieval.py"
DATA = REPO.parent / "shared" / "external" / "lawqa_jp" / "selection.json"
METHODS = {"dense", "bm25", "hybrid", "hybrid-no-structure", "hybrid-no-phrase", "naive-baseline"}


@pytest.mark.integration
@pytest.mark.timeout(180)
def test_retrieval_benchmark_smoke(tmp_path):
    if not DATA.is_file():
        pytest.skip(f"lawqa_jp data not available at {DATA}")
    out = tmp_path / "retrieval.json"
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_EMBEDDER"}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--limit", "5", "--out", str(out), "--no-cache"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| hybrid |" in proc.stdout

    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["questions"] == 5
    assert set(payload["methods"]) == METHODS
    for name, m in payload["methods"].items():
        for key in ("recall@1", "recall@5", "mrr"):
            assert 0.0 <= m[key] <= 1.0, (name, key, m[key])
        assert m["recall@1"] <= m["recall@5"]
        assert m["latency_ms"]["p50"] > 0
    for side in ("store", "naive-baseline"):
        ix = payload["indexing"][side]
        assert ix["chunks"] > 0 and ix["seconds"] > 0 and ix["docs_per_s"] > 0
    # the reported ratio is the table's own hybrid / naive MRR, not a number from elsewhere
    naive = payload["methods"]["naive-baseline"]["mrr"]
    if naive > 0:
        assert payload["hybrid_over_naive_mrr"] == pytest.approx(payload["methods"]["hybrid"]["mrr"] / naive, abs=0.01)


@pytest.mark.timeout(180)
def test_retrieval_benchmark_views_misses_and_cache_with_the_fake_embedder(tmp_path):
    if not DATA.is_file():
        pytest.skip(f"lawqa_jp data not available at {DATA}")
    out, cache = tmp_path / "retrieval.json", tmp_path / "cache"
    cmd = [sys.executable, str(SCRIPT), "--limit", "8", "--distractors", "5", "--embedder", "fake",
           "--cache", str(cache), "--out", str(out)]
    runs = []
    for _ in range(2):
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=170)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs.append(json.loads(out.read_text(encoding="utf-8")))
    first, second = runs
    assert first["embedding_cache"]["misses"] > 0 and second["embedding_cache"]["misses"] == 0
    ranks = lambda run: {v: {m: (s["recall@1"], s["recall@5"], s["mrr"]) for m, s in view["methods"].items()}  # noqa: E731
                         for v, view in run["views"].items()}
    assert ranks(second) == ranks(first)          # the cache returns the vectors it stored
    views = second["views"]
    assert set(views) == {"all", "content", "options"}
    assert views["content"]["questions"] == second["content_rule"]["selected"] < views["all"]["questions"] == 8
    for view in views.values():
        assert set(view["methods"]) == METHODS
    # every item the hybrid searcher does not place first is listed, with a reason
    hybrid_misses = [q for q in second["per_question"] if q["ranks"]["question"]["hybrid"] != 1]
    assert [m["index"] for m in second["misses"]["hybrid"]] == [q["index"] for q in hybrid_misses]
    assert all(m["why"] for m in second["misses"]["hybrid"])
    assert "| # | rank | right document |" in proc.stdout


@pytest.mark.timeout(180)
def test_reliability_benchmark_smoke(tmp_path):
    out = tmp_path / "reliability.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "reliability.py"), "--embedder", "fake",
                           "--rounds", "1", "--corpus", str(REPO / "tests" / "fixtures" / "corpus"), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["threads"]["same_answers"] is True
    assert res["audit"]["entries"] == res["questions"] and res["audit"]["ratio"] > 0
    assert 0 < res["rebuild"]["ratio"] and "| index build |" in proc.stdout


@pytest.mark.timeout(300)
def test_ask_latency_benchmark_answers_every_dev_question_of_the_checkout_it_is_given(indexed_store, tmp_path):
    """`benchmarks/ask_latency.py CHECKOUT` runs that checkout's package on the index BRIEFING_STORE names."""
    script = REPO / "benchmarks" / "ask_latency.py"
    env = {**os.environ, "BRIEFING_STORE": str(indexed_store), "BRIEFING_EMBEDDER": "fake"}
    proc = subprocess.run([sys.executable, str(script), str(REPO)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=290)
    assert proc.returncode == 0, proc.stderr[-3000:]
    from assistant.evaluate.cases import load_cases
    asks = len(load_cases(REPO / "evals" / "cases.yaml"))
    assert f"{REPO}: {asks} asks, p50 " in proc.stdout
    total = float(proc.stdout.split("total ")[1].split(" s")[0])
    assert total > 0
