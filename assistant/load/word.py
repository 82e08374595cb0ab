"""Word (.docx): headings, paragraphs and tables in document order → a heading-aware body.

Heading styles (Heading 1…, 見出し 1…) become Markdown headings, so chunks keep their heading path
and a heading such as 第3条 gives the locator, as for Markdown documents. A table becomes one line
per row ("列名：値、列名：値"). Metadata comes from a `<file>.meta.yaml` sidecar, as for PDFs.
A password-protected file, an old .doc renamed to .docx and a damaged file are one clear error each.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document

from .other import sidecar_meta
from .text import clean, require_text

_OLE = b"\xd0\xcf\x11\xe0"          # compound file: an encrypted .docx, or a .doc renamed
_ZIP = b"PK\x03\x04"
_LEVEL = re.compile(r"^(?:heading|見出し)\s*([1-9])$", re.I)
_AGAIN = "save the file again from Word as .docx and add that"


def _check_bytes(raw: bytes, path: Path) -> None:
    if raw.startswith(_OLE):
        raise DocumentError(path, "file", "password-protected (encrypted) Word file, or an old .doc saved "
                            "as .docx: it cannot be read",
                            "remove the password in Word (or save it as .docx) and add that copy")
    if not raw.startswith(_ZIP):
        raise DocumentError(path, "file", "not a Word .docx file (it is not a ZIP package)", _AGAIN)


def heading_level(style_name: str) -> int | None:
    """1 for the document title, 2… for Heading 1… (## as in the Markdown corpus); None for body text."""
    name = (style_name or "").strip()
    if name.lower() in ("title", "表題"):
        return 1
    m = _LEVEL.match(name)
    return min(int(m.group(1)) + 1, 6) if m else None


def _line(text: str) -> str:
    text = " ".join(clean(text).split())
    return "＃" + text[1:] if text.startswith("#") else text   # body text never reads as a heading


def table_lines(table) -> list[str]:
    """One line per row; with a header row, each value is labelled with its column."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:   # a merged cell repeats across the row: keep it once
            text = _line(cell.text)
            if not cells or text != cells[-1]:
                cells.append(text)
        if any(cells):
            rows.append(cells)
    if len(rows) < 2:
        return ["、".join(c for c in r if c) for r in rows]
    head, out = rows[0], ["、".join(c for c in rows[0] if c)]
    for r in rows[1:]:
        labels = head if len(r) == len(head) else [""] * len(r)
        pairs = [f"{h}：{v}" if h else v for h, v in zip(labels, r) if v]
        out.append("、".join(pairs) + ("" if pairs[-1].endswith("。") else "。"))
    return out


def load_word(path: Path) -> Document:
    from docx import Document as open_docx
    raw = path.read_bytes()
    _check_bytes(raw, path)
    try:
        doc = open_docx(io.BytesIO(raw))
        lines, title = [], clean(doc.core_properties.title or "").strip()
        for block in doc.iter_inner_content():   # paragraphs and tables in document order
            if hasattr(block, "rows"):
                lines += ["", *table_lines(block), ""]
                continue
            text = _line(block.text)
            if not text:
                continue
            level = heading_level(block.style.name if block.style is not None else "")
            if level is None:
                lines.append(text)
            elif level == 1:   # the document's title: metadata, not a section
                title = title or text
            else:
                title = title or (text if level <= 2 else "")
                lines += ["", f"{'#' * level} {text}", ""]
    except DocumentError:
        raise
    except Exception as exc:  # python-docx raises many kinds on a bad package (BadZipFile, KeyError, XML errors…)
        detail = " ".join(str(exc).split())[:120]
        raise DocumentError(path, "file", f"damaged Word file, cannot be read ({exc.__class__.__name__}: {detail})",
                            _AGAIN) from exc
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not body:
        raise DocumentError(path, "body", "no text in the Word file")
    require_text(body, path)
    return Document(meta=sidecar_meta(path, title[:200] or path.stem), body=body + "\n", path=str(path))
