"""Currency: a document that another document supersedes (front matter `supersedes: <old id>`)
ranks below its successor.

The rule, applied to the fused scores of one search:
- a chunk of a superseded document loses `PENALTY` of its score (an old notice still answers when
  nothing newer does, but a close newer text wins);
- when its successor — or the successor's successor — is also a candidate, the old chunk is
  placed just below that document's best chunk, whatever the two scored.
Supersedes references to documents not in the index are ignored.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from assistant.values import Chunk, DocMeta

PENALTY = 0.1
_BELOW = 1e-6   # how far under its successor an old chunk is placed


class Successors:
    """Who replaced whom, from the documents' metadata (several successors: the newest counts)."""

    def __init__(self, metas: Iterable[DocMeta]):
        docs = {m.id: m for m in metas}
        self.docs = docs
        self.successor: dict[str, DocMeta] = {}
        for m in sorted(docs.values(), key=lambda m: (m.date, m.id)):
            if m.supersedes and m.supersedes in docs and m.supersedes != m.id:
                self.successor[m.supersedes] = m   # the newest successor wins (sorted by date)

    @classmethod
    def from_chunks(cls, chunks: Iterable[Chunk]) -> "Successors":
        return cls({c.doc_id: c.meta for c in chunks}.values())

    def __bool__(self) -> bool:
        return bool(self.successor)

    def later(self, doc_id: str) -> list[DocMeta]:
        """The documents that replaced `doc_id`, in order (successor, its successor, …); cycle-safe."""
        out, seen = [], {doc_id}
        while (nxt := self.successor.get(doc_id)) is not None and nxt.id not in seen:
            out.append(nxt)
            seen.add(nxt.id)
            doc_id = nxt.id
        return out

    def chain(self, doc_id: str) -> list[DocMeta]:
        """The whole line of versions `doc_id` belongs to, oldest first."""
        first, seen = doc_id, {doc_id}
        earlier = {new.id: old for old, new in self.successor.items()}
        while (old := earlier.get(first)) is not None and old not in seen:
            seen.add(old)
            first = old
        return [self.docs[first], *self.later(first)] if first in self.docs else []

    def demote(self, doc_ids: list[str], scores: np.ndarray) -> np.ndarray:
        """Fused scores of one search (one per candidate chunk, `doc_ids` aligned) after the rule above."""
        if not self.successor:
            return scores
        out = scores.astype(np.float64, copy=True)
        later = {d: [m.id for m in self.later(d)] for d in set(doc_ids)}
        best: dict[str, float] = {}   # each document's best score once its own rule has been applied
        for d in sorted(later, key=lambda d: len(later[d])):   # the current version first, then older ones
            rows = [i for i, x in enumerate(doc_ids) if x == d]
            if later[d]:
                out[rows] *= 1 - PENALTY
                present = [best[n] for n in later[d] if n in best]
                if present:
                    out[rows] = np.minimum(out[rows], min(present) - _BELOW)
            best[d] = float(out[rows].max())
        return out
