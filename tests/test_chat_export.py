"""The chat conversation saved as .docx / .md for the mayor's briefing folder (チャット page, 会話を保存)."""
from __future__ import annotations

import io

import pytest
from docx import Document

from assistant.present.chat_export import conversation, export_bytes
from assistant.present.press_export import UNRECORDED

QUESTIONS = ["公金受取口座の誤登録は市の責任ですか？", "保険証の紐付け誤りはなぜ起きたのか"]


@pytest.fixture
def turns(briefing):
    """Two answered questions and one that failed, as the chat page keeps them."""
    out = [{"question": q, "answer": briefing.ask(q), "error": None} for q in QUESTIONS]
    out.insert(1, {"question": "（空の質問）", "answer": None, "error": "質問が空です。"})
    return out


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))   # opens: a valid Word file
    return "\n".join(p.text for p in doc.paragraphs)


def test_the_docx_holds_the_questions_answers_and_sources(turns):
    text = docx_text(export_bytes(turns, "docx"))
    assert text.startswith("ブリーフィング記録") and UNRECORDED in text
    assert f"問1　{QUESTIONS[0]}" in text and f"問2　{QUESTIONS[1]}" in text and "（空の質問）" not in text
    for t in (turns[0], turns[2]):
        ans = t["answer"]
        first = ans.sections[0].sentences[0]
        assert first.text in text                                       # the answer
        assert f"[1] {ans.citations[0].title}" in text                  # its sources …
        assert ans.citations[0].quote.splitlines()[0] in text           # … with the passage quoted
    assert "承認済み" not in text and "SHA-256" not in text             # no approval record: none was given


def test_the_markdown_holds_the_same(turns):
    md = export_bytes(turns, "md").decode("utf-8")
    ans = turns[0]["answer"]
    assert md.startswith("# ブリーフィング記録\n") and f"## 問1　{QUESTIONS[0]}" in md
    assert f"- [1] {ans.citations[0].title}" in md and f"  > {ans.citations[0].quote.splitlines()[0]}" in md
    assert "承認記録" not in md


def test_an_abstained_answer_is_written_as_such(briefing):
    q = "明日の天気と株価の見通しを教えてください"
    ans = briefing.ask(q)
    assert ans.abstained
    draft = conversation([{"question": q, "answer": ans}])
    assert draft.items[0].answer == ans.summary and not draft.items[0].citations


# ---- the chat page
@pytest.fixture
def app(monkeypatch, tmp_path, server_address):
    from tests.app_support import app_environment, capture_downloads, clear_caches
    server_address("127.0.0.1")
    app_environment(monkeypatch, tmp_path)
    yield capture_downloads(monkeypatch)
    clear_caches()


def test_the_chat_page_offers_word_and_markdown_after_a_question(app):
    from tests.app_support import run_app
    downloads = app
    at = run_app()
    assert not at.get("download_button") and not downloads         # nothing to save yet
    at.chat_input[0].set_value(QUESTIONS[0]).run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Word で保存", "Markdown で保存"]
    assert "会話を保存" in [h.value for h in at.sidebar.subheader]
    [docx] = [v for k, v in downloads.items() if k.startswith("ブリーフィング記録_") and k.endswith(".docx")]
    [md] = [v for k, v in downloads.items() if k.startswith("ブリーフィング記録_") and k.endswith(".md")]
    text = docx_text(docx)
    assert f"問1　{QUESTIONS[0]}" in text and "出典" in text and "[1] " in text
    assert f"## 問1　{QUESTIONS[0]}" in md.decode("utf-8")

    downloads.clear()
    at.chat_input[0].set_value(QUESTIONS[1]).run()                  # the file grows with the conversation
    [docx] = [v for k, v in downloads.items() if k.endswith(".docx")]
    assert f"問2　{QUESTIONS[1]}" in docx_text(docx)
