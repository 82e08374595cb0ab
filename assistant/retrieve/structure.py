"""Statute structure in queries: law names and article locators (金融商品取引法第5条第6項).

Questions about statutes often name the law and the article; matching those against each
chunk's locator and law name beats any embedding at telling 第5条 from 第24条.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalize import normalize

_REF = re.compile(r"第(\d+)条(?:の(\d+))?((?:第\d+項)?)")
_PARA = re.compile(r"第(\d+)項")
_RANGE = re.compile(r"第(\d+)条\s*[〜~～から－-]\s*第(\d+)条")
_LAW_NAME = re.compile(r"([^\s、。,.「」『』（）()＞>]{2,40}?(?:法律|法|令|規則))")


@dataclass(frozen=True)
class Ref:
    article: str              # "14" or "30の9"
    paragraph: int | None


def parse_refs(text: str) -> list[Ref]:
    t = normalize(text)
    refs = []
    for m in _REF.finditer(t):
        art = m.group(1) + (f"の{m.group(2)}" if m.group(2) else "")
        para = _PARA.search(m.group(3) or "")
        refs.append(Ref(art, int(para.group(1)) if para else None))
    return refs


def locator_articles(locator: str | None) -> tuple[set[str], set[int]]:
    """Articles and paragraphs a chunk covers: 「第2条第12項・第13項」 → ({"2"}, {12, 13})."""
    if not locator:
        return set(), set()
    t = normalize(locator)
    arts = {m.group(1) + (f"の{m.group(2)}" if m.group(2) else "") for m in _REF.finditer(t)}
    for m in _RANGE.finditer(t):
        lo, hi = int(m.group(1)), int(m.group(2))
        if 0 < hi - lo < 50:
            arts |= {str(n) for n in range(lo, hi + 1)}
    return arts, {int(p) for p in _PARA.findall(t)}


def law_names(*texts: str) -> set[str]:
    names = set()
    for t in texts:
        for m in _LAW_NAME.finditer(normalize(t or "")):
            names.add(m.group(1))
    return names


class StructureMatcher:
    """Scores chunks 0..1 by how well their locator / law name match the query's references."""

    def __init__(self, chunks):
        self._arts, self._paras, self._laws = {}, {}, {}
        for c in chunks:
            arts, paras = locator_articles(c.locator)
            self._arts[c.id], self._paras[c.id] = arts, paras
            self._laws[c.id] = law_names(c.meta.title, *(c.heading_path[:1]))
        self.known_laws = sorted({n for s in self._laws.values() for n in s}, key=len, reverse=True)

    def scores(self, query: str) -> dict[str, float]:
        refs = parse_refs(query)
        q = normalize(query)
        named = {law for law in self.known_laws if law in q}
        if not refs and not named:
            return {}
        out = {}
        for cid, arts in self._arts.items():
            s = 0.0
            law_ok = not named or bool(self._laws[cid] & named)
            for r in refs:
                if r.article in arts:
                    part = 0.6 + (0.4 if r.paragraph is None or r.paragraph in self._paras[cid]
                                  or not self._paras[cid] else 0.0)
                    s = max(s, part if law_ok else part * 0.5)
            if named and law_ok:
                s = max(s, 0.25) if not refs else s + 0.15
            if s:
                out[cid] = min(s, 1.0)
        return out
