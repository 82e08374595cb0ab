"""PDF: one unit per page. A damaged, truncated, encrypted, mislabelled or text-less PDF is one clear error."""
from __future__ import annotations

import contextlib
import io
import logging
import re
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document, Unit

from .other import sidecar_meta
from .text import clean

_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)
_AGAIN = "download or export the PDF again"


@contextlib.contextmanager
def _quiet_pypdf():
    """pypdf logs repairs it makes as warnings; they are not the user's problem (a real failure raises)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_bytes(raw: bytes, path: Path) -> None:
    head = raw[:1024]
    if b"%PDF-" not in head:
        if _HTML.search(head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]):
            raise DocumentError(path, "file", "an HTML page saved as .pdf, not a PDF",
                                "rename it to .html, or download the PDF itself")
        raise DocumentError(path, "file", "not a PDF file (it does not start with %PDF)", _AGAIN)
    if b"%%EOF" not in raw[-1024:]:
        raise DocumentError(path, "file", "truncated PDF: the end-of-file marker is missing", _AGAIN)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def load_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError
    raw = path.read_bytes()
    _check_bytes(raw, path)
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise FileNotDecryptedError("needs a password")
            pages = [clean(page.extract_text() or "").strip() for page in reader.pages]
            title = clean(str(reader.metadata.title or "")).strip() if reader.metadata else ""
        except (FileNotDecryptedError, DependencyError) as exc:
            needs = "a password" if isinstance(exc, FileNotDecryptedError) else "the 'cryptography' package"
            raise DocumentError(path, "file", f"encrypted PDF: it cannot be opened without {needs}",
                                "save an unprotected copy (e.g. print it to PDF) and index that") from exc
        except Exception as exc:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError…)
            raise DocumentError(path, "file", f"damaged PDF, cannot be read ({_one_line(exc)})", _AGAIN) from exc
    units = [Unit(heading_path=(f"p.{i}",), text=text, locator=f"p.{i}")
             for i, text in enumerate(pages, start=1) if text]
    if not units:
        raise DocumentError(path, "body", "no extractable text (scanned PDF?)", "OCR the PDF first")
    body = "\n\n".join(u.text for u in units)
    return Document(meta=sidecar_meta(path, title[:200] or path.stem), body=body, path=str(path), units=tuple(units))
