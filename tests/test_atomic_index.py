"""Atomic indexing: a build writes a new generation and switches only when it is complete."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from assistant.embed import FakeEmbeddings
from assistant.errors import NoIndexError
from assistant.index import generations
from assistant.index.store import Store
from assistant.service import Briefing
from tests.conftest import ROOT, run_cli

NEW_DOC = """---
id: fx-new
kind: notice
title: 追加の通知
issuer: テスト庁
date: 2024-01-01
source: https://example.invalid/new
---
## 本文
蛍光ペン照合という新しい確認手順を全窓口で始める。
"""


def _gen_dirs(store):
    return sorted(p.name for p in store.glob("gen-*"))


def _search_json(store, query):
    r = run_cli("search", query, "--format", "json", "--store", str(store))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["results"]


def test_each_build_is_a_new_generation_and_only_the_previous_one_is_kept(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    seen = []
    with Briefing(store_dir=store) as b:
        for _ in range(3):
            report = b.index([fixture_corpus], progress=False)
            seen.append(generations.current(store))
    assert len(set(seen)) == 3
    assert _gen_dirs(store) == sorted(seen[1:])      # the oldest is gone, previous + current stay
    assert report.added == 0 and report.unchanged == report.chunks   # vectors copied, not re-embedded


def test_an_unfinished_generation_is_ignored_by_readers_and_removed_by_the_next_build(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    with Briefing(store_dir=store) as b:
        b.index([fixture_corpus], progress=False)
    good = generations.current(store)
    (store / "gen-99999999T000000000-1").mkdir()        # what a killed build leaves behind
    (store / "gen-99999999T000000000-1" / "chunks.jsonl").write_text("{half", encoding="utf-8")
    with Store(store, FakeEmbeddings()) as s:
        assert s.generation == good and s.load().chunks
    with Briefing(store_dir=store) as b:
        b.index([fixture_corpus], progress=False)
    assert "gen-99999999T000000000-1" not in _gen_dirs(store)


def test_a_store_in_the_old_single_folder_layout_asks_for_a_rebuild_and_is_cleaned_up(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    store.mkdir()
    (store / "manifest.json").write_text('{"embedder": "fake-bigram"}', encoding="utf-8")
    (store / "chunks.jsonl").write_text("", encoding="utf-8")
    with Store(store, FakeEmbeddings()) as s, pytest.raises(NoIndexError) as err:
        s.load()
    assert "older version" in str(err.value)
    with Briefing(store_dir=store) as b:
        b.index([fixture_corpus], progress=False)
        assert b.search("公金受取口座")
    assert not (store / "manifest.json").exists() and not (store / "chunks.jsonl").exists()


# A build that is stopped for good at a chosen point: the test SIGKILLs it there.
_STALL = """
import pathlib, sys, time
import assistant.index.store as store_mod
point, marker = sys.argv[1], pathlib.Path(sys.argv[2])
def stall(*a, **k):
    marker.write_text("here")
    time.sleep(120)
if point == "embedding":
    from assistant.embed.fake import FakeEmbeddings
    real = FakeEmbeddings.embed_documents
    calls = []
    def slow(self, texts):
        calls.append(1)
        if len(calls) > 1:
            stall()
        return real(self, texts)
    FakeEmbeddings.embed_documents = slow
elif point == "bm25":
    store_mod.LexicalIndex.build = stall
elif point == "switch":
    store_mod.generations.switch = stall
from assistant.present.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("point", ["embedding", "bm25", "switch"])
def test_a_build_killed_midway_leaves_the_previous_index_working(tmp_path, fixture_corpus, point):
    corpus, store, marker = tmp_path / "corpus", tmp_path / "store", tmp_path / "marker"
    shutil.copytree(fixture_corpus, corpus)
    assert run_cli("index", "--corpus", str(corpus), "--store", str(store), "--quiet").returncode == 0
    before_gen = generations.current(store)
    before = _search_json(store, "公金受取口座の登録事務")
    # Enough new text (over 256 distinct chunk and sentence texts) that the build embeds in several batches.
    (corpus / "fx-new.md").write_text(NEW_DOC + "\n".join(
        f"## 節{i}\n" + "".join(f"手順{i}の{j}番目の確認結果を台帳に記録して担当者が照合する。" for j in range(3))
        for i in range(100)),
                                      encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", _STALL, point, str(marker), "index", "--corpus", str(corpus),
                             "--store", str(store), "--quiet"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the build never reached the kill point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    assert generations.current(store) == before_gen
    assert len(_gen_dirs(store)) == 2                   # the half-built generation is still on disk…
    after = _search_json(store, "公金受取口座の登録事務")   # …but readers never see it
    assert [(h["id"], h["score"]) for h in after] == [(h["id"], h["score"]) for h in before]
    assert all(h["doc_id"] != "fx-new" for h in _search_json(store, "蛍光ペン照合"))
    r = run_cli("index", "--corpus", str(corpus), "--store", str(store), "--quiet")
    assert r.returncode == 0, r.stderr
    assert _search_json(store, "蛍光ペン照合")[0]["doc_id"] == "fx-new"
    assert before_gen in _gen_dirs(store) and len(_gen_dirs(store)) == 2   # the killed build was removed


def test_a_corpus_with_a_broken_file_is_refused_whole_and_the_index_stays_as_it_was(tmp_path, fixture_corpus):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    shutil.copytree(fixture_corpus, corpus)
    assert run_cli("index", "--corpus", str(corpus), "--store", str(store), "--quiet").returncode == 0
    before_gen, before = generations.current(store), _search_json(store, "公金受取口座の登録事務")
    (corpus / "fx-new.md").write_text(NEW_DOC, encoding="utf-8")                  # a good new file …
    (corpus / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")        # … and a broken one
    (corpus / "notes.xlsx").write_bytes(b"PK\x03\x04")                            # … and one of no supported type
    r = run_cli("index", "--corpus", str(corpus), "--store", str(store), "--quiet")
    assert r.returncode == 2 and "broken.md" in r.stderr and "binary" in r.stderr
    assert "notes.xlsx" in r.stderr and "unsupported" in r.stderr
    assert generations.current(store) == before_gen and _gen_dirs(store) == [before_gen]
    assert _search_json(store, "公金受取口座の登録事務") == before
    assert all(h["doc_id"] != "fx-new" for h in _search_json(store, "蛍光ペン照合"))   # not half-indexed
