"""Press Q&A (想定問答): questions → drafted answers → staff edits → approval → .docx / .md.

Drafts live in SQLite next to the store (`<store>/press.sqlite3`, or beside BRIEFING_FEEDBACK_DB)
so they survive restarts. My Numbers are masked wherever staff text enters a draft (questions, edits,
titles, approver names) and again in every PressItem / PressDraft, so an export never carries one.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.privacy import mask_my_number
from assistant.settings import Settings, get_settings
from assistant.values import ACTORS, CAUSE_LABELS

from .localdb import LocalDB, LocalDBError

KIND_LABELS = {"statute": "法令", "notice": "通知", "incident": "事案", "analysis": "分析",
               "guidance": "手引き", "faq": "FAQ"}

# Starter questions for staff, grouped by topic (the press page offers them as picks).
SUGGESTIONS: dict[str, list[str]] = {
    "公金受取口座": ["公金受取口座の誤登録は市の責任ですか？",
                "共用端末でのログアウト忘れはなぜ防げなかったのですか？",
                "窓口での登録支援を続けるのですか？"],
    "健康保険証": ["保険証の紐付け誤りはなぜ起きたのですか？",
              "健康保険の紐付け誤りの責任は誰にありますか？"],
    "障害者手帳": ["障害者手帳の誤登録の責任はどこにありますか？"],
    "説明・再発防止": ["記者会見でどう説明すべきですか？",
                 "市として再発防止に何をしますか？",
                 "マイナンバーカードそのものに問題があるのですか？"],
}

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


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class PressItem:
    question: str
    answer: str = ""                 # drafted answer body (Markdown, sentences end with [n])
    responsibility: str = ""         # one line: who is responsible, in order
    cause: str = ""                  # 原因の型 label
    citations: list[dict] = field(default_factory=list)
    abstained: bool = False
    edited_answer: str | None = None
    status: str = "draft"
    approver: str | None = None
    approved_at: str | None = None
    id: int | None = None
    position: int = 0

    def __post_init__(self):
        self.question, self.answer = mask_my_number(self.question), mask_my_number(self.answer)
        if self.edited_answer is not None:
            self.edited_answer = mask_my_number(self.edited_answer)
        if self.approver is not None:
            self.approver = mask_my_number(self.approver)

    @property
    def final_answer(self) -> str:
        return self.edited_answer if self.edited_answer is not None else self.answer

    @property
    def drafted(self) -> bool:
        return bool(self.answer)

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass
class PressDraft:
    title: str
    created: str = field(default_factory=_now)
    items: list[PressItem] = field(default_factory=list)
    id: int | None = None

    def __post_init__(self):
        self.title = mask_my_number(self.title)


# ---- from an Answer to an item
def answer_markdown(ans, heading: str = "### {}", sep: str = "", skip_conclusion: bool = False) -> str:
    """The answer body without its trailing 出典 list (sources are rendered separately).
    Press items use 【結論】-style headings and one sentence per line, which staff edit easily.
    `skip_conclusion` leaves out the 結論 section (the chat shows it as the verdict box)."""
    if ans.abstained:
        return ans.summary
    if ans.sections:
        parts = []
        for sec in ans.sections[1 if skip_conclusion else 0:]:
            body = sep.join(f"{s.text}{''.join(f'[{n}]' for n in s.citations)}" for s in sec.sentences)
            parts.append(f"{heading.format(sec.heading)}\n{'' if sep else chr(10)}{body}")
        return "\n\n".join(parts)
    return ans.answer.split("### 出典")[0].strip()


def responsibility_line(ans) -> str:
    if not ans.responsibility:
        return ""
    parts = []
    for r in ans.responsibility:
        detail = "：".join(x for x in (r.role, r.scope) if x)
        parts.append(f"{ACTORS.get(r.actor, r.label or r.actor)}" + (f"（{detail}）" if detail else ""))
    return "責任の所在：" + " → ".join(parts)


def item_from_answer(question: str, ans) -> PressItem:
    cause = ans.cause.type if ans.cause else "none"
    return PressItem(
        question=mask_my_number(question.strip()), answer=answer_markdown(ans, heading="【{}】", sep="\n"),
        responsibility=responsibility_line(ans),
        cause="" if cause == "none" else CAUSE_LABELS.get(cause, cause),
        citations=[{"n": c.n, "id": c.id, "title": c.title, "kind": c.kind, "issuer": c.issuer, "date": c.date,
                    "locator": c.locator, "source": c.source, "quote": c.quote} for c in ans.citations],
        abstained=ans.abstained)


_LIST_MARKER = re.compile(r"^(?:[・\-*•]|[0-9０-９]+[.．、)）](?![0-9０-９])|[(（][0-9０-９]+[)）]|問[0-9０-９]+[.．:：　 ]?)\s*")


def parse_questions(text: str) -> list[str]:
    """One question per line; blank lines and list markers (・, -, 1.) are dropped."""
    out = []
    for line in (text or "").splitlines():
        q = _LIST_MARKER.sub("", line.strip()).strip()
        if q:
            out.append(q)
    return out


# ---- persistence
def default_path(settings: Settings | None = None) -> Path:
    s = settings or get_settings()
    return Path(s.feedback_db).parent / "press.sqlite3" if s.feedback_db else Path(s.store) / "press.sqlite3"


class PressBook:
    """All press drafts in one SQLite file."""

    def __init__(self, path: Path | str | None = None, timeout: float = 5.0):
        self.db = LocalDB(path or default_path(), SCHEMA, "想定問答", timeout=timeout)

    @property
    def path(self) -> Path:
        return self.db.path

    def create_draft(self, title: str) -> int:
        title = mask_my_number(title.strip()) or "想定問答"
        with self.db.connect() as con:
            return int(con.execute("INSERT INTO drafts (title, created) VALUES (?, ?)", (title, _now())).lastrowid)

    def list_drafts(self) -> list[PressDraft]:
        with self.db.connect() as con:
            rows = con.execute("SELECT * FROM drafts ORDER BY id DESC").fetchall()
        return [PressDraft(title=r["title"], created=r["created"], id=r["id"]) for r in rows]

    def get_draft(self, draft_id: int) -> PressDraft:
        with self.db.connect() as con:
            d = con.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if d is None:
                raise LocalDBError(f"想定問答（番号 {draft_id}）が見つかりません", "一覧から選び直してください")
            rows = con.execute("SELECT * FROM items WHERE draft_id = ? ORDER BY position, id", (draft_id,)).fetchall()
        return PressDraft(title=d["title"], created=d["created"], id=d["id"], items=[_item(r) for r in rows])

    def delete_draft(self, draft_id: int) -> None:
        with self.db.connect() as con:
            con.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def add_questions(self, draft_id: int, questions: list[str]) -> list[int]:
        qs = [mask_my_number(q.strip()) for q in questions if q and q.strip()]
        with self.db.connect() as con:
            start = con.execute("SELECT COALESCE(MAX(position), 0) FROM items WHERE draft_id = ?",
                                (draft_id,)).fetchone()[0]
            return [int(con.execute("INSERT INTO items (draft_id, position, question) VALUES (?, ?, ?)",
                                    (draft_id, start + i, q)).lastrowid) for i, q in enumerate(qs, 1)]

    def draft_answers(self, draft_id: int, briefing, redo: bool = False, progress=None,
                      user: str | None = None) -> int:
        """Draft every item without an answer (or all with redo=True); returns how many were drafted."""
        todo = [it for it in self.get_draft(draft_id).items if redo or not it.drafted]
        for i, it in enumerate(todo, 1):
            self.save_answer(it.id, item_from_answer(it.question, briefing.ask(it.question, channel="press", user=user)))
            if progress:
                progress(i, len(todo))
        return len(todo)

    def save_answer(self, item_id: int, drafted: PressItem) -> None:
        """Store a fresh draft; any earlier edit and approval no longer apply to it."""
        with self.db.connect() as con:
            con.execute("UPDATE items SET answer = ?, responsibility = ?, cause = ?, citations = ?, abstained = ?, "
                        "edited_answer = NULL, status = 'draft', approver = NULL, approved_at = NULL WHERE id = ?",
                        (drafted.answer, drafted.responsibility, drafted.cause,
                         json.dumps(drafted.citations, ensure_ascii=False), int(drafted.abstained), item_id))

    def edit(self, item_id: int, text: str) -> None:
        """Save staff's wording; an edit withdraws an earlier approval (it must be approved again)."""
        with self.db.connect() as con:
            con.execute("UPDATE items SET edited_answer = ?, status = 'draft', approver = NULL, approved_at = NULL "
                        "WHERE id = ?", (mask_my_number(text.strip()), item_id))

    def approve(self, item_id: int, approver: str) -> str:
        name = approver.strip()
        if not name:
            raise LocalDBError("承認者の名前がありません", "承認者名を入力してから「承認」を押してください")
        when = _now()
        with self.db.connect() as con:
            con.execute("UPDATE items SET status = 'approved', approver = ?, approved_at = ? WHERE id = ?",
                        (mask_my_number(name), when, item_id))
        return when

    def withdraw_approval(self, item_id: int) -> None:
        with self.db.connect() as con:
            con.execute("UPDATE items SET status = 'draft', approver = NULL, approved_at = NULL WHERE id = ?",
                        (item_id,))

    def delete_item(self, item_id: int) -> None:
        with self.db.connect() as con:
            con.execute("DELETE FROM items WHERE id = ?", (item_id,))


