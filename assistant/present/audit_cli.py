"""`briefing audit verify|show`: check the hash chain, or read what was asked and answered."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.audit import AuditLog, verify


def run_verify(path: Path) -> int:
    result = verify(path)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.ok:
        print(f"audit log ok: {result.entries} entries, chain intact, last hash {result.last_hash[:16]}… ({path})")
        return 0
    print(f"audit log NOT intact: {len(result.problems)} problem(s) in {path}")
    return 1


def run_show(path: Path, last: int, fmt: str) -> int:
    entries = AuditLog(path).entries()[-last:] if last > 0 else []
    for e in entries:
        if fmt == "jsonl":
            print(json.dumps(e, ensure_ascii=False))
            continue
        who = e.get("user") or "-"
        outcome = e.get("error") or e.get("summary", "")
        print(f"#{e['seq']} {e['time']} [{e['channel']}] {who}\n  問: {e['question']}\n  答: {outcome}")
        if e.get("citations"):
            print(f"  出典: {', '.join(e['citations'])}")
    return 0


def add_parser(sub) -> None:
    sp = sub.add_parser("audit", help="the audit log of asks: verify its hash chain, or show entries")
    asub = sp.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="report edited, reordered or deleted entries (exit 1)")
    v.add_argument("--log", type=Path, help="audit log file (default BRIEFING_AUDIT_LOG or .briefing-audit/audit.jsonl)")
    v.set_defaults(func=lambda a: run_verify(a.log or _default()))
    s = asub.add_parser("show", help="the last entries")
    s.add_argument("--log", type=Path)
    s.add_argument("--last", type=int, default=20)
    s.add_argument("--format", choices=["text", "jsonl"], default="text")
    s.set_defaults(func=lambda a: run_show(a.log or _default(), a.last, a.format))


def _default() -> Path:
    from assistant.settings import get_settings
    return Path(get_settings().audit_log)
