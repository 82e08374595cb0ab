"""Progress of an index build for a progress bar (the app's 資料 page).

A build embeds only chunks and sentences the index does not hold yet; this counts them beforehand
and then counts the texts actually embedded, through a thin wrapper around the store's embedder.
When fewer texts need embedding than expected (e.g. some were cached), the bar simply ends early.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.chunk import Chunker
from assistant.chunk.sentences import quotable_spans
from assistant.values import IndexReport


class _Counting:
    """The embedder, reporting how many passage texts it has embedded."""

    def __init__(self, inner, tick: Callable[[int], None]):
        self._inner, self._tick = inner, tick

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def embed_documents(self, texts):
        vectors = self._inner.embed_documents(texts)
        self._tick(len(texts))
        return vectors


def texts_to_embed(briefing, folders: list[Path]) -> int:
    """Chunks and quotable sentences of the corpus that the current index does not hold."""
    from assistant.load import load_corpus
    s = briefing.settings
    chunker = Chunker(s.chunk_max_chars, s.chunk_overlap_chars)
    known = set(briefing.store.chunks)
    new = [c for d in load_corpus(folders, warn=False).documents for c in chunker(d) if c.id not in known]
    return len(new) + sum(len(quotable_spans(c.text)) for c in new)


def index_with_progress(briefing, folders: list[Path], report: Callable[[float], None]) -> IndexReport:
    """`briefing.index(folders)`, calling `report(fraction done)` as texts are embedded."""
    total = max(texts_to_embed(briefing, folders), 1)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        report(min(done / total, 1.0))

    store = briefing.store
    real = store.embedder
    store.embedder = _Counting(real, tick)
    try:
        result = briefing.index(folders, progress=False)
    finally:
        store.embedder = real
    report(1.0)
    return result
