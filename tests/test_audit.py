"""The audit trail: every ask is chained; any edit, reordering or deletion is reported."""
from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from assistant.audit import AuditError, AuditLog, verify
from assistant.errors import QueryError
from assistant.service import Briefing
from assistant.settings import get_settings
from tests.conftest import ROOT, run_cli

# 12 digits whose last digit is the official check digit of the first 11 (worked out in test_privacy).
MY_NUMBER = "1234 5678 9018"


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def asked(briefing):
    """Three asks through the service, one of them refused."""
    briefing.ask(f"{MY_NUMBER} の公金受取口座の誤登録は市の責任か", channel="app", user="広報課 山田")
    briefing.ask("保険証の紐付け誤りの原因は")
    with pytest.raises(QueryError):
        briefing.ask("   ")
    return get_settings().audit_log


def test_every_ask_is_recorded_masked_with_actors_and_cited_ids(asked):
    entries = AuditLog(asked).entries()
    assert [e["seq"] for e in entries] == [1, 2, 3]
    first = entries[0]
    assert first["channel"] == "app" and first["user"] == "広報課 山田"
    assert "************" in first["question"] and "9018" not in asked.read_text(encoding="utf-8")
    assert first["summary"] and first["actors"] and first["citations"]
    assert all("#" in c for c in first["citations"])          # chunk ids, the exact passages
    assert entries[1]["channel"] == "api" and entries[1]["user"] is None
    assert entries[2]["error"] and "summary" not in entries[2]
    assert entries[1]["prev"] == entries[0]["hash"] and entries[0]["prev"] == "0" * 64
    assert verify(asked).ok and verify(asked).entries == 3


def test_an_edited_entry_is_reported(asked):
    lines = _lines(asked)
    e = json.loads(lines[1])
    e["summary"] = "市に全責任がある。"
    lines[1] = json.dumps(e, ensure_ascii=False)
    asked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = verify(asked).problems
    assert problems and "seq 2" in problems[0] and "edited" in problems[0]


def test_reordered_entries_are_reported(asked):
    lines = _lines(asked)
    lines[0], lines[1] = lines[1], lines[0]
    asked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert any("reordered" in p or "missing" in p for p in verify(asked).problems)


def test_a_deleted_entry_is_reported(asked):
    lines = _lines(asked)
    asked.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    assert any("entries 2–2 are missing" in p for p in verify(asked).problems)


def test_entries_cut_off_the_end_are_reported(asked):
    asked.write_text("\n".join(_lines(asked)[:2]) + "\n", encoding="utf-8")
    assert any("head names seq 3" in p for p in verify(asked).problems)


def test_a_deleted_log_or_head_is_reported(asked):
    head = asked.with_name(asked.name + ".head")
    head.unlink()
    assert any("missing" in p for p in verify(asked).problems)
    head.write_text("{}", encoding="utf-8")
    asked.unlink()
    assert any("deleted" in p for p in verify(asked).problems)


def test_the_eval_harness_does_not_fill_the_audit_log(briefing):
    briefing.ask("公金受取口座の誤登録は市の責任か", audit=False)
    assert AuditLog(get_settings().audit_log).entries() == []


def test_an_unwritable_audit_log_withholds_the_answer(briefing, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr(briefing.settings, "audit_log", blocker / "audit.jsonl")
    briefing._audit = None
    with pytest.raises(AuditError) as err:
        briefing.ask("公金受取口座の誤登録は市の責任か")
    assert "BRIEFING_AUDIT_LOG" in str(err.value)


def test_threads_and_processes_appending_at_once_keep_one_chain(tmp_path):
    path = tmp_path / "a" / "audit.jsonl"
    log = AuditLog(path)
    writer = ("import sys; from assistant.audit import AuditLog\n"
              "log = AuditLog(sys.argv[1])\n"
              "for i in range(30): log.append({'channel': 'proc', 'question': f'q{i}'})\n")
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(path)], cwd=ROOT) for _ in range(2)]
    threads = [threading.Thread(target=lambda: [log.append({"channel": "thread", "question": "q"})
                                                for _ in range(25)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    result = verify(path)
    assert result.ok, result.problems
    assert result.entries == 160 and [e["seq"] for e in log.entries()] == list(range(1, 161))


def test_cli_asks_are_audited_and_verify_reports_tampering(indexed_store, tmp_path):
    log = tmp_path / "cli-audit.jsonl"
    env = {"BRIEFING_AUDIT_LOG": str(log)}
    r = run_cli("ask", f"番号 {MY_NUMBER} の人の公金受取口座は誰の責任か", "--format", "json",
                "--store", str(indexed_store), env_extra=env)
    assert r.returncode == 0, r.stderr
    shown = run_cli("audit", "show", "--last", "5", env_extra=env)
    assert "[cli]" in shown.stdout and "************" in shown.stdout and MY_NUMBER not in shown.stdout
    ok = run_cli("audit", "verify", env_extra=env)
    assert ok.returncode == 0 and "1 entries" in ok.stdout
    log.write_text(log.read_text(encoding="utf-8").replace('"cli"', '"app"'), encoding="utf-8")
    bad = run_cli("audit", "verify", "--log", str(log))
    assert bad.returncode == 1 and "edited" in bad.stderr and "NOT intact" in bad.stdout
