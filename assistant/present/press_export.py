"""A press draft as Word (.docx) or Markdown: title, questions, answers, sources, and the approval record.

Each answer carries its status line and the first 16 hex digits of the SHA-256 of its text; the
Word footer repeats that approval record for every question on every page, so a printed answer
can be checked against the draft's history (`briefing audit show --draft ID`).
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
    return "\n\n".join(f"**{ln}**" if ln.startswith("【") and ln.endswith("】") else ln for ln in lines)


def to_markdown(draft: PressDraft) -> str:
    m = mask_my_number   # each piece of text; the hashes are added unmasked
    approved = sum(1 for it in draft.items if it.approved)
    lines = [f"# {m(draft.title)}", "", f"作成日：{jp_date(draft.created)}　承認済み {approved} / 全 {len(draft.items)} 問", ""]
    for i, it in enumerate(draft.items, 1):
        lines += [f"## 問{i}　{m(it.question)}", "", "**答**", "", _md_answer(printed_answer(it)), ""]
        if it.responsibility:
            lines += [f"> {m(it.responsibility)}", ""]
        if it.cause:
            lines += [f"> 原因の型：{m(it.cause)}", ""]
        lines += [f"*{record_line(it)}*", ""]
        if it.citations:
            lines += ["**出典**", ""] + [f"- {m(source_line(c))}" for c in it.citations] + [""]
    lines += ["---", "", f"*{footer_text(draft)}*"]
    return "\n".join(lines).rstrip() + "\n"


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
    doc.add_paragraph(f"作成日：{jp_date(draft.created)}　承認済み {approved} / 全 {len(draft.items)} 問")
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
        doc.add_paragraph().add_run(record_line(it)).font.size = Pt(9)
        if it.citations:
            doc.add_paragraph().add_run("出典").bold = True
            for c in it.citations:
                doc.add_paragraph(mask_my_number(source_line(c))).runs[0].font.size = Pt(9)
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run(footer_text(draft)).font.size = Pt(7)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(draft: PressDraft, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise LocalDBError(f"書き出しの形式 {fmt} には対応していません", "docx か md を選んでください")
    return to_docx(draft) if fmt == "docx" else to_markdown(draft).encode("utf-8")


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
