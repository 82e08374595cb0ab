"""Plain text, PDF and HTML. Metadata from a `<file>.meta.yaml` sidecar, else derived."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document, Unit

from .markdown import load_yaml, parse_meta


def sidecar_meta(path: Path, title: str, kind: str = "guidance"):
    side = path.with_name(path.name + ".meta.yaml")
    if side.is_file():
        try:
            raw = load_yaml(side.read_text(encoding="utf-8")) or {}
        except Exception as exc:  # yaml.YAMLError or a bad scalar
            raise DocumentError(side, "sidecar", f"invalid YAML: {exc}") from exc
        return parse_meta(raw, side)
    # Stable across runs and checkouts: folder + file name, plus a short hash for non-ASCII names.
    stem = f"{path.parent.name}-{path.stem}"
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "doc"
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:6]
    return parse_meta({
        "id": f"{slug}-{digest}", "kind": kind, "title": title or path.stem,
        "issuer": "不明（メタデータ未設定）",
        "date": dt.date.fromtimestamp(path.stat().st_mtime).isoformat(),
        "source": str(path),
    }, path)


def load_text(path: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise DocumentError(path, "body", "empty file")
    title = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)[:80]
    return Document(meta=sidecar_meta(path, title), body=text, path=str(path))


def load_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    reader = PdfReader(str(path))
    units = []
    for i, page in enumerate(reader.pages, start=1):
        text = (page.extract_text() or "").strip()
        if text:
            units.append(Unit(heading_path=(f"p.{i}",), text=text, locator=f"p.{i}"))
    if not units:
        raise DocumentError(path, "body", "no extractable text (scanned PDF?)", "OCR the PDF first")
    title = (reader.metadata.title if reader.metadata and reader.metadata.title else "") or path.stem
    body = "\n\n".join(u.text for u in units)
    return Document(meta=sidecar_meta(path, title), body=body, path=str(path), units=tuple(units))


def load_html(path: Path) -> Document:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer"]):
        tag.decompose()
    title = (soup.title.get_text(strip=True) if soup.title else "") or path.stem
    # Headings become Markdown headings so chunking stays heading-aware.
    for level in range(1, 5):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * max(2, level)} {h.get_text(strip=True)}\n\n")
    for br in soup.find_all(["p", "li", "br", "div"]):
        br.insert_after("\n")
    text = re.sub(r"\n{3,}", "\n\n", soup.get_text()).strip()
    if not text:
        raise DocumentError(path, "body", "no text in the HTML page")
    return Document(meta=sidecar_meta(path, title), body=text, path=str(path))
