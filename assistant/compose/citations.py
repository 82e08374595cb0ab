"""Numbered citations (verbatim quotes from the store) and the Markdown answer body."""
from __future__ import annotations

from .answer import Citation, Section
from .evidence import Candidate


class Citations:
    """Numbers passages in order of first use; sentences close together in one chunk share a
    number, and the quote is the verbatim span of the chunk that covers them."""

    def __init__(self, max_quote: int = 400):
        self.items: list[Citation] = []
        self._chunks: dict[int, object] = {}
        self._spans: dict[int, tuple[int, int]] = {}
        self.max_quote = max_quote

    def add(self, c: Candidate) -> int:
        chunk = c.hit.chunk
        for cit in self.items:
            if self._chunks[cit.n].id != chunk.id:
                continue
            s, e = self._spans[cit.n]
            lo, hi = min(s, c.start), max(e, c.end)
            if hi - lo <= self.max_quote:
                self._spans[cit.n] = (lo, hi)
                cit.quote = chunk.text[lo:hi]
                return cit.n
        n = len(self.items) + 1
        m = chunk.meta
        self.items.append(Citation(n=n, id=chunk.id, doc_id=chunk.doc_id, title=m.title, kind=m.kind,
                                   locator=chunk.locator, source=m.source, date=m.date.isoformat(),
                                   issuer=m.issuer, heading_path=list(chunk.heading_path),
                                   quote=chunk.text[c.start:c.end]))
        self._chunks[n], self._spans[n] = chunk, (c.start, c.end)
        return n

    def numbers_for(self, pred) -> list[int]:
        return [n for n, chunk in self._chunks.items() if pred(chunk)]


def render_markdown(sections: list[Section], cites: list[Citation]) -> str:
    out = []
    for sec in sections:
        out.append(f"### {sec.heading}")
        out.extend(f"{s.text} [{', '.join(map(str, s.citations))}]" if len(s.citations) > 1
                   else f"{s.text} [{s.citations[0]}]" for s in sec.sentences)
        out.append("")
    if cites:
        out.append("### 出典")
        for c in cites:
            loc = f" {c.locator}" if c.locator and c.locator not in c.title else ""
            out.append(f"[{c.n}] {c.title}{loc}（{c.issuer}、{c.date}）{c.source}")
    return "\n".join(out).strip() + "\n"
