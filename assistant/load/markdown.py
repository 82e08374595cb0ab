"""Markdown with YAML front matter (contract §3)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.errors import DocumentError
from assistant.values import DocMeta, Document

class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates reach pydantic as text, so a bad date names its field."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str):
    return yaml.load(text, Loader=_Loader)


_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def parse_meta(raw: dict, path: Path) -> DocMeta:
    if not isinstance(raw, dict):
        raise DocumentError(path, "front matter", "must be a YAML mapping of keys to values")
    try:
        return DocMeta.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "front matter"
        raise DocumentError(path, loc, first["msg"]) from exc


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        raise DocumentError(path, "front matter", "missing: the file must start with a '---' YAML block",
                            "add front matter with id, kind, title, issuer, date, source")
    try:
        raw = load_yaml(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(path, "front matter", f"invalid YAML ({exc.__class__.__name__}: "
                            f"{getattr(exc, 'problem', exc)})") from exc
    return raw, text[m.end():]


def load_markdown(path: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    raw, body = split_front_matter(text, path)
    meta = parse_meta(raw, path)
    if not body.strip():
        raise DocumentError(path, "body", "empty: the document has front matter but no text")
    return Document(meta=meta, body=body.strip() + "\n", path=str(path))
