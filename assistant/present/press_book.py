"""Press drafts in SQLite (`<data>/press.sqlite3`, or beside BRIEFING_FEEDBACK_DB), every change on
the record. The data folder is not the index folder: deleting or rebuilding the index keeps every draft.

Each change names who makes it (an `Actor`), checks that actor's role, and writes a `draft` entry to
the audit log inside the same database transaction: if the entry cannot be written the change is
rolled back, so nothing changes off the record. Editing or re-drafting an approved answer withdraws
its approval, and that withdrawal is an entry of its own.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from assistant.access import Actor, Role
from assistant.access.roles import require
from assistant.audit import AuditLog
from assistant.privacy import mask_my_number
from assistant.settings import Settings, get_settings

from .draft_trail import AUTO_WITHDRAW, DraftTrail, text_sha256
from .localdb import LocalDB, LocalDBError
from .press import PressDraft, PressItem, item_from_answer
from .userdata import db_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '',
  responsibility TEXT NOT NULL DEFAULT '',
  cause TEXT NOT NULL DEFAULT '',
  citations TEXT NOT NULL DEFAULT '[]',
  abstained INTEGER NOT NULL DEFAULT 0,
  edited_answer TEXT,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  approver TEXT,
  approved_at TEXT
);
CREATE INDEX IF NOT EXISTS items_by_draft ON items (draft_id, position);
"""
_UNAPPROVE = "status = 'draft', approver = NULL, approved_at = NULL"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def default_path(settings: Settings | None = None) -> Path:
    """`<data>/press.sqlite3`; drafts an earlier version kept in `<store>/press.sqlite3` are moved there."""
    return db_path("press", settings)


