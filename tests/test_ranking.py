"""Ranking components: phrase overlap, best-sentence similarity, statute references, the asking frame."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from assistant.chunk.splitter import Chunker
from assistant.embed import FakeEmbeddings
from assistant.index.sentences import SentenceIndex
from assistant.index.store import Store
from assistant.retrieve import Searcher
from assistant.retrieve.hybrid import asked_about, carries_content
from assistant.retrieve.phrases import flat, grams, phrase_overlap
from assistant.retrieve.sentence_match import SentenceMatcher
from assistant.retrieve.structure import StructureMatcher, law_names, parse_refs
from assistant.values import DocMeta, Document


# ------------------------------------------------------------------ the asking frame
@pytest.mark.parametrize("question, content", [
    ("次のうち、正しいものを教えてください。", False),
    ("次の選択肢のうち、正しいものを教えてください。", False),
    ("次のうち、誤っているものを教えてください。", False),
    ("次のうち、敷金について正しいものを教えてください。", True),
    ("金融商品取引法第168条に違反する行為を教えてください。", True),
    ("公金受取口座の誤登録は市の責任か", True),
])
def test_a_bare_prompt_carries_no_content(question, content):
    assert carries_content(question) is content


def test_the_asking_frame_is_removed_and_the_topic_kept():
    assert asked_about("次のうち、借地権について誤っているものを教えてください。") == "借地権について"


# ------------------------------------------------------------------ phrase overlap
def test_the_text_holding_the_questions_wording_verbatim_scores_highest():
    texts = [flat("法第二十七条の二第一項に規定する有償の譲受けに類するものとして政令で定めるもの"),
             flat("買付けその他の有償の譲受けをいう。これに類する取引を含む。"),
             flat("公開買付期間の末日の翌日に公告しなければならない。")]
    s = phrase_overlap("有償の譲受けに類するものとして政令に定めるもの", texts)
    assert s[0] > s[1] > s[2] == 0.0


def test_wording_every_candidate_shares_counts_for_little():
    common = "公益又は投資者保護のため必要かつ適当なものとして"
    query = common + "届出書提出外国会社"
    texts = [flat(common + "届出書提出外国会社が提出する書類"), flat(common + "内閣府令で定める期間"),
             flat(common + "政令で定める金額")]
    s = phrase_overlap(query, texts)
    share_by_length = len(grams(query, 5) & grams(texts[1], 5)) / len(grams(query, 5))
    assert s[0] == pytest.approx(1.0) and max(s[1], s[2]) < share_by_length - 0.05


def test_full_width_and_kanji_numerals_match_their_half_width_forms():
    assert grams("第２７条", 4) == grams("第二十七条", 4) == grams("第27条", 4)
    assert phrase_overlap("第２７条の規定", [flat("第二十七条の規定による")], n=4)[0] == pytest.approx(1.0)


def test_a_query_shorter_than_n_scores_nothing():
    assert phrase_overlap("条文", [flat("条文の説明")]).tolist() == [0.0]


# ------------------------------------------------------------------ best sentence
def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_chunk_is_as_close_as_its_closest_sentence():
    keys = [("a", 0, 10), ("a", 10, 20), ("b", 0, 10)]
    index = SentenceIndex(keys, np.stack([_unit([1, 0, 0]), _unit([0, 1, 0]), _unit([1, 1, 0])]))
    best = SentenceMatcher(index).best([0, 2, 0], n=5)   # unnormalised query: cosine all the same
    assert best["a"] == pytest.approx(1.0) and best["b"] == pytest.approx(np.sqrt(0.5))
    assert list(SentenceMatcher(index).best([0, 1, 0], n=1)) == ["a"]
    assert SentenceMatcher(None).best([1, 0, 0], n=5) == {}


def _doc(doc_id: str, title: str, body: str) -> Document:
    meta = DocMeta(id=doc_id, kind="statute", title=title, issuer="国会", date=dt.date(2024, 1, 1),
                   source="https://laws.e-gov.go.jp/")
    return Document(meta=meta, body=body, path="")


QUESTION = "医療機器の製造業者が遵守すべき事項は厚生労働大臣が定める。"


@pytest.fixture
def statute_store(tmp_path):
    # a: one sentence says what the question says, drowned in unrelated text; b: close wording throughout
    filler = "".join(f"第{n}号に掲げる書類の様式は別に告示で示すところによる。" for n in range(1, 9))
    docs = [_doc("law-a", "医薬品医療機器等法", f"## 第23条の2の15\n{filler}{QUESTION}{filler}"),
            _doc("law-b", "医薬品医療機器等法", "## 第18条\n医療機器の製造販売業者が遵守すべき事項を定める。")]
    store = Store(tmp_path / "s", FakeEmbeddings())
    store.build(docs, Chunker(2000, 80), progress=False)
    yield store
    store.close()


def test_the_best_sentence_lifts_a_long_chunk_that_holds_the_answer(statute_store):
    dense_only = (1.0, 0.0, 0.0, 0.0)
    with_sentences = Searcher(statute_store).search(QUESTION, k=2, weights=dense_only)
    chunk_only = Searcher(statute_store, sentence_scores=False).search(QUESTION, k=2, weights=dense_only)
    assert chunk_only[0].chunk.doc_id == "law-b"          # the chunk vectors alone prefer b
    assert with_sentences[0].chunk.doc_id == "law-a"      # a's own sentence is the question


def test_phrase_weight_is_part_of_the_default_fusion(statute_store):
    s = Searcher(statute_store)
    assert len(s.weights) == 4 and s.weights[3] > 0
    no_phrase = s.search(QUESTION, k=2, weights=s.weights[:3])
    with_phrase = s.search(QUESTION, k=2)
    top = {h.chunk.doc_id: h.score for h in with_phrase}
    base = {h.chunk.doc_id: h.score for h in no_phrase}
    assert top["law-a"] - base["law-a"] > top["law-b"] - base["law-b"]   # a holds the wording verbatim


# ------------------------------------------------------------------ statute references
@pytest.mark.parametrize("text, article, paragraph", [
    ("第三十七条の二", "37の2", None),
    ("施行令第5条", "5", None),
    ("第２条の１２第１項", "2の12", 1),
    ("法第二十七条の二十二の二第一項第二号", "27の22の2", 1),
])
def test_article_references_are_read_whole(text, article, paragraph):
    (ref,) = parse_refs(text)
    assert (ref.article, ref.paragraph) == (article, paragraph)


def test_a_regulation_is_a_law_name_of_its_own():
    assert law_names("金融商品取引法施行令第2条の12") == {"金融商品取引法施行令"}
    assert law_names("施行令第5条") == {"施行令"}


def test_the_law_named_before_an_article_decides_between_act_and_order(tmp_path):
    docs = [_doc("act", "金融商品取引法", "## 金融商品取引法\n### 第2条の12\n有価証券の定義に関する規定。"),
            _doc("order", "金融商品取引法施行令", "## 金融商品取引法施行令\n### 第2条の12\n取得勧誘に関する規定。")]
    store = Store(tmp_path / "s", FakeEmbeddings())
    try:
        store.build(docs, Chunker(600, 80), progress=False)
        m = StructureMatcher(store.ordered_chunks())
        by_doc = lambda q: {store.chunks[c].doc_id: s for c, s in m.scores(q).items()}   # noqa: E731
        order_q = by_doc("金融商品取引法施行令第２条の１２に定める取得勧誘")
        act_q = by_doc("金融商品取引法第二条の十二")
        assert order_q["order"] > order_q["act"] and act_q["act"] > act_q["order"]
    finally:
        store.close()


def test_a_masked_my_number_is_not_embedded():
    from assistant.privacy import mask_my_number
    from assistant.retrieve.hybrid import dense_text
    masked = mask_my_number("番号123456789018の人の公金受取口座の誤登録は市の責任ですか？")
    assert "*" in masked and "*" not in dense_text(masked)
    assert dense_text(masked) == "番号 の人の公金受取口座の誤登録は市の責任ですか？"
