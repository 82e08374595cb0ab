"""Split documents into chunks along headings (##), then sentences when a section is too long.

Small child sections (e.g. 号 under a 項) are merged into their parent while they fit, so a
statute's article is not cut mid-way; long sections are packed sentence by sentence with a
small overlap. Chunk ids hash the content, so re-indexing the same text is a no-op.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.values import Chunk, Document

from .sentences import split_sentences

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LOCATOR_PART = re.compile(r"^第[0-9０-９]+(?:条|項|号)(?:の[0-9０-９]+)*")


@dataclass
class _Section:
    level: int
    path: tuple[str, ...]
    text: str


def chunk_id(doc_id: str, heading_path: tuple[str, ...], text: str) -> str:
    digest = hashlib.sha1("\x1f".join((doc_id, "/".join(heading_path), text)).encode("utf-8"))
    return f"{doc_id}#{digest.hexdigest()[:12]}"


def locator_from_headings(path: tuple[str, ...]) -> str | None:
    parts = [m.group(0) for h in path if (m := _LOCATOR_PART.match(h.strip()))]
    return "".join(parts) or None


class Chunker:
    def __init__(self, max_chars: int = 600, overlap_chars: int = 80):
        if max_chars < 50:
            raise ValueError("max_chars must be at least 50")
        if not 0 <= overlap_chars < max_chars // 2:
            raise ValueError("overlap_chars must be between 0 and max_chars/2")
        self.max_chars, self.overlap = max_chars, overlap_chars

    def __call__(self, doc: Document) -> list[Chunk]:
        if doc.units:
            sections = [_Section(len(u.heading_path), u.heading_path, u.text) for u in doc.units]
            locators = [u.locator for u in doc.units]
        else:
            sections = self._merge(self._sections(doc.body))
            locators = [None] * len(sections)
        chunks: list[Chunk] = []
        for sec, unit_locator in zip(sections, locators):
            locator = unit_locator or locator_from_headings(sec.path) or doc.meta.locator
            for piece in self._pack(sec.text):
                chunks.append(Chunk(id=chunk_id(doc.meta.id, sec.path, piece), doc_id=doc.meta.id,
                                    text=piece, heading_path=sec.path, meta=doc.meta,
                                    locator=locator, position=len(chunks)))
        return _dedupe(chunks)

    @staticmethod
    def _sections(body: str) -> list[_Section]:
        sections, path_stack, buf = [], [], []
        level = 0

        def flush():
            text = "\n".join(buf).strip()
            if text:
                sections.append(_Section(level, tuple(h for _, h in path_stack), text))
            buf.clear()

        for line in body.splitlines():
            m = _HEADING.match(line)
            if m:
                flush()
                level = len(m.group(1))
                while path_stack and path_stack[-1][0] >= level:
                    path_stack.pop()
                path_stack.append((level, m.group(2).strip()))
            else:
                buf.append(line)
        flush()
        return sections

    def _merge(self, sections: list[_Section]) -> list[_Section]:
        merged: list[_Section] = []
        for sec in sections:
            prev = merged[-1] if merged else None
            is_child = prev is not None and len(sec.path) > len(prev.path) and sec.path[:len(prev.path)] == prev.path
            if is_child and len(prev.text) + len(sec.text) + 20 <= self.max_chars:
                label = " ".join(sec.path[len(prev.path):])
                prev.text = f"{prev.text}\n{label}\n{sec.text}"
            else:
                merged.append(_Section(sec.level, sec.path, sec.text))
        return merged

    def _pack(self, text: str) -> list[str]:
        if len(text) <= self.max_chars:
            return [text]
        pieces: list[str] = []
        current: list[str] = []
        for sent in _hard_wrap(split_sentences(text), self.max_chars):
            if current and len("".join(current)) + len(sent) > self.max_chars:
                pieces.append(_join(current))
                carry: list[str] = []
                for prev in reversed(current):      # overlap: whole trailing sentences only
                    if len("".join(carry)) + len(prev) > self.overlap:
                        break
                    carry.insert(0, prev)
                current = carry
            current.append(sent)
        if current:
            pieces.append(_join(current))
        return pieces


def _join(sentences: list[str]) -> str:
    out = ""
    for s in sentences:
        out += ("" if not out or out.endswith(("。", "」", "！", "？")) else "\n") + s
    return out


def _hard_wrap(sentences: list[str], limit: int) -> list[str]:
    """A single sentence longer than the limit is cut at 、 or, failing that, by length."""
    out = []
    for s in sentences:
        while len(s) > limit:
            cut = s.rfind("、", 0, limit)
            cut = cut + 1 if cut > limit // 2 else limit
            out.append(s[:cut])
            s = s[cut:]
        if s:
            out.append(s)
    return out


def _dedupe(chunks: list[Chunk]) -> list[Chunk]:
    seen, out = set(), []
    for c in chunks:
        if c.id not in seen:
            seen.add(c.id)
            out.append(c)
    return out


def chunk_documents(docs: list[Document], max_chars: int = 600, overlap_chars: int = 80) -> list[Chunk]:
    chunker = Chunker(max_chars, overlap_chars)
    return [c for d in docs for c in chunker(d)]
