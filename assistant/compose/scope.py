"""Which rows of the responsibility map a question concerns.

Four signals, all from data: the row's own terms and label found in the question, the rows of
the documents the retriever found (relevance-weighted), the question's similarity to the row's
sentences, and the affair that similar labelled example questions are about.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.index.affairs import AffairRow, ResponsibilityMap
from assistant.normalize import normalize
from assistant.values import ACTOR_NAMES, Hit

from .evidence import content_tokens
from .params import DEFAULT, ComposerParams
from .question import DIFFERENT, SAME

_DECAY = 0.85


@dataclass
class Scope:
    """`one` affair, `several` named ones, `general` (the errors as a whole) or `none`."""
    kind: str
    rows: list[AffairRow] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    named: bool = False   # the question itself names the affair (terms or label words)

    @property
    def row(self) -> AffairRow | None:
        return self.rows[0] if self.rows else None


def with_no(terms) -> list[str]:
    """Each term, and each compound of it written with の between two parts of at least two characters
    (「公金の口座」 for 公金口座, 「障害者の手帳」 for 障害者手帳): the same thing, said the long way.
    The caller drops repeats once it has normalised them."""
    out = []
    for t in terms:
        out.append(t)
        out += [t[:i] + "の" + t[i:] for i in range(2, len(t) - 1)] if "の" not in t else []
    return out


class ScopeMatcher:
    def __init__(self, amap: ResponsibilityMap, store, idf: dict[str, float], params: ComposerParams = DEFAULT):
        self.map, self.params, self.idf = amap, params, idf
        self.rows = [r for r in amap.rows]
        self._terms = {r.id: list(dict.fromkeys(normalize(t) for t in with_no(r.terms))) for r in self.rows}
        # label words no other row's label uses: how an affair is named when its document lists no terms
        # — and not a party's whole name (「市町村」 in 「市町村国保の番号登録」 says who, not which affair)
        labels = {r.id: content_tokens(r.label) for r in self.rows}
        parties = {normalize(n) for names in ACTOR_NAMES.values() for n in names}
        self._label_tokens = {rid: {t for t in toks if sum(t in o for o in labels.values()) == 1 and t not in parties}
                              for rid, toks in labels.items()}
        # A term that rows of several responsible parties share says less about which one; rows of one
        # party (公金受取口座: the counter and the family-name rows) are one reading, settled in match().
        parties: dict[str, set[str]] = {}
        for r in self.rows:
            for t in set(self._terms[r.id]):
                parties.setdefault(t, set()).add(r.primary.actor if r.primary else r.id)
        self._term_share = {t: len(p) for t, p in parties.items()}
        self._centroids = self._row_centroids(store)

    def _row_centroids(self, store) -> dict[str, np.ndarray]:
        sent = getattr(store, "sentences", None)
        if sent is None or not len(sent.keys):
            return {}
        out = {}
        for r in self.rows:
            docs = set(r.docs[:1])   # the defining document says what the row is about
            rows = [i for i, (cid, _s, _e) in enumerate(sent.keys) if cid.split("#", 1)[0] in docs]
            if rows:
                v = sent.vectors[rows].mean(axis=0)
                out[r.id] = v / (np.linalg.norm(v) or 1.0)
        return out

    # ---- signals
    def _term_hits(self, q: str) -> dict[str, list[str]]:
        """Row terms found in the question, longest first: 国民健康保険 is not also 健康保険."""
        spans: list[tuple[int, int, str, str]] = []
        for r in self.rows:
            for t in self._terms[r.id]:
                start = q.find(t) if t else -1
                while start >= 0:
                    spans.append((start, start + len(t), t, r.id))
                    start = q.find(t, start + 1)
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        taken: list[tuple[int, int]] = []
        found: dict[str, list[str]] = {}
        for a, b, t, rid in spans:
            if any(a >= x and b <= y and (a, b) != (x, y) for x, y in taken):
                continue
            taken.append((a, b))
            found.setdefault(rid, []).append(t)
        return found

    def lexical(self, question: str) -> dict[str, float]:
        """How plainly the question names each row: 1 when it uses one of the row's own terms (shared
        terms count for less) or most of the row label's distinctive words, else a partial share."""
        q = normalize(question)
        qt = content_tokens(question)
        hits = self._term_hits(q)
        unseen = max(self.idf.values(), default=1.0)
        out = {}
        for r in self.rows:
            term = max((1.0 / self._term_share[t] for t in set(hits.get(r.id, ()))), default=0.0)
            label = self._label_tokens[r.id]
            mass = sum(self.idf.get(t, unseen) for t in label & qt)
            # how much of the label the question uses, or how much of a short question is the label
            share = max(mass / sum(self.idf.get(t, unseen) for t in label),
                        mass / sum(self.idf.get(t, unseen) for t in qt) if 0 < len(qt) <= 4 else 0.0) if label else 0.0
            out[r.id] = min(1.0, max(term, share) + 0.25 * min(term, share))
        return out

    def votes(self, hits: list[Hit]) -> dict[str, float]:
        """Each row's share of the retrieved relevance (documents on several rows split theirs)."""
        out = {r.id: 0.0 for r in self.rows}
        total = 0.0
        for rank, h in enumerate(hits):
            w = max(h.score, 0.0) * (_DECAY ** rank)
            total += w
            rows = self.map.rows_for_doc(h.chunk.doc_id)
            for rid in rows:
                out[rid] += w / len(rows)
        return {k: v / total for k, v in out.items()} if total > 0 else out

    def semantic(self, qvec) -> dict[str, float]:
        if not self._centroids or qvec is None:
            return {}
        q = np.asarray(qvec, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        sims = {rid: float(c @ q) for rid, c in self._centroids.items()}
        lo, hi = min(sims.values()), max(sims.values())
        return {k: (v - lo) / (hi - lo) if hi - lo > 1e-9 else 0.0 for k, v in sims.items()}

    # ---- decision
    def match(self, question: str, qvec, hits: list[Hit], hint: str = "none",
              lex: dict[str, float] | None = None, asked: str | None = None, judged: bool = False) -> Scope:
        p = self.params
        if not self.rows:
            return Scope("none")
        lex = self.lexical(question) if lex is None else lex
        votes, sem = self.votes(hits), self.semantic(qvec)
        scores = {}
        for r in self.rows:
            hinted = r.id == hint or (hint and r.id.startswith(hint + "_"))   # e.g. kokin → kokin_counter
            scores[r.id] = (p.affair_lexical * lex.get(r.id, 0.0) + p.affair_hits * votes.get(r.id, 0.0)
                            + p.affair_semantic * sem.get(r.id, 0.0) + (p.affair_hint if hinted else 0.0))
        # ties go to the row more documents speak to: the usual reading of an ambiguous name
        ranked = sorted(self.rows, key=lambda r: (-round(scores[r.id], 6), -len(r.docs)))
        named = [r for r in ranked if lex.get(r.id, 0.0) >= p.affair_named and not r.overview]
        if named:
            # one row per responsible party: equally named rows of one party (公金受取口座 → counter or
            # family name) are one reading, the usual one — the row more documents speak to — unless
            # another is clearly closer to the question
            by_party: dict[str, list[AffairRow]] = {}
            for r in named:
                by_party.setdefault(r.primary.actor if r.primary else r.id, []).append(r)
            chosen = []
            for rows in by_party.values():
                # the one the asking sentence names, when the story before it named its sibling too
                # (「…窓口の共用端末での誤登録ばかりが報じられた…家族名義の口座登録は、何が原因で…」)
                in_ask = self._named_apart(rows, asked, question) if asked and len(rows) > 1 else []
                if len(in_ask) == 1:
                    chosen.append(in_ask[0])
                    continue
                usual = max(rows, key=lambda r: (lex[r.id], len(r.docs)))
                closer = max(rows, key=lambda r: scores[r.id])
                chosen.append(closer if scores[closer.id] - scores[usual.id] >= p.affair_margin else usual)
            if len(chosen) >= 2 and asked and not judged and not (SAME.search(asked) or DIFFERENT.search(asked)):
                # 「保険証の誤登録が8千件を超えたと言われますが、市町村国保で間違いがあった場合、責任を負うのは
                # 国ですか、市ですか」: the story before names one affair, the asking clause another — it asks of that
                # (not a yes/no, which may ask whether the story's affair is the other — 「保険証の誤りが最初に見つかった
                # のは国民健康保険だったと聞いた。市の国保で起きたという理解でよいか」 — nor when the names nest —
                # 国保組合 and 国民健康保険 — which is one affair taken for the other)
                asked_lex = self.lexical(asked)
                in_ask = [r for r in chosen if asked_lex.get(r.id, 0.0) >= p.affair_named]
                if len(in_ask) == 1 and not self._names_nest(question, asked, in_ask[0], chosen):
                    return Scope("one", in_ask, scores, named=True)
            if len(chosen) >= 2:
                return Scope("several", sorted(chosen, key=lambda r: -scores[r.id]), scores, named=True)
            return Scope("one", chosen, scores, named=True)
        best, second = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        margin = scores[best.id] - (scores[second.id] if second else 0.0)
        if hint == "none":   # like the examples about a statute, a concept or policy in the abstract
            return Scope("none", [], scores)
        # A question like the examples about the errors as a whole needs a clearly stronger pull to
        # be read as one affair.
        floor = p.affair_strong if hint == "general" else p.affair_min
        if not best.overview and scores[best.id] >= floor and margin >= p.affair_margin:
            return Scope("one", [best], scores)
        if hint == "general" or best.overview:
            return Scope("general", self.affair_rows(), scores)
        return Scope("none", [], scores)

    def _names_nest(self, question: str, asked: str, row: AffairRow, rows: list[AffairRow]) -> bool:
        said, own = self._term_hits(normalize(question)), self._term_hits(normalize(asked)).get(row.id, [])
        others = [t for o in rows if o is not row for t in said.get(o.id, [])]
        return any(a in b or b in a for a in own for b in others)

    def _named_apart(self, rows: list[AffairRow], text: str, whole: str) -> list[AffairRow]:
        """The rows `text` names by a term none of the other `rows` has (家族名義, not 公金受取口座) — nor
        is part of a sibling's term the whole question used (「精神障害者保健福祉手帳の…。この手帳への番号は」:
        「手帳」 points back to the sibling named before)."""
        hits, before = self._term_hits(normalize(text)), self._term_hits(normalize(whole))
        out = []
        for r in rows:
            others = [o for o in rows if o is not r]
            used = [t for o in others for t in before.get(o.id, ())]
            own = {t for t in hits.get(r.id, ()) if not any(t in u for u in used)}
            if own - {t for o in others for t in self._terms[o.id]}:
                out.append(r)
        return out

    def affair_rows(self) -> list[AffairRow]:
        """Every row with a responsible party, the most documented first."""
        return sorted((r for r in self.rows if not r.overview and r.roles), key=lambda r: -len(r.docs))

    def overview(self) -> AffairRow | None:
        return next((r for r in self.rows if r.overview), None)
