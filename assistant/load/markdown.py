"""Markdown with YAML front matter (contract §3)."""
from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document

from .meta import parse_meta, parse_yaml
from .text import read_text, require_text

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n?^---[ \t]*$\n?", re.S | re.M)
_OPENING = re.compile(r"\A---[ \t]*(?:\n|\Z)")
_HINT = "add front matter with id, kind, title, issuer, date, source"


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        if _OPENING.match(text):
            raise DocumentError(path, "front matter", "not closed: no '---' line ends the YAML block",
                                "add a line with only '---' after the metadata")
        raise DocumentError(path, "front matter", "missing: the file must start with a '---' YAML block", _HINT)
    raw = parse_yaml(m.group(1), path, "front matter", first_line=2)
    return ({} if raw is None else raw), text[m.end():]


def load_markdown(path: Path) -> Document:
    text = read_text(path)
    if not text.strip():
        raise DocumentError(path, "body", "empty file", _HINT + ", then the text")
    raw, body = split_front_matter(text, path)
    meta = parse_meta(raw, path)
    if not body.strip():
        raise DocumentError(path, "body", "empty: the document has front matter but no text")
    require_text(body, path)
    return Document(meta=meta, body=body.strip() + "\n", path=str(path))
