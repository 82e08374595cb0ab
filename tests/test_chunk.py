import datetime as dt

from assistant.chunk import Chunker, split_sentences
from assistant.values import DocMeta, Document


def _doc(body: str, **meta) -> Document:
    m = DocMeta(id=meta.pop("id", "doc-a"), kind="analysis", title="テスト文書", issuer="テスト",
                date=dt.date(2023, 11, 14), source="https://example.invalid", **meta)
    return Document(meta=m, body=body)


def test_sentences_end_at_japanese_enders_and_keep_brackets_whole():
    text = "彼は「本人から取得する。J-LISは例外だ。」と述べた。次の文です！本当に？　最後の文"
    assert split_sentences(text) == ["彼は「本人から取得する。J-LISは例外だ。」と述べた。", "次の文です！", "本当に？", "最後の文"]


def test_sentences_are_verbatim_substrings():
    text = "第一文。（注：括弧内。）第二文」終わり。\n改行後の文"
    for s in split_sentences(text):
        assert s in text


def test_headings_become_heading_paths_and_sections_stay_apart():
    body = "## 概要\n公金受取口座の話である。\n\n## 原因\nログアウト忘れが原因である。\n"
    chunks = Chunker(600, 80)(_doc(body))
    assert [c.heading_path for c in chunks] == [("概要",), ("原因",)]
    assert chunks[1].text == "ログアウト忘れが原因である。"


def test_small_child_sections_merge_into_their_article_and_give_a_locator():
    body = "## 金融商品取引法\n### 第5条\n#### 第6項\n本文の項である。\n##### 第2号\n号の本文である。\n### 第24条\n別の条である。\n"
    chunks = Chunker(600, 80)(_doc(body))
    assert chunks[0].locator == "第5条第6項"
    assert "号の本文" in chunks[0].text
    assert chunks[1].locator == "第24条"


def test_long_sections_are_packed_by_sentence_with_overlap():
    sentences = [f"これは{i}番目の文であり、紐付け誤りの説明を続けている。" for i in range(40)]
    chunks = Chunker(200, 60)(_doc("## 長い節\n" + "".join(sentences)))
    assert len(chunks) > 3
    assert all(len(c.text) <= 200 for c in chunks)
    for a, b in zip(chunks, chunks[1:]):  # overlap: the next chunk starts with the previous one's tail
        assert b.text.split("。")[0] + "。" in a.text
    for c in chunks:  # no sentence is cut in the middle
        assert c.text.endswith("。")


def test_chunk_ids_are_content_hashes():
    body = "## 概要\n同じ本文。\n"
    a, b = Chunker()(_doc(body)), Chunker()(_doc(body))
    assert [c.id for c in a] == [c.id for c in b]
    changed = Chunker()(_doc(body.replace("同じ", "違う")))
    assert changed[0].id != a[0].id
    assert a[0].id.startswith("doc-a#")
