"""Hybrid search: weighted fusion of dense (Chroma), BM25 (Sudachi) and structure scores."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.errors import QueryError
from assistant.index.lexical import tokenize
from assistant.index.store import Store
from assistant.normalize import clean_text, normalize
from assistant.privacy import mask_my_number
from assistant.values import Filters, Hit

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
    stripped = _REQUEST.sub("", query).strip()
    return stripped if len(stripped) >= 4 else query


def _minmax(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-9 else (values - lo) / (hi - lo)


@dataclass(frozen=True)
class Ranking:
    """How the signals are combined (experiment knobs; defaults = the measured choice)."""
    fusion: str = "minmax"          # "minmax": weighted sum of min-max scaled scores; "rrf": reciprocal ranks
    rrf_k: int = 60
    sentence: float = 0.0           # weight of the best-sentence cosine (sentence vectors of the index)
    sentence_mode: str = "signal"   # "signal": own fused signal; "max": dense = max(chunk, best sentence)
    doc: float = 0.0                # share of the document's second-best chunk added to each chunk
    prf_docs: int = 0               # dense pseudo-relevance feedback: top chunks mixed into the query vector
    prf_beta: float = 0.3
    phrase: float = 0.0             # weight of shared character n-grams (query wording found verbatim)
    phrase_n: int = 4
    ties: str = "stable"            # exact ties: "stable" (candidate order) or "doc" (the document's other chunks)


class Searcher:
    """Typed search API used by the composer, the CLI and benchmarks."""

    def __init__(self, store: Store, dense_weight: float = 0.5, lexical_weight: float = 0.5,
                 structure_weight: float = 0.35, candidates: int = 60, max_query_chars: int = 2000,
                 ranking: Ranking | None = None):
        if store.lexical is None:
            store.load()
        self.store = store
        self.weights = (dense_weight, lexical_weight, structure_weight)
        self.candidates = candidates
        self.max_query_chars = max_query_chars
        self.ranking = ranking or Ranking()
        self._ordered = store.ordered_chunks()
        self._qcache: dict[str, list[float]] = {}
        self.structure = StructureMatcher(self._ordered)
        self._sent_rows: dict[str, list[int]] | None = None

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

    def _best_sentences(self, qvec, n: int) -> dict[str, float]:
        """Best sentence cosine per chunk, for the n chunks with the best sentences."""
        idx = self.store.sentences
        if idx is None or not len(idx.keys):
            return {}
        if self._sent_rows is None:
            norms = np.linalg.norm(idx.vectors, axis=1, keepdims=True)
            self._sent_unit = idx.vectors / np.where(norms > 0, norms, 1.0)
            self._sent_chunk = np.array([k[0] for k in idx.keys], dtype=object)
            self._sent_rows = {}
        q = np.asarray(qvec, dtype=np.float32)
        sims = self._sent_unit @ (q / (np.linalg.norm(q) or 1.0))
        best: dict[str, float] = {}
        for i in np.argsort(-sims):
            cid = self._sent_chunk[i]
            if cid not in best:
                best[cid] = float(sims[i])
                if len(best) >= n:
                    break
        return best

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               weights: tuple[float, float, float] | None = None) -> list[Hit]:
        query = check_query(query, self.max_query_chars)
        wd, wl, ws = weights or self.weights
        rk = self.ranking
        filters = filters or Filters()
        chunks = self.store.chunks
        n = max(self.candidates, k * 4)

        dense: dict[str, float] = {}
        sent: dict[str, float] = {}
        if wd > 0:
            qvec = self.query_vector(dense_text(query))
            dense = dict(self.store.dense.query(qvec, n, filters))
            if rk.prf_docs > 0 and dense:
                top = sorted(dense, key=lambda c: -dense[c])[: rk.prf_docs]
                got = self.store.dense.col.get(ids=top, include=["embeddings"])
                centroid = np.mean(np.asarray(got["embeddings"], dtype=np.float64), axis=0)
                q = np.asarray(qvec, dtype=np.float64)
                q2 = q / np.linalg.norm(q) + rk.prf_beta * centroid / (np.linalg.norm(centroid) or 1.0)
                dense = dict(self.store.dense.query(q2.tolist(), n, filters))
            if rk.sentence > 0:
                sent = self._best_sentences(qvec, n)
        lexical: dict[str, float] = {}
        if wl > 0:
            scores = self.store.lexical.scores(tokenize(query))
            top = np.argsort(-scores)[: n]
            lexical = {self.store.lexical.ids[i]: float(scores[i]) for i in top if scores[i] > 0}
        structure = self.structure.scores(query) if ws > 0 else {}
        if len(structure) > n:  # keep the best structural matches only
            structure = dict(sorted(structure.items(), key=lambda kv: -kv[1])[:n])

        cand = [cid for cid in dict.fromkeys([*dense, *sent, *lexical, *structure])
                if cid in chunks and filters.accepts(chunks[cid].meta)]
        if not cand:
            return []
        d_raw = np.array([dense.get(c, np.nan) for c in cand], dtype=np.float64)
        if np.isnan(d_raw).all():
            d_raw = np.zeros(len(cand))
        d_raw = np.where(np.isnan(d_raw), np.nanmin(d_raw), d_raw)
        l_raw = np.array([lexical.get(c, 0.0) for c in cand])
        s_raw = np.array([structure.get(c, 0.0) for c in cand])
        if sent:
            b_raw = np.array([sent.get(c, np.nan) for c in cand], dtype=np.float64)
            if rk.sentence_mode == "max":
                d_raw = np.where(np.isnan(b_raw), d_raw, np.maximum(d_raw, b_raw))
                b_raw = None
            else:
                b_raw = np.where(np.isnan(b_raw), np.minimum(d_raw, np.nanmin(b_raw)), b_raw)
        else:
            b_raw = None
        if rk.fusion == "rrf":
            fused = wd * _rrf(d_raw, rk.rrf_k) + wl * _rrf(l_raw, rk.rrf_k, zero_is_missing=True) \
                + ws * _rrf(s_raw, rk.rrf_k, zero_is_missing=True)
            if b_raw is not None:
                fused += rk.sentence * _rrf(b_raw, rk.rrf_k)
        else:
            fused = wd * _minmax(d_raw) + wl * _minmax(l_raw) + ws * s_raw
            if b_raw is not None:
                fused += rk.sentence * _minmax(b_raw)
        if rk.phrase > 0:
            fused += rk.phrase * _phrase_overlap(asked_about(query) or query, [chunks[c] for c in cand], rk.phrase_n)
        if rk.doc > 0:
            fused = fused + rk.doc * _second_in_doc(fused, [chunks[c].doc_id for c in cand])
        if rk.ties == "doc":
            order = _order_with_doc_ties(fused, [chunks[c].doc_id for c in cand])[:k]
        else:
            order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(chunk=chunks[cand[i]], score=float(fused[i]), dense=float(d_raw[i]),
                    lexical=float(l_raw[i]), structure=float(s_raw[i]), rank=r + 1)
                for r, i in enumerate(order)]


def _rrf(values: np.ndarray, k: int, zero_is_missing: bool = False) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    out = 1.0 / (k + ranks)
    if zero_is_missing:
        out = np.where(values > 0, out, 0.0)
    return out * (k + 1)   # rank 1 scores 1.0, like the top of a min-max scale


def _grams(text: str, n: int) -> set[str]:
    t = re.sub(r"[\s、。，．,.「」『』（）()]+", "", normalize(text))
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def _phrase_overlap(query: str, cands: list, n: int) -> np.ndarray:
    """Share of the query's character n-grams found in each candidate, each n-gram weighted by
    how few candidates hold it (so 「ものとして」 counts for little, 「有償の譲受け」 for much)."""
    q = _grams(query, n)
    if not q or not cands:
        return np.zeros(len(cands))
    held = [q & _grams(f"{c.context}\n{c.text}", n) for c in cands]
    df = {g: sum(1 for h in held if g in h) for g in q}
    idf = {g: np.log(1 + len(cands) / (1 + df[g])) for g in q}
    total = sum(idf.values()) or 1.0
    return np.array([sum(idf[g] for g in h) / total for h in held])


def _order_with_doc_ties(fused: np.ndarray, docs: list[str]) -> list[int]:
    """Best first; candidates with the same score (e.g. one passage held by two documents) are
    ordered by the rest of their document: its candidates' scores, best first, compared in turn."""
    by_doc: dict[str, list[float]] = {}
    for s, d in zip(fused, docs):
        by_doc.setdefault(d, []).append(round(float(s), 9))
    profile = {d: sorted(v, reverse=True) for d, v in by_doc.items()}
    return sorted(range(len(fused)), key=lambda i: (-round(float(fused[i]), 9), [-x for x in profile[docs[i]]]))


def _second_in_doc(fused: np.ndarray, docs: list[str]) -> np.ndarray:
    """For each candidate, the best score among the OTHER candidates of its document (0 if none)."""
    by_doc: dict[str, list[float]] = {}
    for s, d in zip(fused, docs):
        by_doc.setdefault(d, []).append(float(s))
    top2 = {d: sorted(v, reverse=True)[:2] for d, v in by_doc.items()}
    out = np.zeros(len(fused))
    for i, (s, d) in enumerate(zip(fused, docs)):
        best = top2[d]
        out[i] = best[1] if len(best) > 1 and s >= best[0] else (best[0] if len(best) > 1 else 0.0)
    return out


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
