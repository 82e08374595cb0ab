"""`briefing corpus check`: schema, unique ids, actor ids, dates, sources, duplicate texts."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.load import corpus_files, load_file
from assistant.errors import DocumentError
from assistant.normalize import normalize


@dataclass
class CheckReport:
    documents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_corpus(folders: list[Path]) -> CheckReport:
    report = CheckReport()
    ids: dict[str, str] = {}
    bodies: dict[str, str] = {}
    try:
        files = corpus_files(folders)
    except DocumentError as err:
        report.problems.append(str(err))
        return report
    for path in files:
        try:
            doc = load_file(path)
        except DocumentError as err:
            report.problems.append(f"{err.path}: field '{err.field}': {err.problem}")
            continue
        report.documents += 1
        m = doc.meta
        if path.suffix == ".md" and m.id != path.stem:
            report.problems.append(f"{path}: field 'id': '{m.id}' differs from the file name '{path.stem}'")
        if m.id in ids:
            report.problems.append(f"{path}: field 'id': '{m.id}' is already used by {ids[m.id]}")
        ids.setdefault(m.id, str(path))
        if m.kind in ("incident", "analysis") and m.cause is None:
            report.problems.append(f"{path}: field 'cause': required for {m.kind} documents")
        digest = hashlib.sha1(normalize(doc.body).encode("utf-8")).hexdigest()
        if digest in bodies:
            report.problems.append(f"{path}: field 'body': same text as {bodies[digest]}")
        bodies.setdefault(digest, str(path))
    if not files:
        report.problems.append(f"no corpus documents found in {', '.join(map(str, folders))}")
    return report
