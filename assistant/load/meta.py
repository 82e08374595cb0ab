"""Document metadata: YAML (front matter or a `<file>.meta.yaml` sidecar) → validated `DocMeta`."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.errors import DocumentError
from assistant.values import DocMeta

from .text import read_text


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates reach pydantic as text, so a bad date names its field."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str):
    return yaml.load(text, Loader=_Loader)


def parse_yaml(text: str, path: Path, field: str, first_line: int = 1):
    """YAML text → Python value; a syntax error names the line (counted in the file) and the problem."""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc.__class__.__name__)
        problem = problem.replace("character '\\t'", "a tab character")
        hint = "indent YAML with spaces, not tabs" if "tab" in problem else ""
        raise DocumentError(path, field, f"invalid YAML{where}: {problem}", hint) from exc
    except RecursionError as exc:
        raise DocumentError(path, field, "invalid YAML: nested too deeply") from exc


def parse_meta(raw, path: Path, where: str = "front matter") -> DocMeta:
    if not isinstance(raw, dict):
        raise DocumentError(path, where, f"must be a YAML mapping of keys to values, not {_kind(raw)}",
                            "write one 'key: value' per line (id, kind, title, issuer, date, source)")
    if isinstance(raw.get("date"), (int, float)):   # pydantic would read a number as a Unix time
        raise DocumentError(path, "date", f"{raw['date']!r} is not a date", "write the date as YYYY-MM-DD")
    try:
        return DocMeta.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or where
        raise DocumentError(path, loc, first["msg"]) from exc


def read_sidecar(path: Path) -> dict | None:
    """The `<file>.meta.yaml` next to `path` as a mapping, or None when there is none."""
    side = path.with_name(path.name + ".meta.yaml")
    if not side.is_file():
        return None
    raw = parse_yaml(read_text(side), side, "sidecar")
    if not isinstance(raw, dict):
        raise DocumentError(side, "sidecar", f"must be a YAML mapping of keys to values, not {_kind(raw)}")
    return raw


def _kind(value) -> str:
    return {list: "a list", str: "a single text", type(None): "empty"}.get(type(value), f"a {type(value).__name__}")