def _item(r) -> PressItem:
    try:
        cites = json.loads(r["citations"] or "[]")
    except json.JSONDecodeError:
        cites = []
    return PressItem(id=r["id"], position=r["position"], question=r["question"], answer=r["answer"],
                     responsibility=r["responsibility"], cause=r["cause"], citations=cites,
                     abstained=bool(r["abstained"]), edited_answer=r["edited_answer"], status=r["status"],
                     approver=r["approver"], approved_at=r["approved_at"])


# ---- export
def source_line(c: dict) -> str:
    loc = c.get("locator") or ""
    where = loc if loc and loc not in c["title"] else ""
    meta = "、".join(x for x in (KIND_LABELS.get(c.get("kind", ""), c.get("kind", "")), c.get("issuer", ""),
                                c.get("date", "")) if x)
    return f"[{c['n']}] {c['title']}{' ' + where if where else ''}（{meta}） {c.get('source', '')}".rstrip()


def status_line(it: PressItem) -> str:
    if it.approved:
        return f"承認済み：{it.approver}（{_jp_time(it.approved_at)}）"
    return "未承認（下書き）"


def _jp_date(iso: str | None, with_time: bool = False) -> str:
    """2026-11-26T05:42 → 2026年11月26日（ 05:42 with the time）; unparsable text is shown as is."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{t.year}年{t.month}月{t.day}日"
    return f"{day} {t.hour:02d}:{t.minute:02d}" if with_time else day


def _jp_time(iso: str | None) -> str:
    return _jp_date(iso, with_time=True)


def _md_answer(text: str) -> str:
    """One paragraph per line (a single newline would merge sentences in Markdown viewers)."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return "（回答案はまだありません）"
    return "\n\n".join(f"**{ln}**" if ln.startswith("【") and ln.endswith("】") else ln for ln in lines)


