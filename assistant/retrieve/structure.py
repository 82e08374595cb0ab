"""Statute structure in queries: law names and article locators (金融商品取引法第5条第6項).

Questions about statutes often name the law and the article; matching those against each
chunk's locator and law name beats any embedding at telling 第5条 from 第24条.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalize import normalize

_ARTICLE = r"第(\d+)条((?:の\d+)*)"                       # 第27条の22の2
_REF = re.compile(_ARTICLE + r"((?:第\d+項)?)")
_PARA = re.compile(r"第(\d+)項")
_RANGE = re.compile(r"第(\d+)条\s*[〜~～から－-]\s*第(\d+)条")
# Greedy, and never across an article number: 「金融商品取引法施行令」 stays whole.
_LAW_NAME = re.compile(r"([^\s、。,.「」『』（）()＞>第0-9]{2,40}(?:法律|施行令|施行規則|府令|省令|規則|法|令))")


@dataclass(frozen=True)
class Ref:
    article: str              # "14", "30の9", "27の22の2"
    paragraph: int | None
    law: str | None = None    # the law named right before the article, if any


def _article(m: re.Match) -> str:
    return m.group(1) + m.group(2)


def locator_articles(locator: str | None) -> tuple[set[str], set[int]]:
    """Articles and paragraphs a chunk covers: 「第2条第12項・第13項」 → ({"2"}, {12, 13})."""
    if not locator:
        return set(), set()
    t = normalize(locator)
    arts = {_article(m) for m in _REF.finditer(t)}
    for m in _RANGE.finditer(t):
        lo, hi = int(m.group(1)), int(m.group(2))
        if 0 < hi - lo < 50:
            arts |= {str(n) for n in range(lo, hi + 1)}
    return arts, {int(p) for p in _PARA.findall(t)}


def law_names(*texts: str) -> set[str]:
    return {m.group(1) for t in texts for m in _LAW_NAME.finditer(normalize(t or ""))}


def chunk_laws(chunk) -> set[str]:
    """The law a chunk belongs to: its first heading when that names a law (a document may
    quote several laws), else the document title."""
    first = chunk.heading_path[0] if chunk.heading_path else ""
    return law_names(first) or law_names(chunk.meta.title)


class StructureMatcher:
    """Scores chunks 0..1 by how well their locator / law name match the query's references."""

    def __init__(self, chunks):
        self._arts, self._paras, self._laws = {}, {}, {}
        for c in chunks:
            self._arts[c.id], self._paras[c.id] = locator_articles(c.locator)
            self._laws[c.id] = chunk_laws(c)
        self.known_laws = sorted({n for s in self._laws.values() for n in s}, key=len, reverse=True)
        alternation = "|".join(re.escape(n) for n in self.known_laws)
        self._ref_with_law = re.compile(rf"({alternation})?" + _REF.pattern) if alternation else _REF

    def parse(self, query: str) -> tuple[list[Ref], set[str]]:
        """Article references (each tied to the law written just before it) and every law named."""
        q = normalize(query)
        refs = []
        for m in self._ref_with_law.finditer(q):
            law, groups = (m.group(1), m.groups()[1:]) if self.known_laws else (None, m.groups())
            para = _PARA.search(groups[2] or "")
            refs.append(Ref(groups[0] + groups[1], int(para.group(1)) if para else None, law))
        named, rest = set(), q
        for law in self.known_laws:          # longest first: 施行令 is not also the 法
            if law in rest:
                named.add(law)
                rest = rest.replace(law, " ")
        return refs, named

    def scores(self, query: str) -> dict[str, float]:
        refs, named = self.parse(query)
        if not refs and not named:
            return {}
        out = {}
        for cid, arts in self._arts.items():
            laws = self._laws[cid]
            s = 0.0
            for r in refs:
                if r.article not in arts:
                    continue
                part = 0.6 + (0.4 if r.paragraph is None or r.paragraph in self._paras[cid]
                              or not self._paras[cid] else 0.0)
                wanted = {r.law} if r.law else named
                s = max(s, part if not wanted or laws & wanted else part * 0.5)
            if named and laws & named:
                s = max(s, 0.25) if not refs else s + 0.15
            if s:
                out[cid] = min(s, 1.0)
        return out


def parse_refs(text: str) -> list[Ref]:
    """References without law linking (for callers that have no chunk set)."""
    return [Ref(_article(m), int(p.group(1)) if (p := _PARA.search(m.group(3) or "")) else None)
            for m in _REF.finditer(normalize(text))]