class PressBook:
    """All press drafts in one SQLite file; their history in the audit log."""

    def __init__(self, path: Path | str | None = None, timeout: float = 5.0, audit_log: Path | str | None = None):
        self.db = LocalDB(path or default_path(), SCHEMA, "想定問答", timeout=timeout)
        self.trail = DraftTrail(AuditLog(audit_log or get_settings().audit_log))

    @property
    def path(self) -> Path:
        return self.db.path

    # ---- reading
    def list_drafts(self) -> list[PressDraft]:
        with self.db.connect() as con:
            rows = con.execute("SELECT * FROM drafts ORDER BY id DESC").fetchall()
        return [PressDraft(title=r["title"], created=r["created"], id=r["id"]) for r in rows]

    def summaries(self) -> list[dict]:
        """Every draft, newest first: id, title, created, how many questions and how many approved."""
        with self.db.connect() as con:
            rows = con.execute(
                "SELECT d.id, d.title, d.created, COUNT(i.id) AS questions, "
                "COALESCE(SUM(i.status = 'approved'), 0) AS approved "
                "FROM drafts d LEFT JOIN items i ON i.draft_id = d.id GROUP BY d.id ORDER BY d.id DESC").fetchall()
        return [dict(r) for r in rows]

    def get_draft(self, draft_id: int) -> PressDraft:
        with self.db.connect() as con:
            d = con.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if d is None:
                raise LocalDBError(f"想定問答（番号 {draft_id}）が見つかりません", "一覧から選び直してください")
            rows = con.execute("SELECT * FROM items WHERE draft_id = ? ORDER BY position, id", (draft_id,)).fetchall()
        return PressDraft(title=d["title"], created=d["created"], id=d["id"], items=[_item(r) for r in rows])

    def _row(self, con, item_id: int) -> PressItem:
        r = con.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        if r is None:
            raise LocalDBError(f"問（番号 {item_id}）が見つかりません（別の人が削除した可能性があります）",
                               "ページを再読み込みしてください")
        return _item(r)

    # ---- drafts and questions
    def create_draft(self, title: str, by: Actor) -> int:
        require(by, Role.EDIT, "想定問答を作成")
        title = mask_my_number(title.strip()) or "想定問答"
        with self.db.connect() as con:
            new_id = int(con.execute("INSERT INTO drafts (title, created) VALUES (?, ?)", (title, _now())).lastrowid)
            self.trail.record("create", by, draft=new_id, title=title)
        return new_id

    def save_new(self, draft: PressDraft, by: Actor) -> int:
        """Keep a draft made elsewhere (`briefing press --save`): its questions and drafted answers,
        each change on the record as if made on the page. Returns the new draft's id."""
        new_id = self.create_draft(draft.title, by)
        ids = self.add_questions(new_id, [it.question for it in draft.items], by)
        for item_id, it in zip(ids, (it for it in draft.items if it.question.strip())):
            if it.drafted:
                self.save_answer(item_id, it, by)
        return new_id

    def delete_draft(self, draft_id: int, by: Actor) -> None:
        require(by, Role.EDIT, "想定問答を削除")
        with self.db.connect() as con:
            d = con.execute("SELECT title FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            con.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            if d is not None:
                self.trail.record("delete", by, draft=draft_id, title=d["title"])

    def add_questions(self, draft_id: int, questions: list[str], by: Actor) -> list[int]:
        require(by, Role.EDIT, "質問を追加")
        qs = [mask_my_number(q.strip()) for q in questions if q and q.strip()]
        ids = []
        with self.db.connect() as con:
            start = con.execute("SELECT COALESCE(MAX(position), 0) FROM items WHERE draft_id = ?",
                                (draft_id,)).fetchone()[0]
            for i, q in enumerate(qs, 1):
                ids.append(int(con.execute("INSERT INTO items (draft_id, position, question) VALUES (?, ?, ?)",
                                           (draft_id, start + i, q)).lastrowid))
                self.trail.record("add", by, draft=draft_id, item=ids[-1], question=q)
        return ids

    def delete_item(self, item_id: int, by: Actor) -> None:
        require(by, Role.EDIT, "問を削除")
        with self.db.connect() as con:
            it = self._row(con, item_id)
            con.execute("DELETE FROM items WHERE id = ?", (item_id,))
            self.trail.record("delete", by, draft=it.draft_id, item=item_id, question=it.question,
                              before=it.final_answer)

    # ---- answers
    def draft_answers(self, draft_id: int, briefing, by: Actor, redo: bool = False, progress=None) -> int:
        """Draft every item without an answer (or all with redo=True); returns how many were drafted."""
        require(by, Role.EDIT, "回答案を作成")
        todo = [it for it in self.get_draft(draft_id).items if redo or not it.drafted]
        for i, it in enumerate(todo, 1):
            self.save_answer(it.id, item_from_answer(it.question, briefing.ask(it.question, channel="press",
                                                                               user=by.name)), by)
            if progress:
                progress(i, len(todo))
        return len(todo)

    def save_answer(self, item_id: int, drafted: PressItem, by: Actor) -> None:
        """Store a fresh draft; any earlier edit and approval no longer apply to it."""
        require(by, Role.EDIT, "回答案を作成")
        with self.db.connect() as con:
            it = self._row(con, item_id)
            con.execute(f"UPDATE items SET answer = ?, responsibility = ?, cause = ?, citations = ?, abstained = ?, "
                        f"edited_answer = NULL, {_UNAPPROVE} WHERE id = ?",
                        (drafted.answer, drafted.responsibility, drafted.cause,
                         json.dumps(drafted.citations, ensure_ascii=False), int(drafted.abstained), item_id))
            self.trail.record("draft", by, draft=it.draft_id, item=item_id, question=it.question,
                              before=it.final_answer, after=drafted.answer)
            self._auto_withdraw(it, by, drafted.answer)

    def edit(self, item_id: int, text: str, by: Actor) -> bool:
        """Save staff's wording; False when it is what is already stored. An edit withdraws an earlier
        approval (it must be approved again), and the trail says so."""
        require(by, Role.EDIT, "回答を編集")
        text = mask_my_number(text.strip())
        with self.db.connect() as con:
            it = self._row(con, item_id)
            if text == it.final_answer:
                return False
            con.execute(f"UPDATE items SET edited_answer = ?, {_UNAPPROVE} WHERE id = ?", (text, item_id))
            self.trail.record("edit", by, draft=it.draft_id, item=item_id, question=it.question,
                              before=it.final_answer, after=text)
            self._auto_withdraw(it, by, text)
        return True

    def _auto_withdraw(self, it: PressItem, by: Actor, new_text: str) -> None:
        if it.approved:
            self.trail.record("withdraw", by, draft=it.draft_id, item=it.id, question=it.question,
                              before=new_text, after=new_text, reason=AUTO_WITHDRAW,
                              approved_sha256=text_sha256(it.final_answer), approver=it.approver)

    # ---- approval
    def approve(self, item_id: int, seen_sha256: str | None = None, *, by: Actor) -> str:
        """Approve the answer as it stands, in the actor's name; returns the time recorded.
        `seen_sha256`: the hash of the text the approver was shown; a different stored text is refused."""
        require(by, Role.APPROVE, "承認")
        if not by.name:
            raise LocalDBError("承認者の名前がありません", "承認者名を入力してから「承認」を押してください")
        when = _now()
        with self.db.connect() as con:
            it = self._row(con, item_id)
            if not it.final_answer:
                raise LocalDBError("回答のない問は承認できません", "先に回答案を作成してください")
            if seen_sha256 is not None and text_sha256(it.final_answer) != seen_sha256:
                raise LocalDBError("承認しようとした回答は、その間に別の人が変更しました",
                                   "いま保存されている回答を確かめてから、もう一度「承認」を押してください")
            con.execute("UPDATE items SET status = 'approved', approver = ?, approved_at = ? WHERE id = ?",
                        (by.signature, when, item_id))
            self.trail.record("approve", by, draft=it.draft_id, item=item_id, question=it.question,
                              before=it.final_answer, after=it.final_answer, approved_at=when)
        return when

    def withdraw_approval(self, item_id: int, by: Actor) -> None:
        require(by, Role.APPROVE, "承認を取り消")
        with self.db.connect() as con:
            it = self._row(con, item_id)
            if not it.approved:
                return
            con.execute(f"UPDATE items SET {_UNAPPROVE} WHERE id = ?", (item_id,))
            self.trail.record("withdraw", by, draft=it.draft_id, item=item_id, question=it.question,
                              before=it.final_answer, after=it.final_answer, approver=it.approver)

    # ---- export
    def export_file(self, draft_id: int, fmt: str, by: Actor) -> bytes:
        """The draft as .docx or .md bytes, recorded with each answer's hash and approval."""
        from .press_export import render
        draft = self.get_draft(draft_id)
        data = render(draft, fmt)
        self.trail.record("export", by, draft=draft_id, title=draft.title, format=fmt,
                          file_sha256=hashlib.sha256(data).hexdigest(),
                          items=[{"item": it.id, "sha256": text_sha256(it.final_answer),
                                  "approver": mask_my_number(it.approver) if it.approver else None,
                                  "approved_at": it.approved_at} for it in draft.items])
        return data


def _item(r) -> PressItem:
    try:
        cites = json.loads(r["citations"] or "[]")
    except json.JSONDecodeError:
        cites = []
    return PressItem(id=r["id"], draft_id=r["draft_id"], position=r["position"], question=r["question"],
                     answer=r["answer"], responsibility=r["responsibility"], cause=r["cause"], citations=cites,
                     abstained=bool(r["abstained"]), edited_answer=r["edited_answer"], status=r["status"],
                     approver=r["approver"], approved_at=r["approved_at"])