def to_markdown(draft: PressDraft) -> str:
    approved = sum(1 for it in draft.items if it.approved)
    lines = [f"# {draft.title}", "", f"作成日：{_jp_date(draft.created)}　承認済み {approved} / 全 {len(draft.items)} 問", ""]
    for i, it in enumerate(draft.items, 1):
        lines += [f"## 問{i}　{it.question}", "", "**答**", "", _md_answer(it.final_answer), ""]
        if it.responsibility:
            lines += [f"> {it.responsibility}", ""]
        if it.cause:
            lines += [f"> 原因の型：{it.cause}", ""]
        lines += [f"*{status_line(it)}*", ""]
        if it.citations:
            lines += ["**出典**", ""] + [f"- {source_line(c)}" for c in it.citations] + [""]
    return mask_my_number("\n".join(lines).rstrip() + "\n")   # fields set after construction too


def to_docx(draft: PressDraft) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Yu Mincho")
    doc.add_heading(mask_my_number(draft.title), level=0)
    approved = sum(1 for it in draft.items if it.approved)
    doc.add_paragraph(f"作成日：{_jp_date(draft.created)}　承認済み {approved} / 全 {len(draft.items)} 問")
    for i, it in enumerate(draft.items, 1):
        doc.add_heading(f"問{i}　{mask_my_number(it.question)}", level=1)
        doc.add_paragraph().add_run("答").bold = True
        for block in mask_my_number(it.final_answer or "（回答案はまだありません）").split("\n"):
            block = block.strip()
            if block.startswith(("#", "【")):
                doc.add_paragraph().add_run(block.lstrip("#").strip()).bold = True
            elif block:
                doc.add_paragraph(block)
        for line in filter(None, (it.responsibility, f"原因の型：{it.cause}" if it.cause else "")):
            doc.add_paragraph().add_run(line).italic = True
        doc.add_paragraph().add_run(mask_my_number(status_line(it))).font.size = Pt(9)
        if it.citations:
            doc.add_paragraph().add_run("出典").bold = True
            for c in it.citations:
                doc.add_paragraph(source_line(c)).runs[0].font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def export(draft: PressDraft, out: Path) -> Path:
    """Write .docx or .md by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".md"):
        raise LocalDBError(f"出力ファイルの形式 {suffix or '（拡張子なし）'} には対応していません",
                           "--out には .docx か .md で終わるファイル名を指定してください")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
        out.write_bytes(to_docx(draft))
    else:
        out.write_text(to_markdown(draft), encoding="utf-8")
    return out
