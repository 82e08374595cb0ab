"""The optional LLM over real HTTP: `BRIEFING_LLM=openai:MODEL@http://127.0.0.1:PORT/v1` through
langchain-openai against a scripted OpenAI-compatible server on loopback (tests/llm_server.py).

A faithful rewrite is used; an invented claim is dropped by the faithfulness gate; a 500, a hang, a
server that never finishes, malformed JSON and a closed port each keep the extractive answer, say so
in `llm_status` / `llm_notice`, and take no longer than the configured timeout plus one second beyond
the extractive answer itself.
"""
from __future__ import annotations

import json
import time

import pytest

from assistant.settings import get_settings
from tests.llm_server import INVENTED, scripted_server

pytest.importorskip("langchain_openai", reason="the llm extra (langchain-openai) is not installed")

QUESTION = "公金受取口座の誤登録は市の責任ですか？"
MODEL = "city-llm"


@pytest.fixture
def server():
    with scripted_server() as s:
        yield s


def configure(monkeypatch, url: str, timeout: float) -> None:
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(key, raising=False)   # loopback is reached directly
    monkeypatch.setenv("BRIEFING_LLM", f"openai:{MODEL}@{url}")
    monkeypatch.setenv("BRIEFING_LLM_TIMEOUT", str(timeout))
    get_settings.cache_clear()


@pytest.fixture
def llm_briefing(monkeypatch, server, fixture_corpus):
    """Build the Briefing after the LLM is configured (each test sets mode and timeout first)."""
    made = []

    def make(mode: str = "faithful", timeout: float = 10.0, url: str | None = None):
        from assistant.service import Briefing
        server.mode = mode
        configure(monkeypatch, url or server.url, timeout)
        b = Briefing()
        b.index([fixture_corpus], progress=False)
        made.append(b)
        return b
    yield make
    for b in made:
        b.close()


def timed_ask(b, question: str = QUESTION):
    """The answer, and the seconds the LLM step added on top of the extractive answer."""
    composer = b.composer
    real, spent = composer.base.ask, {}

    def base_ask(*a, **kw):
        t0 = time.monotonic()
        try:
            return real(*a, **kw)
        finally:
            spent["base"] = time.monotonic() - t0
    composer.base.ask = base_ask
    t0 = time.monotonic()
    ans = b.ask(question)
    return ans, time.monotonic() - t0 - spent["base"]


def extractive(b, question: str = QUESTION):
    return b.composer.base.ask(question, history=[], filters=None)


def test_llm_is_off_by_default(briefing):
    assert get_settings().llm == ""
    assert type(briefing.composer).__name__ == "ExtractiveComposer"
    assert "llm_status" not in briefing.ask(QUESTION).model_dump()


def test_a_faithful_rewrite_is_used(llm_briefing, server):
    b = llm_briefing("faithful")
    ans = b.ask(QUESTION)
    assert ans.llm_status == "used" and ans.composer.startswith("llm")
    assert "言語モデルが引用資料だけをもとに書き直したもの" in ans.llm_notice
    [request] = server.requests
    assert request["model"] == MODEL and "<根拠資料>" in request["messages"][-1]["content"]
    rewritten = ans.sections[-1]
    assert rewritten.heading == "説明" and len(rewritten.sentences) >= 2
    quotes = " ".join(c.quote for c in ans.citations)
    assert all(s.text.rstrip("。") in quotes for s in rewritten.sentences)    # word for word from the passages
    assert ans.summary == extractive(b).summary                              # the verdict stays the composer's


def test_an_invented_claim_is_dropped_by_the_faithfulness_gate(llm_briefing):
    b = llm_briefing("invented")
    ans = b.ask(QUESTION)
    assert ans.llm_status == "used" and "裏付けられない文 1 件は除きました" in ans.llm_notice
    assert INVENTED not in ans.answer and all(INVENTED not in s.text for sec in ans.sections for s in sec.sentences)
    assert len(ans.sections[-1].sentences) >= 2


def test_a_reply_of_invented_claims_only_keeps_the_extractive_answer(llm_briefing):
    b = llm_briefing("fabricated")
    ans = b.ask(QUESTION)
    assert ans.llm_status == "rejected" and "資料で裏付けられなかった" in ans.llm_notice
    assert INVENTED not in ans.answer and ans.answer == extractive(b).answer


@pytest.mark.parametrize("mode, status, notice", [
    ("error", "error", "エラーを返したため（HTTP 500）"),
    ("slow", "timeout", "1 秒以内に応答しなかった"),
    ("trickle", "timeout", "1 秒以内に応答しなかった"),
    ("malformed", "malformed", "応答を読み取れなかった"),
])
@pytest.mark.timeout(120)
def test_a_failing_endpoint_keeps_the_extractive_answer_within_the_timeout(llm_briefing, server, mode, status,
                                                                         notice):
    b = llm_briefing(mode, timeout=1.0)
    ans, llm_seconds = timed_ask(b)
    assert server.requests                                       # the endpoint was really asked, over HTTP
    assert ans.llm_status == status and notice in ans.llm_notice
    assert ans.composer == f"extractive (LLM {status})"
    plain = extractive(b)
    assert (ans.answer, ans.summary, ans.citations) == (plain.answer, plain.summary, plain.citations)
    assert llm_seconds <= 1.0 + 1.0, f"the LLM step took {llm_seconds:.2f} s with a 1 s timeout"
    assert len(server.requests) == 1                             # no retries


def test_a_closed_port_is_reported_as_unreachable(llm_briefing):
    import socket
    with socket.socket() as s:    # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = llm_briefing(url=f"http://127.0.0.1:{port}/v1", timeout=1.0)
    ans = b.ask(QUESTION)
    assert ans.llm_status == "unreachable" and "接続できなかった" in ans.llm_notice
    assert ans.answer == extractive(b).answer


def test_the_answer_json_carries_the_llm_status_and_keeps_its_fields(monkeypatch, server, fixture_corpus, capsys):
    from assistant.present.cli import main
    assert main(["index", "--corpus", str(fixture_corpus), "--quiet"]) == 0
    server.mode = "error"
    configure(monkeypatch, server.url, 1.0)
    capsys.readouterr()
    assert main(["ask", QUESTION, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("question", "summary", "answer", "abstained", "coverage", "responsibility", "cause", "citations",
                "timings_ms", "as_of"):
        assert key in out
    assert out["llm_status"] == "error" and "HTTP 500" in out["llm_notice"] and out["citations"]


def test_an_abstained_answer_does_not_call_the_llm(llm_briefing, server):
    b = llm_briefing("faithful")
    ans = b.ask("明日の天気と株価の見通しを教えてください")
    assert ans.abstained and ans.llm_status == "not_needed" and ans.llm_notice == ""
    assert server.requests == []


def test_the_chat_page_shows_the_notice(monkeypatch, tmp_path, server, server_address):
    from tests.app_support import app_environment, clear_caches, run_app
    server_address("127.0.0.1")
    app_environment(monkeypatch, tmp_path)
    server.mode = "error"
    configure(monkeypatch, server.url, 1.0)
    try:
        at = run_app()
        at.chat_input[0].set_value(QUESTION).run()
        assert not at.exception
        assert any("言語モデルがエラーを返したため（HTTP 500）" in c.value for c in at.caption)
        assert any("[1]" in m.value for m in at.markdown)      # the extractive answer is shown all the same
    finally:
        clear_caches()
