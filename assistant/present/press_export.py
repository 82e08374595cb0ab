"""A press draft as Word (.docx) or Markdown: title, questions, answers, sources, and the approval record.

Each answer carries its status line and the first 16 hex digits of the SHA-256 of its text; the
Word footer repeats that approval record for every question on every page, so a printed answer
can be checked against the draft's history (`briefing audit show --draft ID`).

With `record=False` (the chat export, `chat_export`) there is no approval record: the document says
it was never approved, and each source is followed by the passage quoted from it.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from assistant.privacy import mask_my_number

from .draft_trail import short_hash, text_sha256
from .localdb import LocalDBError
from .press import KIND_LABELS, PressDraft, PressItem

FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "md": "text/markdown"}
UNRECORDED = "回答をそのまま書き出したもので、承認を経ていません。引用した出典で確かめてからお使いください。"


def source_line(c: dict) -> str:
    loc = c.get("locator") or ""
    where = loc if loc and loc not in c["title"] else ""
    meta = "、".join(x for x in (KIND_LABELS.get(c.get("kind", ""), c.get("kind", "")), c.get("issuer", ""),
                                c.get("date", "")) if x)
    return f"[{c['n']}] {c['title']}{' ' + where if where else ''}（{meta}） {c.get('source', '')}".rstrip()


def status_line(it: PressItem) -> str:
    if it.approved:
        return mask_my_number(f"承認済み：{it.approver}（{jp_time(it.approved_at)}）")
    return "未承認（下書き）"


def printed_answer(it: PressItem) -> str:
    """The answer text as an export prints it (masked again: fields may be set after construction)."""
    return mask_my_number(it.final_answer)


def answer_hash(it: PressItem) -> str:
    """First 16 hex digits of the SHA-256 of the printed answer (the trail records the full digest)."""
    return short_hash(text_sha256(printed_answer(it)))


def record_line(it: PressItem) -> str:
    """The status and the hash of the answer text, as printed under each answer. Text is masked
    piece by piece, never the hash (a hex digest may hold twelve digits in a row)."""
    return f"{status_line(it)}　本文 SHA-256：{answer_hash(it)}"


def footer_text(draft: PressDraft) -> str:
    head = f"想定問答 No.{draft.id}" if draft.id is not None else "想定問答（保存されていない下書き）"
    marks = []
    for i, it in enumerate(draft.items, 1):
        state = mask_my_number(f"承認 {it.approver} {jp_time(it.approved_at)}") if it.approved else "未承認"
        marks.append(f"問{i} {state} #{answer_hash(it)}")
    return f"{head}　承認記録（# は本文 SHA-256 の先頭16桁）：" + "／".join(marks)


def jp_date(iso: str | None, with_time: bool = False) -> str:
    """2026-11-26T05:42 → 2026年11月26日（ 05:42 with the time）; unparsable text is shown as is."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{t.year}年{t.month}月{t.day}日"
    return f"{day} {t.hour:02d}:{t.minute:02d}" if with_time else day


def jp_time(iso: str | None) -> str:
    return jp_date(iso, with_time=True)


def _md_answer(text: str) -> str:
    """One paragraph per line (a single newline would merge sentences in Markdown viewers)."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return "（回答案はまだありません）"
    return "\n\n".join(f"**{ln}**" if ln.startswith("【") and ln.endswith("】") else ln for ln in lines)


def head_line(draft: PressDraft, record: bool = True) -> str:
    if not record:
        return f"作成日：{jp_date(draft.created)}　全 {len(draft.items)} 問　{UNRECORDED}"
    approved = sum(1 for it in draft.items if it.approved)
    return f"作成日：{jp_date(draft.created)}　承認済み {approved} / 全 {len(draft.items)} 問"


def to_markdown(draft: PressDraft, record: bool = True) -> str:
    m = mask_my_number   # each piece of text; the hashes are added unmasked
    lines = [f"# {m(draft.title)}", "", head_line(draft, record), ""]
    for i, it in enumerate(draft.items, 1):
        lines += [f"## 問{i}　{m(it.question)}", "", "**答**", "", _md_answer(printed_answer(it)), ""]
        if it.responsibility:
            lines += [f"> {m(it.responsibility)}", ""]
        if it.cause:
            lines += [f"> 原因の型：{m(it.cause)}", ""]
        if record:
            lines += [f"*{record_line(it)}*", ""]
        if it.citations:
            lines += ["**出典**", ""]
            for c in it.citations:
                lines.append(f"- {m(source_line(c))}")
                if not record and c.get("quote"):
                    lines += [f"  > {m(q)}" for q in c["quote"].splitlines() if q.strip()]
            lines.append("")
    if record:
        lines += ["---", "", f"*{footer_text(draft)}*"]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(draft: PressDraft, record: bool = True) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Yu Mincho")
    doc.add_heading(mask_my_number(draft.title), level=0)
    doc.add_paragraph(head_line(draft, record))
    for i, it in enumerate(draft.items, 1):
        doc.add_heading(f"問{i}　{mask_my_number(it.question)}", level=1)
        doc.add_paragraph().add_run("答").bold = True
        for block in (printed_answer(it) or "（回答案はまだありません）").split("\n"):
            block = block.strip()
            if block.startswith(("#", "【")):
                doc.add_paragraph().add_run(block.lstrip("#").strip()).bold = True
            elif block:
                doc.add_paragraph(block)
        for line in filter(None, (it.responsibility, f"原因の型：{it.cause}" if it.cause else "")):
            doc.add_paragraph().add_run(mask_my_number(line)).italic = True
        if record:
            doc.add_paragraph().add_run(record_line(it)).font.size = Pt(9)
        if it.citations:
            doc.add_paragraph().add_run("出典").bold = True
            for c in it.citations:
                doc.add_paragraph(mask_my_number(source_line(c))).runs[0].font.size = Pt(9)
                if not record and c.get("quote"):
                    doc.add_paragraph(f"「{mask_my_number(c['quote'])}」").runs[0].font.size = Pt(8)
    if record:
        footer = doc.sections[0].footer.paragraphs[0]
        footer.add_run(footer_text(draft)).font.size = Pt(7)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(draft: PressDraft, fmt: str, record: bool = True) -> bytes:
    if fmt not in FORMATS:
        raise LocalDBError(f"書き出しの形式 {fmt} には対応していません", "docx か md を選んでください")
    return to_docx(draft, record) if fmt == "docx" else to_markdown(draft, record).encode("utf-8")


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
