"""Plain text and HTML. Metadata from a `<file>.meta.yaml` sidecar, else derived."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document

from .meta import parse_meta, read_sidecar
from .text import clean, read_text, require_text


def derived_id(path: Path) -> str:
    """Stable across runs and checkouts: folder + file name, plus a short hash for non-ASCII names."""
    stem = f"{path.parent.name}-{path.stem}"
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "doc"
    return f"{slug}-{hashlib.sha1(stem.encode('utf-8', 'surrogateescape')).hexdigest()[:6]}"


def sidecar_meta(path: Path, title: str, kind: str = "guidance"):
    raw = read_sidecar(path)
    if raw is not None:
        return parse_meta(raw, path.with_name(path.name + ".meta.yaml"), "sidecar")
    return parse_meta({
        "id": derived_id(path), "kind": kind, "title": title.strip() or path.stem or path.name,
        "issuer": "不明（メタデータ未設定）",
        "date": dt.date.fromtimestamp(path.stat().st_mtime).isoformat(),
        "source": str(path),
    }, path)


def load_text(path: Path) -> Document:
    text = read_text(path)
    require_text(text, path)
    title = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)[:80]
    return Document(meta=sidecar_meta(path, title), body=text, path=str(path))


def load_html(path: Path) -> Document:
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
    for noise in (MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning):   # XHTML, or a page that is just a URL
        warnings.filterwarnings("ignore", category=noise)
    soup = BeautifulSoup(read_text(path), "html.parser")
    title = clean(soup.title.get_text(strip=True) if soup.title else "")[:200] or path.stem
    for tag in soup(["title", "script", "style", "nav", "header", "footer"]):   # the title goes to the metadata
        tag.decompose()
    # Headings become Markdown headings so chunking stays heading-aware.
    for level in range(1, 5):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * max(2, level)} {h.get_text(strip=True)}\n\n")
    for br in soup.find_all(["p", "li", "br", "div"]):
        br.insert_after("\n")
    text = re.sub(r"\n{3,}", "\n\n", clean(soup.get_text())).strip()   # entities may spell control characters
    if not text:
        raise DocumentError(path, "body", "no text in the HTML page")
    require_text(text, path)
    return Document(meta=sidecar_meta(path, title), body=text, path=str(path))
