"""`briefing corpus check`: schema, unique ids, actor ids, dates, sources, duplicate texts, skipped files."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chunk.sentences import split_sentences
from assistant.errors import DocumentError
from assistant.injection import looks_like_instruction
from assistant.load import duplicate_ids, load_file, scan_corpus, skip_message
from assistant.normalize import normalize


@dataclass
class CheckReport:
    documents: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # not fatal: e.g. files of an unsupported type

    @property
    def ok(self) -> bool:
        return not self.problems


def _line(err: DocumentError) -> str:
    return f"{err.path}: field '{err.field}': {err.problem}"


def check_corpus(folders: list[Path]) -> CheckReport:
    report = CheckReport()
    bodies: dict[str, str] = {}
    try:
        files, skipped = scan_corpus(folders)
    except DocumentError as err:
        report.problems.append(str(err))
        return report
    report.warnings = [skip_message(p, reason) for p, reason in skipped]
    docs = []
    for path in files:
        try:
            docs.append(load_file(path))
        except DocumentError as err:
            report.problems.append(_line(err))
    report.documents = len(docs)
    report.problems.extend(_line(err) for err in duplicate_ids(docs))   # as `briefing index` reports them
    for doc in docs:
        path, m = Path(doc.path), doc.meta
        if path.suffix == ".md" and m.id != path.stem:
            report.problems.append(f"{path}: field 'id': '{m.id}' differs from the file name '{path.stem}'")
        if m.kind in ("incident", "analysis") and m.cause is None:
            report.problems.append(f"{path}: field 'cause': required for {m.kind} documents")
        for sentence in split_sentences(doc.body):
            if looks_like_instruction(sentence):
                report.warnings.append(f"{path}: text addressed to the assistant (an instruction, possible prompt "
                                       f"injection); it will never be quoted: 「{sentence.strip()[:60]}」")
        digest = hashlib.sha1(normalize(doc.body).encode("utf-8")).hexdigest()
        if digest in bodies:
            report.problems.append(f"{path}: field 'body': same text as {bodies[digest]}")
        bodies.setdefault(digest, str(path))
    ids = {d.meta.id for d in docs}
    report.warnings += [f"{d.path}: field 'supersedes': no document with id '{d.meta.supersedes}' in these folders"
                        for d in docs if d.meta.supersedes and d.meta.supersedes not in ids]
    if docs and not report.problems:
        report.problems.extend(_map_problems(docs))
    if not files:
        report.problems.append(f"no corpus documents found in {', '.join(map(str, folders))}")
    return report


def _map_problems(docs) -> list[str]:
    """The responsibility map must build: every evidence phrase is found in a body sentence."""
    from assistant.chunk import Chunker
    from assistant.index.affairs import build_map
    from assistant.settings import get_settings
    s = get_settings()
    chunker = Chunker(s.chunk_max_chars, s.chunk_overlap_chars)
    try:
        build_map(docs, [c for d in docs for c in chunker(d)])
    except DocumentError as err:
        return [_line(err)]
    return []
