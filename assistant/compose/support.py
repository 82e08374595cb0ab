"""Supporting sentences: the few quoted sentences that follow the summary, on the affair asked about.

Candidates are the sentences of the retrieved chunks and of the affair's own documents; a
sentence is on the affair when its document speaks only to that affair, or when it names the
affair's terms. Relevance is the question's topical words, the chunk's retrieval score, the
question–sentence similarity, and a bonus when the sentence sits under a heading that matches
the question type (the corpus's section convention: 原因, 責任の所在, 数字, 自治体への示唆).
"""
from __future__ import annotations

from dataclasses import replace

from assistant.index.affairs import AffairRow, ResponsibilityMap
from assistant.normalize import normalize
from assistant.values import Hit

from . import answer_type
from . import ranking
from .evidence import Candidate, candidates, content_tokens, mmr, overlap
from .params import DEFAULT, ComposerParams

# Section headings of the corpus convention (corpus/README.md) that answer each question type.
HEADINGS: dict[str, tuple[str, ...]] = {
    "who": ("責任",), "why": ("原因", "経緯"), "tech_ops": ("原因", "技術", "運用"), "figures": ("数字", "概要"),
    "explain": ("示唆", "留意", "説明", "言える"), "remedy": ("示唆", "留意", "点検", "確認", "すべき"),
    "basis": ("根拠", "条文", "要旨"), "what": ("概要", "経緯"), "define": ("定義", "要旨", "概要"), "speech": (),
}
BASIS_KINDS = ranking.BASIS_KINDS


def on_affair(c: Candidate, rows: list[AffairRow], amap: ResponsibilityMap) -> bool:
    """Whether a sentence speaks to the affairs asked about: it names one of them, or it comes
    from a document on them or on no affair in particular — and it does not name only others."""
    if not rows:
        return True
    wanted = {r.id for r in rows}
    text = normalize(c.text)
    if any(normalize(t) in text for r in rows for t in r.terms):
        return True
    others = [r for r in amap.rows if r.id not in wanted and not r.overview]
    shared = _shared_terms(rows, others)
    if any(normalize(t) in text for r in others for t in r.terms if t not in shared):
        return False
    doc_rows = set(amap.rows_for_doc(c.hit.chunk.doc_id))
    return not doc_rows or bool(doc_rows & wanted) or all(amap.get(r).overview for r in doc_rows)


def _shared_terms(rows: list[AffairRow], others: list[AffairRow]) -> set[str]:
    mine = {t for r in rows for t in r.terms}
    return {t for r in others for t in r.terms if t in mine}


def row_hits(rows: list[AffairRow], chunks: dict, hits: list[Hit], per_row: int = 12, docs_per_row: int = 1) -> list[Hit]:
    """Chunks of the affair's own documents that retrieval did not return, scored just below the
    weakest hit, so the affair's own statements are available to choose from."""
    seen = {h.chunk.id for h in hits}
    floor = min((h.score for h in hits), default=0.1)
    out = []
    for r in rows[:2]:
        docs = set(r.docs[:docs_per_row])
        own = [c for c in chunks.values() if c.doc_id in docs and c.id not in seen]
        out.extend(Hit(chunk=c, score=floor * 0.8) for c in own[:per_row])
    return out


def select(hits: list[Hit], extra: list[Hit], query: str, ask: str, rows: list[AffairRow], amap: ResponsibilityMap,
           idf: dict, sentence_index, qvec, exclude: set[tuple[str, int, int]], k: int,
           params: ComposerParams = DEFAULT, said: tuple[str, ...] = (),
           said_keys: tuple = (), prop=None, recalled: ranking.Recalled = ranking.Recalled()) -> list[Candidate]:
    cands = candidates(hits + extra, sentence_index, qvec)
    settled = frozenset(t for r in rows for w in (*r.terms, r.label) for t in content_tokens(w))
    overlap(cands, query, idf, settled, params.settled_weight)
    ctx = ranking.Context(ask=ask, headings=HEADINGS.get(ask, ()), wanted=tuple(answer_type.expected(query)),
                          cells=frozenset(cell_sentences(rows)), prop=prop, recalled=recalled)
    ranking.rank(cands, ctx, ranking.Ranker.from_dict(params.ranker))
    pool = [c for c in cands if (c.hit.chunk.id, c.start, c.end) not in exclude and on_affair(c, rows, amap)]
    # the same sentence reached through two overlapping chunks counts once
    unique: dict[str, Candidate] = {}
    for c in sorted(pool, key=lambda c: -c.score):
        unique.setdefault(c.text, c)
    chosen = list(unique.values())
    ranking.record(chosen)
    vectors = said_vectors = None
    if sentence_index is not None:
        vectors = sentence_index.vectors_for([(c.hit.chunk.id, c.start, c.end) for c in chosen])
        said_vectors = sentence_index.vectors_for(list(said_keys)) if said_keys else None
    out = mmr(chosen, k=k, lam=params.mmr_lambda, max_sim=params.mmr_max_sim, said=said,
              vectors=vectors, said_vectors=said_vectors, max_cos=params.mmr_max_cos,
              cos_base=params.mmr_cos_base, same_chunk=params.mmr_same_chunk)
    return _with_conclusion(out, chosen, said)


def _with_conclusion(out: list[Candidate], pool: list[Candidate], said) -> list[Candidate]:
    """The leading document's conclusion (front matter `conclusions`) among the supporting sentences
    of an answer whose summary came from the map: when none of its conclusion sentences made the cut,
    the first one takes the place of the weakest sentence that states no conclusion (「早く公表する
    ことが重要」 beside 「まず総理大臣が謝罪すべき」). Without a summary the best sentence leads, so nothing changes."""
    if not out or not said:
        return out
    top = out[0].hit.chunk
    marks = top.meta.conclusions
    have = {c.text for c in out} | set(said)
    missing = [c for c in pool if c.hit.chunk.doc_id == top.doc_id and c.text not in have and any(p in c.text for p in marks)]
    if not missing or any(p in t for t in have for p in marks if p in missing[0].text):
        return out
    weakest = min((c for c in out[1:] if not any(p in c.text for p in marks)), key=lambda c: c.score, default=None)
    if weakest is None:
        return out
    return [c for c in out if c is not weakest] + [missing[0]]


def cell_sentences(rows: list[AffairRow]) -> set[tuple[str, int, int]]:
    """The passages the map's cells for these affairs rest on: each party's role and the cause."""
    quotes = [q for r in rows for role in r.roles for q in role.quotes[:1]] + [q for r in rows for q in r.cause_quotes[:1]]
    return {(q.chunk_id, q.start, q.end) for q in quotes}


def lower(hits: list[Hit], factor: float) -> list[Hit]:
    return [replace(h, score=h.score * factor) for h in hits]
