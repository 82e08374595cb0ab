"""Hybrid search: weighted fusion of dense (Chroma + best sentence), BM25 (Sudachi), statute
structure and phrase-overlap scores."""
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
from assistant.privacy import MASK, mask_my_number
from assistant.values import Filters, Hit

from .currency import Successors
from .phrases import flat, phrase_overlap
from .sentence_match import SentenceMatcher
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


def asked_about(query: str) -> str:
    """The question without its asking frame (「次のうち、…正しいものを教えてください。」); may be empty."""
    return _REQUEST.sub("", query).strip(" 　、。,.")


def carries_content(query: str) -> bool:
    """False for a bare prompt such as 「次のうち、正しいものを教えてください。」 that names no topic."""
    return bool(asked_about(query))


def dense_text(query: str) -> str:
    """What is embedded: no asking frame, and no masked My Number (the mask means nothing, and
    twelve identical characters would pull the vector towards any other masked text)."""
    query = re.sub(r"\s+", " ", query.replace(MASK, " ")).strip()
    stripped = _REQUEST.sub("", query).strip()
    return stripped if len(stripped) >= 4 else query


def _minmax(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-9 else (values - lo) / (hi - lo)


class Searcher:
    """Typed search API used by the composer, the CLI and benchmarks.

    Signals per candidate chunk: dense (the chunk's cosine, or its best sentence's when that is
    higher), BM25, statute structure (law / article references) and phrase overlap (the
    question's wording found verbatim). Dense and BM25 are min-max scaled, then all are summed
    with their weights. benchmarks/README.md has the measurements behind each choice.
    """

    def __init__(self, store: Store, dense_weight: float = 0.5, lexical_weight: float = 0.5,
                 structure_weight: float = 0.35, candidates: int = 100, max_query_chars: int = 2000,
                 phrase_weight: float = 0.4, phrase_n: int = 5, sentence_scores: bool = True):
        if store.lexical is None:
            store.load()
        self.store = store
        self.weights = (dense_weight, lexical_weight, structure_weight, phrase_weight)
        self.candidates = candidates
        self.max_query_chars = max_query_chars
        self.phrase_n = phrase_n
        self._ordered = store.ordered_chunks()
        self._qcache: dict[str, list[float]] = {}
        self._flat: dict[str, str] = {}
        self.structure = StructureMatcher(self._ordered)
        self.sentences = SentenceMatcher(store.sentences if sentence_scores else None)
        self.successors = Successors.from_chunks(self._ordered)   # supersedes: old versions rank lower

    @classmethod
    def from_settings(cls, store: Store, settings) -> "Searcher":
        return cls(store, settings.dense_weight, settings.lexical_weight, settings.structure_weight,
                   settings.candidates, settings.max_question_chars, settings.phrase_weight)

    def query_vector(self, query: str) -> list[float]:
        """The query embedding, cached for the last few queries (search and compose share it)."""
        vec = self._qcache.get(query)
        if vec is None:
            if len(self._qcache) > 64:
                self._qcache.clear()
            vec = self._qcache[query] = self.store.embedder.embed_query(query)
        return vec

    def _flat_text(self, c) -> str:
        t = self._flat.get(c.id)
        if t is None:
            if len(self._flat) > 20000:
                self._flat.clear()
            t = self._flat[c.id] = flat(f"{c.context}\n{c.text}")
        return t

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               weights: tuple[float, ...] | None = None) -> list[Hit]:
        """`weights`: (dense, lexical, structure[, phrase]); a 3-tuple means no phrase signal."""
        query = check_query(query, self.max_query_chars)
        wd, wl, ws, wp = (*(weights or self.weights), 0.0)[:4]
        filters = filters or Filters()
        chunks = self.store.chunks
        n = max(self.candidates, k * 4)

        dense: dict[str, float] = {}
        best_sentence: dict[str, float] = {}
        if wd > 0:
            qvec = self.query_vector(dense_text(query))
            dense = dict(self.store.dense.query(qvec, n, filters))
            best_sentence = self.sentences.best(qvec, n)
        lexical: dict[str, float] = {}
        if wl > 0:
            scores = self.store.lexical.scores(tokenize(query))
            top = np.argsort(-scores)[: n]
            lexical = {self.store.lexical.ids[i]: float(scores[i]) for i in top if scores[i] > 0}
        structure = self.structure.scores(query) if ws > 0 else {}
        if len(structure) > n:  # keep the best structural matches only
            structure = dict(sorted(structure.items(), key=lambda kv: -kv[1])[:n])

        cand = [cid for cid in dict.fromkeys([*dense, *best_sentence, *lexical, *structure])
                if cid in chunks and filters.accepts(chunks[cid].meta)]
        if not cand:
            return []
        d_raw = np.array([dense.get(c, np.nan) for c in cand], dtype=np.float64)
        if np.isnan(d_raw).all():
            d_raw = np.zeros(len(cand))
        d_raw = np.where(np.isnan(d_raw), np.nanmin(d_raw), d_raw)
        # For ranking, a chunk is as close as its closest sentence; Hit.dense stays the chunk's own
        # cosine (the composer's abstention floor is calibrated on it).
        d_rank = np.maximum(d_raw, [best_sentence.get(c, -1.0) for c in cand]) if best_sentence else d_raw
        l_raw = np.array([lexical.get(c, 0.0) for c in cand])
        s_raw = np.array([structure.get(c, 0.0) for c in cand])
        fused = wd * _minmax(d_rank) + wl * _minmax(l_raw) + ws * s_raw
        if wp > 0:
            fused += wp * phrase_overlap(asked_about(query) or query,
                                         [self._flat_text(chunks[c]) for c in cand], self.phrase_n)
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
