"""`briefing drafts list|export` and `briefing backup`: the saved press drafts from the command line.

The drafts are the ones the app's 想定問答 page shows (the data folder, not the index folder). An export
from here is recorded in the draft's history like one from the page, in the name of the account that
ran the command.
"""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from assistant.access import Actor, Role

from .localdb import LocalDBError


def cli_actor() -> Actor:
    """Who a command acts as: the signed-in account of the machine, with the 編集 role."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = ""
    return Actor(name or "コマンド", Role.EDIT, "cli")


def run_list(fmt: str) -> int:
    from .press_book import PressBook
    rows = PressBook().summaries()
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        print("保存された想定問答はありません", file=sys.stderr)
    for r in rows:
        print(f"No.{r['id']}\t{r['created'][:10]}\t{r['title']}\t{r['questions']} 問（承認済み {r['approved']}）")
    return 0


def run_export(draft_id: int, out: Path) -> int:
    from .press_book import PressBook
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("docx", "md"):
        raise LocalDBError(f"出力ファイルの形式 {out.suffix or '（拡張子なし）'} には対応していません",
                           "--out には .docx か .md で終わるファイル名を指定してください")
    data = PressBook().export_file(draft_id, fmt, by=cli_actor())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"drafts: 想定問答 No.{draft_id} を書き出しました → {out}", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    sp = sub.add_parser("drafts", help="saved press drafts (想定問答): list, export")
    dsub = sp.add_subparsers(dest="drafts_command", required=True)
    lp = dsub.add_parser("list", help="id, title, created, questions, approved count")
    lp.add_argument("--format", choices=["text", "json"], default="text")
    lp.set_defaults(func=lambda a: run_list(a.format))
    ep = dsub.add_parser("export", help="write one draft as .docx or .md")
    ep.add_argument("id", type=int, help="the draft's number (see `briefing drafts list`)")
    ep.add_argument("--out", required=True, type=Path, help="output .docx or .md")
    ep.set_defaults(func=lambda a: run_export(a.id, a.out))

    bp = sub.add_parser("backup", help="copy press drafts, feedback and the audit log into a .zip or a new folder")
    bp.add_argument("--out", required=True, type=Path, help="a .zip file or a folder that does not exist yet")

    def backup(a) -> int:
        from .backup import run_backup
        return run_backup(a.out)
    bp.set_defaults(func=backup)
