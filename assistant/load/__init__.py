"""Load stage: corpus files → validated `Document`s.

Markdown with YAML front matter is the house format; plain text, PDF, Word (.docx), HTML and
e-Gov statute XML are accepted too (their metadata comes from a `<file>.meta.yaml` sidecar when present).
Every bad file becomes a `DocumentError` naming file and field; other files in a corpus folder
are listed as skipped (and logged), never silently ignored.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document

from .egov_xml import load_egov_xml
from .markdown import load_markdown
from .other import load_html, load_text
from .pdf import load_pdf
from .word import load_word

log = logging.getLogger("assistant.load")

LOADERS = {".md": load_markdown, ".markdown": load_markdown, ".txt": load_text,
           ".pdf": load_pdf, ".docx": load_word, ".html": load_html, ".htm": load_html, ".xml": load_egov_xml}
SUPPORTED = ".md, .txt, .pdf, .docx, .html, .xml"
SIDECAR = ".meta.yaml"


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)   # (file, why it is not loaded)


def skip_message(path: Path, reason: str) -> str:
    return f"skipped {path}: {reason}"


def _skip_reason(p: Path) -> str | None:
    """Why a file in a corpus folder is not loaded, or None when it is not worth a word."""
    name = p.name.lower()
    if name.endswith(SIDECAR):
        base = p.with_name(p.name[: -len(SIDECAR)])
        if not base.exists():
            return f"metadata sidecar without its document {base.name}"
        if base.suffix.lower() in (".md", ".markdown"):
            return "metadata sidecar ignored: Markdown files carry their metadata in front matter"
        return None
    if not p.exists():
        return "broken link"
    suffix = p.suffix.lower()
    return f"unsupported file type {suffix or '(no suffix)'} (supported: {SUPPORTED})"


def scan_corpus(folders: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to load, files skipped with the reason). Hidden and `_`-prefixed entries and README.md are left out."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for folder in map(Path, folders):
        if folder.is_file():
            candidates = [folder]
        elif folder.is_dir():
            candidates = [p for p in sorted(folder.rglob("*"))
                          if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
                          and not p.is_dir() and p.name.lower() != "readme.md"]
        else:
            raise DocumentError(folder, "--corpus", "folder not found", "pass an existing corpus folder")
        for p in candidates:
            if p.resolve() in seen:
                continue
            seen.add(p.resolve())
            if p.suffix.lower() in LOADERS and p.is_file():
                files.append(p)
            elif folder.is_file():
                files.append(p)     # named explicitly: load_file says why it cannot be read
            elif (reason := _skip_reason(p)) is not None:
                skipped.append((p, reason))
    return files, skipped


def corpus_files(folders: list[Path]) -> list[Path]:
    return scan_corpus(folders)[0]


def load_file(path: Path) -> Document:
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    try:
        if loader is None:
            raise DocumentError(path, "file", _skip_reason(path) or "not a corpus document")
        return loader(path)
    except DocumentError:
        raise
    except OSError as exc:
        raise DocumentError(path, "file", f"cannot be opened ({exc.strerror or exc})") from exc
    except Exception as exc:  # whatever a broken file does, name the file and do not crash the run
        text = " ".join(str(exc).split())[:160]
        raise DocumentError(path, "file", f"cannot be read ({exc.__class__.__name__}: {text})") from exc


def duplicate_ids(documents: list[Document]) -> list[DocumentError]:
    """One error per document whose id another document also uses (each names the other files)."""
    by_id: dict[str, list[Document]] = {}
    for d in documents:
        by_id.setdefault(d.meta.id, []).append(d)
    return [DocumentError(d.path, "id", f"'{d.meta.id}' is already used by "
                          + ", ".join(o.path for o in same if o is not d),
                          "give each document its own id (for Markdown: the file name without .md)")
            for same in by_id.values() if len(same) > 1 for d in same]


def load_corpus(folders: list[Path], warn: bool = True) -> LoadResult:
    """Load every supported file. Malformed files and documents sharing an id are errors (none of
    them is loaded, so nothing is half-indexed); unsupported files are listed in `skipped`."""
    files, skipped = scan_corpus(folders)
    result = LoadResult(skipped=skipped)
    for path, reason in skipped:
        if warn:
            log.warning(skip_message(path, reason))
    for path in files:
        try:
            result.documents.append(load_file(path))
        except DocumentError as err:
            result.errors.append(err)
    clashes = duplicate_ids(result.documents)
    result.errors.extend(clashes)
    refused = {e.path for e in clashes}
    result.documents = [d for d in result.documents if d.path not in refused]
    return result
