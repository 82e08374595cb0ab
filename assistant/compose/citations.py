"""Numbered citations (verbatim quotes from the store) and the Markdown answer body."""
from __future__ import annotations

from .answer import Citation, Section


class Citations:
    """Numbers passages in order of first use; sentences close together in one chunk share a
    number, and the quote is the verbatim span of the chunk that covers them."""

    def __init__(self, max_quote: int = 400):
        self.items: list[Citation] = []
        self._chunks: dict[int, object] = {}
        self._spans: dict[int, tuple[int, int]] = {}
        self.max_quote = max_quote

    def add(self, c) -> int:
        """A Candidate (anything with .hit.chunk, .start, .end)."""
        return self.add_span(c.hit.chunk, c.start, c.end)

    def add_span(self, chunk, start: int, end: int) -> int:
        for cit in self.items:
            if self._chunks[cit.n].id != chunk.id:
                continue
            s, e = self._spans[cit.n]
            lo, hi = min(s, start), max(e, end)
            if hi - lo <= self.max_quote:
                self._spans[cit.n] = (lo, hi)
                cit.quote = chunk.text[lo:hi]
                return cit.n
        n = len(self.items) + 1
        m = chunk.meta
        self.items.append(Citation(n=n, id=chunk.id, doc_id=chunk.doc_id, title=m.title, kind=m.kind,
                                   locator=chunk.locator, source=m.source, date=m.date.isoformat(),
                                   issuer=m.issuer, heading_path=list(chunk.heading_path),
                                   quote=chunk.text[start:end]))
        self._chunks[n], self._spans[n] = chunk, (start, end)
        return n

    def numbers_for(self, pred) -> list[int]:
        return [n for n, chunk in self._chunks.items() if pred(chunk)]


def sources_by_document(cites: list[Citation]) -> list[tuple[list[int], Citation]]:
    """One entry per document: the numbers that cite it and its first citation."""
    groups: dict[str, list[Citation]] = {}
    for c in cites:
        groups.setdefault(c.doc_id, []).append(c)
    return [([c.n for c in g], g[0]) for g in groups.values()]


def source_line(numbers: list[int], c: Citation) -> str:
    locs = [c.locator] if c.locator and c.locator not in c.title else []
    loc = f" {locs[0]}" if locs else ""
    marks = "".join(f"[{n}]" for n in numbers)
    return f"{marks} {c.title}{loc}（{c.issuer}、{c.date}）{c.source}"


def render_markdown(sections: list[Section], cites: list[Citation]) -> str:
    out = []
    for sec in sections:
        out.append(f"### {sec.heading}")
        # a sentence without citations is a statement about the sources themselves (what they lack)
        out.extend(f"{s.text} [{', '.join(map(str, s.citations))}]" if s.citations else s.text
                   for s in sec.sentences)
        out.append("")
    if cites:
        out.append("### 出典")
        out.extend(source_line(nums, c) for nums, c in sources_by_document(cites))
    return "\n".join(out).strip() + "\n"
