"""`briefing press --questions FILE --out FILE.docx|.md [--save]`: draft a press Q&A document in one go;
with --save it is also kept as a draft that the app's 想定問答 page opens (and `briefing drafts` lists)."""
from __future__ import annotations

import sys
from pathlib import Path

from .localdb import LocalDBError
from .press import PressDraft, item_from_answer, parse_questions
from .press_export import export


def _read_questions(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LocalDBError(f"質問ファイル {path} が見つかりません",
                           "1行に1問ずつ書いたテキストファイル（UTF-8）を --questions に指定してください") from None
    except UnicodeDecodeError:
        raise LocalDBError(f"質問ファイル {path} は UTF-8 のテキストではありません",
                           "UTF-8 で保存し直してください") from None
    questions = parse_questions(text)
    if not questions:
        raise LocalDBError(f"質問ファイル {path} に質問がありません", "1行に1問ずつ書いてください（空行は無視されます）")
    return questions


def run_press(questions: Path, out: Path, store: str | None = None, title: str = "想定問答",
              save: bool = False) -> int:
    if out.suffix.lower() not in (".docx", ".md"):  # fail before loading any model
        raise LocalDBError(f"出力ファイルの形式 {out.suffix or '（拡張子なし）'} には対応していません",
                           "--out には .docx か .md で終わるファイル名を指定してください")
    qs = _read_questions(questions)
    book = None
    if save:   # opened first: a data folder that cannot be written fails before any answer is drafted
        from .press_book import PressBook
        book = PressBook()
    from assistant.service import Briefing
    with Briefing(store_dir=store) as b:
        b.ensure_index()
        draft = PressDraft(title=title, items=[item_from_answer(q, b.ask(q, channel="press")) for q in qs])
    if book is not None:   # saved first: the export then carries the draft's number, as one from the page does
        from .drafts_cli import cli_actor
        by = cli_actor()
        draft.id = book.save_new(draft, by)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(book.export_file(draft.id, out.suffix.lower().lstrip("."), by))
    else:
        export(draft, out)
    held = sum(1 for it in draft.items if it.abstained)
    note = f"（うち資料に根拠がなく回答を控えた問 {held}）" if held else ""
    kept = f"（想定問答 No.{draft.id} として保存しました）" if save else ""
    print(f"press: {len(qs)} 問の回答案を作成しました{note} → {out}{kept}", file=sys.stderr)
    return 0
