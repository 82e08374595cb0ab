"""Chunk records (the text quotes come from) and the store manifest, as plain files."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from assistant.values import Chunk, DocMeta


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def save_chunks(path: Path, chunks: list[Chunk]) -> None:
    lines = [json.dumps({"id": c.id, "doc_id": c.doc_id, "text": c.text, "heading_path": list(c.heading_path),
                         "locator": c.locator, "position": c.position,
                         "meta": c.meta.model_dump(mode="json", exclude_none=True)}, ensure_ascii=False)
             for c in chunks]
    write_atomic(path, "\n".join(lines) + ("\n" if lines else ""))


def load_chunks(path: Path) -> list[Chunk]:
    metas: dict[str, DocMeta] = {}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        meta = metas.get(r["doc_id"]) or metas.setdefault(r["doc_id"], DocMeta.model_validate(r["meta"]))
        out.append(Chunk(id=r["id"], doc_id=r["doc_id"], text=r["text"], heading_path=tuple(r["heading_path"]),
                         meta=meta, locator=r.get("locator"), position=r.get("position", 0)))
    return out


def fingerprint(chunks: list[Chunk]) -> str:
    h = hashlib.sha1()
    for cid in sorted(c.id for c in chunks):
        h.update(cid.encode("utf-8"))
    return h.hexdigest()[:16]


def read_manifest(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


def write_manifest(path: Path, manifest: dict) -> None:
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2))
