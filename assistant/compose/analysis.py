"""Responsibility and cause from the retrieved documents' metadata and text, weighted by relevance.

Nothing here looks at the question's wording: the ranking of actors comes from which documents
the retriever found relevant, how strongly, and who those documents name as responsible (and in
which role). An LLM never touches this.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assistant.values import ACTORS, Hit

# How each actor is named in text (for text evidence of a responsibility statement).
ALIASES: dict[str, tuple[str, ...]] = {
    "prime_minister": ("内閣総理大臣", "デジタル庁"),
    "health_insurer": ("医療保険者", "保険者", "健康保険組合", "共済組合"),
    "prefecture": ("都道府県", "知事", "指定都市"),
    "municipality": ("市区町村", "市町村", "自治体", "基礎自治体"),
    "ppc": ("個人情報保護委員会",),
    "jlis": ("J-LIS", "地方公共団体情報システム機構"),
    "resident": ("本人",),
    "national_government": ("所管府省", "厚生労働省", "総点検本部"),
}
_RANK_DECAY = 0.85
_POSITION_WEIGHT = (1.0, 0.55, 0.35, 0.25)


@dataclass
class ActorScore:
    actor: str
    weight: float
    role: str
    scope: str
    hit_ids: list[str]


def text_votes(sentences) -> dict[str, float]:
    """Actors named in relevant sentences that state responsibility (責任 / 実施者)."""
    votes: dict[str, float] = defaultdict(float)
    for text, weight in sentences:
        if "責任" not in text and "実施者" not in text:
            continue
        for actor, names in ALIASES.items():
            if actor != "resident" and any(n in text for n in names):
                votes[actor] += weight
    return votes


def rank_actors(hits: list[Hit], sentences=(), min_share: float = 0.3, text_weight: float = 0.3,
                scope_match=None) -> list[ActorScore]:
    """Actors ranked by the relevance-weighted `actors`/`roles` of the retrieved documents, plus
    (at half weight) the actors that the most relevant sentences name as responsible."""
    weight: dict[str, float] = defaultdict(float)
    roles: dict[str, tuple[float, str, str]] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    seen_docs: set[str] = set()
    for rank, h in enumerate(hits):
        meta = h.chunk.meta
        for actor in meta.actors:
            sources[actor].append(h.chunk.id)
        if meta.id in seen_docs:   # one vote per document, at its most relevant chunk
            continue
        seen_docs.add(meta.id)
        relevance = max(h.score, 1e-3) * (_RANK_DECAY ** rank)
        # A survey document (roles for three or more actors) lists parties in no order of blame:
        # its actors share one weight and the role whose scope matches the question decides.
        survey = len({r.actor for r in meta.roles}) >= 3
        for pos, actor in enumerate(meta.actors):
            w = _POSITION_WEIGHT[-1] if survey else _POSITION_WEIGHT[min(pos, len(_POSITION_WEIGHT) - 1)]
            weight[actor] += relevance * w
        for r in meta.roles:
            if scope_match is not None and r.actor in ACTORS:
                # a role whose scope is what the question is about (国民健康保険 → 市区町村) counts more
                weight[r.actor] += relevance * scope_match(r.scope)
            best = roles.get(r.actor)
            if r.role and (best is None or relevance > best[0]):
                roles[r.actor] = (relevance, r.role, r.scope)
    if not weight:
        return []
    meta_top = max(weight.values())
    text = text_votes(sentences)
    text_top = max(text.values(), default=0.0) or 1.0
    for actor, v in text.items():
        if actor in weight:  # text can reorder documented actors, never invent one
            weight[actor] += text_weight * meta_top * v / text_top
    top = max(weight.values())
    ranked = sorted(weight.items(), key=lambda kv: -kv[1])
    return [ActorScore(a, round(w / top, 3), roles.get(a, (0, "", ""))[1], roles.get(a, (0, "", ""))[2],
                       sources[a]) for a, w in ranked if w >= min_share * top and a in ACTORS]


def vote_cause(hits: list[Hit], unlabelled_weight: float = 0.6) -> str:
    """Relevance-weighted vote over the `cause` of the documents found. Documents that describe
    no failure (cause `none`, or statutes and notices without one) vote for `none`, so a question
    about what a law says or what to do next gets `none`."""
    votes: dict[str, float] = defaultdict(float)
    for rank, h in enumerate(hits):
        w = max(h.score, 1e-3) * (_RANK_DECAY ** rank)
        cause = h.chunk.meta.cause
        votes[cause or "none"] += w if cause else w * unlabelled_weight
    return max(votes.items(), key=lambda kv: kv[1])[0] if votes else "none"
