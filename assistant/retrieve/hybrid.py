"""Hybrid search: weighted fusion of dense (Chroma), BM25 (Sudachi) and structure scores."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.errors import QueryError
from assistant.index.lexical import tokenize
from assistant.index.store import Store
from assistant.normalize import clean_text
from assistant.privacy import mask_my_number
from assistant.values import Filters, Hit

from .currency import Successors
from .structure import StructureMatcher


def check_query(query: str, max_chars: int = 2000) -> str:
    """The question as it will be used, logged and shown: controls dropped, My Numbers masked."""
    q = re.sub(r"[\n\t]+", " ", clean_text(query or "")).strip()
    if not q:
        raise QueryError("the question is empty", "type a question, e.g. 「公金受取口座の誤登録は市の責任か」")
    if len(q) > max_chars:
        raise QueryError(f"the question is too long ({len(q)} characters, limit {max_chars})",
                         "shorten it to the point you want answered, or raise BRIEFING_MAX_QUESTION_CHARS")
    return mask_my_number(q)


# How a question is asked says nothing about what it is about; the embedder is better without it.
# (Lexical search keeps the full text: these words are stop words for BM25 anyway.)
_REQUEST = re.compile(r"^(?:次の(?:選択肢の)?うち、?)|(?:として|で)?(?:正しい|適切な|誤っている)?(?:もの)?(?:を|について)?"
                      r"教えて(?:ください|下さい|くれ)?[。？?]?$")


def dense_text(query: str) -> str:
    stripped = _REQUEST.sub("", query).strip()
    return stripped if len(stripped) >= 4 else query


def _minmax(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-9 else (values - lo) / (hi - lo)


class Searcher:
    """Typed search API used by the composer, the CLI and benchmarks."""

    def __init__(self, store: Store, dense_weight: float = 0.5, lexical_weight: float = 0.5,
                 structure_weight: float = 0.35, candidates: int = 60, max_query_chars: int = 2000):
        if store.lexical is None:
            store.load()
        self.store = store
        self.weights = (dense_weight, lexical_weight, structure_weight)
        self.candidates = candidates
        self.max_query_chars = max_query_chars
        self._ordered = store.ordered_chunks()
        self._qcache: dict[str, list[float]] = {}
        self.structure = StructureMatcher(self._ordered)
        self.successors = Successors.from_chunks(self._ordered)   # supersedes: old versions rank lower

    @classmethod
    def from_settings(cls, store: Store, settings) -> "Searcher":
        return cls(store, settings.dense_weight, settings.lexical_weight, settings.structure_weight,
                   settings.candidates, settings.max_question_chars)

    def query_vector(self, query: str) -> list[float]:
        """The query embedding, cached for the last few queries (search and compose share it)."""
        vec = self._qcache.get(query)
        if vec is None:
            if len(self._qcache) > 64:
                self._qcache.clear()
            vec = self._qcache[query] = self.store.embedder.embed_query(query)
        return vec

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               weights: tuple[float, float, float] | None = None) -> list[Hit]:
        query = check_query(query, self.max_query_chars)
        wd, wl, ws = weights or self.weights
        filters = filters or Filters()
        chunks = self.store.chunks
        n = max(self.candidates, k * 4)

        dense: dict[str, float] = {}
        if wd > 0:
            dense = dict(self.store.dense.query(self.query_vector(dense_text(query)), n, filters))
        lexical: dict[str, float] = {}
        if wl > 0:
            scores = self.store.lexical.scores(tokenize(query))
            top = np.argsort(-scores)[: n]
            lexical = {self.store.lexical.ids[i]: float(scores[i]) for i in top if scores[i] > 0}
        structure = self.structure.scores(query) if ws > 0 else {}
        if len(structure) > n:  # keep the best structural matches only
            structure = dict(sorted(structure.items(), key=lambda kv: -kv[1])[:n])

        cand = [cid for cid in dict.fromkeys([*dense, *lexical, *structure])
                if cid in chunks and filters.accepts(chunks[cid].meta)]
        if not cand:
            return []
        d_raw = np.array([dense.get(c, np.nan) for c in cand], dtype=np.float64)
        if np.isnan(d_raw).all():
            d_raw = np.zeros(len(cand))
        d_raw = np.where(np.isnan(d_raw), np.nanmin(d_raw), d_raw)
        l_raw = np.array([lexical.get(c, 0.0) for c in cand])
        s_raw = np.array([structure.get(c, 0.0) for c in cand])
        fused = wd * _minmax(d_raw) + wl * _minmax(l_raw) + ws * s_raw
        fused = self.successors.demote([chunks[c].doc_id for c in cand], fused)   # retrieve/currency.py
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(chunk=chunks[cand[i]], score=float(fused[i]), dense=float(d_raw[i]),
                    lexical=float(l_raw[i]), structure=float(s_raw[i]), rank=r + 1)
                for r, i in enumerate(order)]


class HybridRetriever(BaseRetriever):
    """LangChain face of `Searcher`: documents carry score, metadata and heading path."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [LCDocument(page_content=h.chunk.text, id=h.chunk.id,
                           metadata={**h.chunk.metadata(), "score": h.score, "dense": h.dense,
                                     "lexical": h.lexical, "structure": h.structure, "rank": h.rank})
                for h in self.searcher.search(query, self.k, self.filters)]
