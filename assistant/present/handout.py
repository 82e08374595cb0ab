"""責任の整理: the responsibility map as a one-page handout (table rows, Markdown, Word).

Each cell keeps the numbered passages it rests on; the sources list under the table quotes them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.affairs import AffairRow, Quote, ResponsibilityMap
from assistant.values import CAUSE_LABELS

SHARE_LABELS = {"none": "分担なし", "support": "引き受けた支援の範囲", "own": "市自身の事務"}
HOLDS_LABELS = {"information": "情報を保有", "processing": "処理を実施", "both": "情報と処理"}


@dataclass
class Source:
    n: int
    doc_id: str
    title: str
    issuer: str
    date: str
    locator: str
    quote: str


@dataclass
class HandoutRow:
    affair: str
    label: str
    holder: str                      # 個人番号利用事務実施者 (chief party) and its legal role
    basis: str
    info_processing: str             # who holds the information / who did the processing
    city_share: str
    cause: str
    mechanism: str
    figure: str                      # the newest official figure, with its date and issuer
    cites: dict[str, list[int]] = field(default_factory=dict)   # column → passage numbers


@dataclass
class Handout:
    rows: list[HandoutRow]
    sources: list[Source]
    as_of: str


class _Numbering:
    def __init__(self, chunks: dict):
        self.chunks, self.sources, self._n = chunks, [], {}

    def __call__(self, quotes: list[Quote]) -> list[int]:
        out = []
        for q in quotes:
            c = self.chunks.get(q.chunk_id)
            if c is None:
                continue
            key = (q.chunk_id, q.start, q.end)
            if key not in self._n:
                self._n[key] = len(self.sources) + 1
                self.sources.append(Source(self._n[key], c.doc_id, c.meta.title, c.meta.issuer, c.meta.date.isoformat(),
                                           c.locator or "", c.text[q.start:q.end]))
            out.append(self._n[key])
        return out


def build(amap: ResponsibilityMap, chunks: dict) -> Handout:
    """Rows for every affair with a responsible party (survey rows such as the 総点検 are left out)."""
    number = _Numbering(chunks)
    rows = []
    for r in sorted((r for r in amap.rows if r.roles and not r.overview), key=lambda r: -len(r.docs)):
        rows.append(_row(r, number))
    dates = [r.as_of for r in amap.rows if r.as_of]
    return Handout(rows, number.sources, max(dates).isoformat() if dates else "")


def _row(r: AffairRow, number: _Numbering) -> HandoutRow:
    from assistant.compose.verdict import plain, short
    p = r.primary
    figure = next((f for f in r.figures if f.latest), None)
    cites = {"holder": number(p.quotes), "city_share": number(r.city_quotes),
             "cause": number(r.cause_quotes or r.mechanism), "figure": number(figure.quotes) if figure else []}
    holders = "、".join(f"{short(x.actor)}：{HOLDS_LABELS[x.holds]}" for x in r.roles if x.holds)
    share = SHARE_LABELS.get(r.city_share, r.city_share)
    if r.city_share_note:
        share += f"：{r.city_share_note}"
    return HandoutRow(
        affair=r.id, label=r.label, holder=f"{short(p.actor)}（{plain(p.role)}）" if p.role else short(p.actor),
        basis=p.basis, info_processing=holders, city_share=share, cause=CAUSE_LABELS.get(r.cause, r.cause),
        mechanism=_first(r.mechanism, number), cites=cites,
        figure=f"{figure.measure} {figure.value}（{figure.issuer}、{figure.as_of.isoformat()}）" if figure else "")


def _first(quotes: list[Quote], number: _Numbering) -> str:
    nums = number(quotes[:1])
    return number.sources[nums[0] - 1].quote if nums else ""


def by_document(h: Handout) -> list[tuple[list[Source], Source]]:
    """The quoted passages grouped by their document, in order of first use."""
    groups: dict[str, list[Source]] = {}
    for src in h.sources:
        groups.setdefault(src.doc_id, []).append(src)
    return [(g, g[0]) for g in groups.values()]


def source_heading(group: list[Source]) -> str:
    s = group[0]
    return f"{marks([x.n for x in group])} {s.title}{(' ' + s.locator) if s.locator else ''}（{s.issuer}、{s.date}）"


def marks(nums: list[int]) -> str:
    return "".join(f"[{n}]" for n in nums)


COLUMNS = [("label", "事務・事案", None), ("holder", "個人番号利用事務実施者", "holder"), ("basis", "法的根拠", None),
           ("city_share", "市の分担", "city_share"), ("cause", "原因の型", "cause"), ("figure", "最新の公式な数字", "figure")]


def table_rows(h: Handout) -> list[dict]:
    """One dict per affair, Japanese column names, passage numbers after each cited cell."""
    return [{title: f"{getattr(r, attr)} {marks(r.cites.get(cite, []))}".strip() if cite else getattr(r, attr)
             for attr, title, cite in COLUMNS} for r in h.rows]


def to_markdown(h: Handout) -> str:
    lines = ["# 責任の整理（マイナンバー紐付け誤り）", "",
             f"資料の基準日：{h.as_of}。各欄の [n] は下の出典の番号です。", "",
             "| " + " | ".join(t for _, t, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in table_rows(h):
        lines.append("| " + " | ".join(str(v).replace("|", "／") for v in row.values()) + " |")
    lines += ["", "## 出典", ""]
    for group, _ in by_document(h):
        lines.append(f"- {source_heading(group)}")
        lines += [f"  - [{x.n}]「{x.quote}」" for x in group]
    return "\n".join(lines) + "\n"


def to_docx(h: Handout) -> bytes:
    """A landscape one-page handout: the table, then the quoted sources in small print."""
    import io

    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Mm(12))
    style = doc.styles["Normal"]
    style.font.size = Pt(8)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Yu Gothic")
    doc.add_heading("責任の整理（マイナンバー紐付け誤り）", level=1)
    doc.add_paragraph(f"資料の基準日：{h.as_of}　作成日：{dt.date.today().isoformat()}　各欄の [n] は下の出典の番号です。")
    rows = table_rows(h)
    table = doc.add_table(rows=1 + len(rows), cols=len(COLUMNS))
    table.style = "Table Grid"
    for i, (_, title, _) in enumerate(COLUMNS):
        table.rows[0].cells[i].text = title
    for r, row in enumerate(rows, 1):
        for i, value in enumerate(row.values()):
            table.rows[r].cells[i].text = str(value)
    doc.add_heading("出典", level=2)
    for group, _ in by_document(h):
        doc.add_paragraph().add_run(source_heading(group)).bold = True
        for x in group:
            doc.add_paragraph(f"[{x.n}]「{x.quote}」").runs[0].font.size = Pt(7)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def export(h: Handout, out: Path) -> Path:
    suffix = out.suffix.lower()
    if suffix == ".docx":
        out.write_bytes(to_docx(h))
    elif suffix == ".md":
        out.write_text(to_markdown(h), encoding="utf-8")
    else:
        from assistant.errors import BriefingError
        raise BriefingError(f"cannot write {out.name}", "use a file name ending in .docx or .md")
    return out
