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


def rank_actors(hits: list[Hit], min_share: float = 0.3) -> list[ActorScore]:
    weight: dict[str, float] = defaultdict(float)
    roles: dict[str, tuple[float, str, str]] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    for rank, h in enumerate(hits):
        meta = h.chunk.meta
        relevance = max(h.score, 1e-3) * (_RANK_DECAY ** rank)
        for pos, actor in enumerate(meta.actors):
            w = relevance * _POSITION_WEIGHT[min(pos, len(_POSITION_WEIGHT) - 1)]
            weight[actor] += w
            sources[actor].append(h.chunk.id)
        for r in meta.roles:
            best = roles.get(r.actor)
            if r.role and (best is None or relevance > best[0]):
                roles[r.actor] = (relevance, r.role, r.scope)
    if not weight:
        return []
    top = max(weight.values())
    ranked = sorted(weight.items(), key=lambda kv: -kv[1])
    return [ActorScore(a, round(w / top, 3), roles.get(a, (0, "", ""))[1], roles.get(a, (0, "", ""))[2],
                       sources[a]) for a, w in ranked if w >= min_share * top and a in ACTORS]


def vote_cause(hits: list[Hit], min_support: float = 0.35) -> str:
    """Relevance-weighted vote over the `cause` of the documents found; `none` when too few of the
    relevant documents speak to a cause (e.g. a question about what a statute says)."""
    votes: dict[str, float] = defaultdict(float)
    total = 0.0
    for rank, h in enumerate(hits):
        w = max(h.score, 1e-3) * (_RANK_DECAY ** rank)
        total += w
        cause = h.chunk.meta.cause
        if cause and cause != "none":
            votes[cause] += w
    if not votes or sum(votes.values()) < min_support * total:
        return "none"
    return max(votes.items(), key=lambda kv: kv[1])[0]
