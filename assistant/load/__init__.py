"""Load stage: corpus files → validated `Document`s.

Markdown with YAML front matter is the house format; plain text, PDF, HTML and e-Gov statute
XML are accepted too (their metadata comes from a `<file>.meta.yaml` sidecar when present).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document

from .egov_xml import load_egov_xml
from .markdown import load_markdown
from .other import load_html, load_pdf, load_text

LOADERS = {".md": load_markdown, ".markdown": load_markdown, ".txt": load_text,
           ".pdf": load_pdf, ".html": load_html, ".htm": load_html, ".xml": load_egov_xml}


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)


def corpus_files(folders: list[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_file():
            files.append(folder)
            continue
        if not folder.is_dir():
            raise DocumentError(folder, "--corpus", "folder not found", "pass an existing corpus folder")
        for p in sorted(folder.rglob("*")):
            if (p.is_file() and p.suffix.lower() in LOADERS and p.name.lower() != "readme.md"
                    and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)):
                files.append(p)
    return files


def load_file(path: Path) -> Document:
    try:
        return LOADERS[path.suffix.lower()](path)
    except DocumentError:
        raise
    except UnicodeDecodeError as exc:
        raise DocumentError(path, "encoding", f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from exc
    except Exception as exc:  # a broken PDF/XML must name the file, not crash the run
        raise DocumentError(path, "file", f"cannot be read: {exc}") from exc


def load_corpus(folders: list[Path]) -> LoadResult:
    """Load every supported file; malformed ones are collected as errors, never silently dropped."""
    result = LoadResult()
    for path in corpus_files(folders):
        try:
            result.documents.append(load_file(path))
        except DocumentError as err:
            result.errors.append(err)
    return result
