"""`briefing audit verify|show`: check the hash chain, or read what was asked and answered, who
failed to sign in, and how each press draft changed (`show --draft ID`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.access.roles import AUTH_LABELS
from assistant.audit import AuditLog, verify

from .draft_trail import ACTIONS, history, short_hash

LOGIN_TARGETS = {"password": "共有パスワード", "approver": "承認者パスワード"}


def run_verify(path: Path) -> int:
    result = verify(path)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.ok:
        print(f"audit log ok: {result.entries} entries, chain intact, last hash {result.last_hash[:16]}… ({path})")
        return 0
    print(f"audit log NOT intact: {len(result.problems)} problem(s) in {path}")
    return 1


def run_show(path: Path, last: int | None, fmt: str, draft: int | None = None) -> int:
    log = AuditLog(path)
    entries = history(log, draft) if draft is not None else log.entries()
    if draft is not None and not entries:
        print(f"想定問答 No.{draft} の記録はありません（{path}）", file=sys.stderr)
        return 1
    if last is None:
        last = 0 if draft is not None else 20   # a draft's whole history; the last 20 otherwise
    entries = entries[-last:] if last > 0 else entries
    for e in entries:
        print(json.dumps(e, ensure_ascii=False) if fmt == "jsonl" else describe(e))
    return 0


def describe(e: dict) -> str:
    """One entry in plain text: its seq, time and channel, then what happened."""
    head = f"#{e['seq']} {e['time']} [{e['channel']}]"
    event = e.get("event")
    if event == "draft":
        return f"{head} {_draft_line(e)}"
    if event in ("login_failed", "login_refused"):
        what = LOGIN_TARGETS.get(e.get("target"), e.get("target"))
        where = f" 接続元 {e['client']}" if e.get("client") else ""
        if event == "login_failed":
            return f"{head} ログイン失敗（{what}、{e.get('failures')} 回目）{where} セッション {e.get('session')}"
        return (f"{head} ログイン拒否：待機中のため照合せず（{what}、あと {e.get('wait_seconds')} 秒）{where}"
                f" セッション {e.get('session')}")
    who = e.get("user") or "-"
    outcome = e.get("error") or e.get("summary", "")
    lines = [f"{head} {who}", f"  問: {e.get('question', '')}", f"  答: {outcome}"]
    if e.get("citations"):
        lines.append(f"  出典: {', '.join(e['citations'])}")
    return "\n".join(lines)


def _draft_line(e: dict) -> str:
    where = f"想定問答 No.{e['draft']}" + (f" 問#{e['item']}" if e.get("item") is not None else "")
    who = f"{e.get('user') or '-'}（{e.get('role', '')}・{AUTH_LABELS.get(e.get('auth'), e.get('auth', ''))}）"
    lines = [f"{where} {ACTIONS.get(e.get('action'), e.get('action'))} — {who}"]
    if e.get("title"):
        lines.append(f"  表題: {e['title']}")
    if e.get("question"):
        lines.append(f"  問: {e['question']}")
    before, after = e.get("before_sha256"), e.get("after_sha256")
    if before == after and after:          # approve, withdraw: the text they concern, unchanged
        lines.append(f"  本文 SHA-256: {short_hash(after)}")
    elif before or after:
        lines.append(f"  本文 SHA-256: {short_hash(before)} → {short_hash(after)}")
    if e.get("reason"):
        lines.append(f"  理由: {e['reason']}")
    if e.get("approver") and e.get("action") == "withdraw":
        approved = f"（承認した本文 SHA-256: {short_hash(e['approved_sha256'])}）" if e.get("approved_sha256") else ""
        lines.append(f"  取り消した承認: {e['approver']}{approved}")
    if e.get("action") == "export":
        lines.append(f"  形式: {e.get('format')}　ファイル SHA-256: {short_hash(e.get('file_sha256'))}")
        for n, it in enumerate(e.get("items") or [], 1):
            state = f"承認 {it['approver']} {it.get('approved_at')}" if it.get("approver") else "未承認"
            lines.append(f"  問{n}（#{it['item']}）{state}　本文 SHA-256: {short_hash(it.get('sha256'))}")
    return "\n".join(lines)


def add_parser(sub) -> None:
    sp = sub.add_parser("audit", help="the audit log (asks, failed sign-ins, press-draft changes): "
                                      "verify its hash chain, or show entries")
    asub = sp.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="report edited, reordered or deleted entries (exit 1)")
    v.add_argument("--log", type=Path, help="audit log file (default BRIEFING_AUDIT_LOG or .briefing-audit/audit.jsonl)")
    v.set_defaults(func=lambda a: run_verify(a.log or _default()))
    s = asub.add_parser("show", help="the last entries, or one press draft's whole history")
    s.add_argument("--log", type=Path)
    s.add_argument("--last", type=int, help="how many entries (default 20; with --draft, all of them)")
    s.add_argument("--draft", type=int, metavar="ID",
                   help="only the history of this press draft (想定問答 No.ID): created, questions added, "
                        "answers drafted, edited, approved, withdrawn, deleted, exported; exit 1 if none")
    s.add_argument("--format", choices=["text", "jsonl"], default="text")
    s.set_defaults(func=lambda a: run_show(a.log or _default(), a.last, a.format, a.draft))


def _default() -> Path:
    from assistant.settings import get_settings
    return Path(get_settings().audit_log)
