"""The default composer: offline and deterministic.

question → type (learned from labelled examples) → the affairs it concerns (responsibility map)
→ a verdict-first summary composed from the map's cells → at most six supporting sentences quoted
from the sources → the answer JSON of contract §2. Every sentence carries the passages it rests on.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import replace

from assistant.injection import looks_like_instruction
from assistant.normalize import normalize
from assistant.privacy import names_private_person
from assistant.retrieve.hybrid import check_query, dense_text
from assistant.values import ACTOR_NAMES, Filters

from . import answer_type
from . import verdict as words
from .answer import Answer, Section, Sentence
from .citations import Citations, render_markdown
from .evidence import (Candidate, candidates, content_nouns, content_tokens, coverage, echoes, idf_weights, reported_speech,
                       unfamiliar, unknown_nouns)
from .params import DEFAULT, ComposerParams
from .proposition import asserts, blames, evidence_verdict, judge, of_every_kind, parties_named, proposition
from .kana import KanaReader
from .question import (THEME, about_the_series, asking_clause, past_the_premise, without_hearsay, broad_nouns, asking_parts, asks_to_conclude, asks_who, asks_with_wh, claim_put,
                       defined_term, load_examples, names_this_city, normative, only_requests, points_back, quoted_question,
                       says_what_it_asks, unknown_topics, wholly_new_topics, yes_no_part)
from .scope import Scope, ScopeMatcher
from .support import BASIS_KINDS, lower, row_hits, select
from .turn import Turn, answer_recall, cause_for, responsibility_for, trained_classifier

log = logging.getLogger(__name__)
CONCLUSION, REASON, BASIS, MUNICIPAL = "結論", "理由", "根拠（法令・通知）", "自治体としての留意点"
_MUNICIPAL_HEADINGS = ("自治体", "市区町村", "示唆", "留意", "市長", "すべきこと", "言える")
_ORDER = {"basis": (BASIS, REASON, MUNICIPAL), "explain": (MUNICIPAL, REASON, BASIS),
          "remedy": (MUNICIPAL, REASON, BASIS)}
NO_FACT = "この資料集には、お尋ねの{}を示す記述はありません。"
NO_LOCAL_DATA = "この資料集には、本市の件数や本市で起きた個別の事案についての記録はありません。"
PRIVATE_PERSON = ("この資料集には特定の住民や個人についての記録はなく、個人の番号・口座などの照会にはお答えしません。"
                  "個人の記録は、その事務を担当する部署が本人確認のうえで扱います。")


def abstain_dense_floor(settings, embedder_name: str, params: ComposerParams = DEFAULT) -> float:
    """Cosine below which the best passage is judged unrelated (calibrated per embedder on the dev set)."""
    if settings.abstain_dense is not None:
        return settings.abstain_dense
    return params.dense_floors.get(embedder_name, 0.0)


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, searcher, settings, params: ComposerParams = DEFAULT):
        self.searcher, self.settings, self.params = searcher, settings, params
        store = searcher.store
        self.chunks = store.chunks
        self.map = store.affairs
        self.dense_floor = abstain_dense_floor(settings, store.embedder.name, params)
        self.idf = idf_weights(f"{c.context}\n{c.text}" for c in store.chunks.values())
        # the sources' words, the names of the parties they speak of (「市役所」 is the city itself) and the
        # words of the labelled questions they answer (「市民」「見解」「答弁」: how such questions are put)
        asked = [e.q for e in load_examples() if e.answerable]
        self.vocabulary = (set(self.idf) | {n for names in ACTOR_NAMES.values() for a in names for n in content_nouns(a)}
                           | {n for q in asked for n in content_nouns(q)})
        # the nouns the labelled questions use about three or more affairs (「根拠」「件数」「全国」「住民」): words
        # that ask about something, not a subject of their own
        self.asking_nouns = broad_nouns(load_examples(), 3)
        # … and the same as running text, where a compound noun (「資格確認書」) is looked up whole
        self.known_text = normalize("\n".join([*(f"{c.context}\n{c.text}" for c in store.chunks.values()), *asked]))
        self.scope = ScopeMatcher(self.map, store, self.idf, params)
        self.classifier = trained_classifier(store, params)
        self.recall = answer_recall(store)
        self.kana = KanaReader(lambda: (c.text for c in self.chunks.values()), self.known_text)

    # ---- public
    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        t0 = time.perf_counter()
        q = check_query(question, self.settings.max_question_chars)
        if looks_like_instruction(q):   # answered as a question from the sources, nothing else
            log.info("the question contains text addressed to the assistant; it is treated as a question only")
        earlier = [self.kana.rewrite(check_query(h, 10**6)) for h in (history or []) if h and h.strip()][-3:]
        prev = self._previous(earlier, filters)
        turn = self.understand(self.kana.rewrite(q), prev, filters)   # 「ひもづけ」「ホケンショー」: the sources' kanji
        t1 = time.perf_counter()
        ans = self._answer(turn, prev)
        ans.question = q
        t2 = time.perf_counter()
        ans.timings_ms = {"retrieve": round((t1 - t0) * 1000, 1), "compose": round((t2 - t1) * 1000, 1),
                          "total": round((t2 - t0) * 1000, 1)}
        return ans

    def _previous(self, earlier: list[str], filters) -> tuple[Turn, Answer] | None:
        """The conversation so far, replayed: its last turn's type, affair and sentences."""
        prev = None
        for q in earlier:
            turn = self.understand(q, prev, filters)
            prev = (turn, self._answer(turn, prev))
        return prev

    # ---- understanding
    def understand(self, q: str, prev: tuple[Turn, Answer] | None, filters) -> Turn:
        qvec = self.searcher.query_vector(dense_text(q))
        qtype = self.classifier.classify(q, qvec)
        lex = self.scope.lexical(q)   # once: it decides follow-ups here and the affair below
        # 「総点検」「中間報告」 name the overview of the errors, not an affair: 「8月の中間報告の時点だと何件だった？」
        # after a question on 保険証 still asks about 保険証
        overview = self.scope.overview()
        named = any(v >= self.params.affair_named for r, v in lex.items() if not (overview and r == overview.id))
        turn = Turn.start(q, qtype, qvec, prev[0] if prev else None, named, self.params)
        alone = self._alone_if_moved(q, qvec, qtype, prev[0], named, filters) if turn.followup else None
        moved = alone is not None
        if moved:   # read on its own: the topic changed
            turn = Turn.start(q, qtype, qvec, None, named, self.params)
        if overview and lex.get(overview.id, 0.0) >= self.params.affair_named:
            turn.overview = overview
        turn.hits = alone if moved else self.searcher.search(turn.rq, k=self.params.k, filters=filters)
        turn.filters = filters
        clause = without_hearsay(asking_clause(q))   # 「保険証が…と言われますが、国保で…」: what it asks of
        scope = self.scope.match(q, qvec, turn.hits, qtype.affair_hint, lex,
                                 asked=clause if clause != q else None, judged=qtype.yesno)
        turn.settle(scope, prev[0] if prev else None, overview)
        if self._about_the_whole(turn):
            turn.scope, turn.whole = Scope("general", self.scope.affair_rows(), scope.scores), True
        elif not turn.scope.named and not turn.followup and about_the_series(q):
            # 「一連の紐付け誤りについて、市にはまったく落ち度がないと言えるのか」: the errors as a whole
            turn.scope = Scope("general", self.scope.affair_rows(), scope.scores)
        elif (prev and not (turn.followup or moved or turn.scope.named) and prev[0].scope.kind in ("one", "several")
                and (turn.scope.kind in ("none", "one") or (turn.scope.kind == "general" and not turn.overview))
                and min(scope.scores.get(r.id, 0.0) for r in prev[0].scope.rows) >= self.params.inherit_min):
            # in a conversation the affair stays until another is named: 「県の事務ってことか。うちは交付してない
            # んだよね？」「愛知だと、市町村の窓口で生年月日だけで…」 after a question on 障害者手帳 — as long as
            # the question still bears on it (「ところで、ガバメントクラウドへの移行で経費は下がるのか」 does not)
            turn.scope = Scope(prev[0].scope.kind, prev[0].scope.rows, turn.scope.scores, named=prev[0].scope.named)
        if turn.ask == "what" and not turn.followup:
            turn.ask = self._leading_ask(q, turn.ask)
        elif turn.ask == "who" and not turn.followup and not (asks_who(q) or blames(q) or parties_named(q)):
            # 「…これまでの給付も間違っていた可能性があるのか」: read as a who-question, but it asks for no
            # party, names none and speaks of no fault — the next most likely type
            turn.ask = max((a for a in qtype.scores if a != "who"), key=qtype.scores.get, default="what")
        elif (turn.yesno and turn.ask == "figures" and not turn.followup and not answer_type.expected(clause)
              and not any(answer_type.answers(k, clause) for k in answer_type.COUNTS)):
            # 「…累計8,441件に増えました。…市にはまったく関係のない話だと言い切れますか」: the count is the premise,
            # and the asking sentence speaks of none (「8,351件というのは多いのか」 does) — the next most likely type
            turn.ask = max((a for a in qtype.scores if a != "figures"), key=qtype.scores.get, default="what")
        # a yes/no judges a claim, not a count: one learned as a figures question (its premise's counts —
        # 「8,351件の誤りが見つかった。カードそのものに欠陥があったのでは」) is judged as a statement
        # (a council member's claim is judged on the sentence that states it, not on the premises before it)
        judged = (not turn.followup and claim_put(turn.prop_text)) or turn.prop_text
        turn.prop = proposition(judged, "what" if turn.yesno and turn.ask == "figures" else turn.ask)
        quoted = quoted_question(q) if turn.ask == "explain" and not turn.yesno else None
        if quoted:   # 「会見で『カードは危ないのか』と聞かれたら何と答えるか」: what to say answers the quoted question
            turn.prop = proposition(quoted, self._classify(quoted).ask)
        if (turn.yesno and turn.prop.frame == "factual" and names_this_city(q) and not normative(q)
                and (qtype.local or not asks_to_conclude(q))):
            # 「本市でも…まだ止まったままなのか」: whether it happened here, not whose fault — but a conclusion put
            # for approval that the examples do not read as this city's facts (「本市は…登録事務そのものを委託された
            # と理解してよいのか」) is judged as any claim
            turn.local = True
        elif self._asks_this_citys_facts(q, qtype):
            turn.local = True   # 「…誤登録は本市でも起きていたのか」「…誰が負うのか。また、本市の国保で誤りは見つかったのか」
        elif (turn.ask in ("who", "basis", "explain", "remedy") or asks_who(q)) and not answer_type.expected(q):
            # who carries an affair, on what legal basis, and what to say or do about it (「もしうちの窓口で
            # 見つかったら、市が先に謝るべきか」) are the same in every city
            turn.local = False
        if turn.local:
            turn.ask = self._national_ask(q, turn.ask)
        turn.basis_hits = self._basis_hits(turn, filters)
        return turn

    def _alone_if_moved(self, q: str, qvec, qtype, earlier: Turn, named: bool, filters) -> list | None:
        """「ガバメントクラウドは？」「ところで、来年度の予算編成はどうする？」 after a question on 健康保険: a
        follow-up by its shortness alone — it names no affair and points back at nothing (「それ」「では」) —
        that talks of something the earlier turn's passages never mention (not a word the labelled questions
        use about many affairs, like 「根拠」), and that, read on its own, finds
        none of the affair's documents among its top five — or names something no source knows and does not
        bear on the affair (its score for that row below inherit_min, as for any later question).
        「原因は？」「全国で何件あったのか」「数字で言うと？」「薬剤情報は見られた？」 stay on the earlier affair.
        Returns the question's own passages when it moved (the turn reads them), None when it stays."""
        if named or earlier.scope.kind not in ("one", "several") or points_back(q):
            return None
        context = normalize(" ".join([earlier.rq, *(h.chunk.text for h in earlier.hits)]))
        new = [n for n in content_nouns(q) if n not in context and n not in self.asking_nouns]
        if not new:
            return None
        hits = self.searcher.search(q, k=self.params.k, filters=filters)
        docs = {d for r in earlier.scope.rows for d in r.docs}
        if not any(h.chunk.doc_id in docs for h in hits[:5]):
            return hits
        scores = self.scope.match(q, qvec, hits, qtype.affair_hint).scores
        moved = (min(scores.get(r.id, 0.0) for r in earlier.scope.rows) < self.params.inherit_min
                 and any(n not in self.vocabulary for n in new))
        return hits if moved else None

    def _classify(self, text: str):
        """The question type of a part of a question (a quoted question, one of several asked)."""
        return self.classifier.classify(text, self.searcher.query_vector(dense_text(text)))

    def _leading_ask(self, q: str, ask: str) -> str:
        """「…について伺う。(1) …はなぜか。(2) …入っているのか。(3) …どう案内するのか」: read whole, a
        council question of several parts wants nothing in particular (`what`); its first part that
        says what it asks (a wh-word) and asks something the map answers leads."""
        parts = asking_parts(q)
        for part in parts if len(parts) >= 2 else []:
            if asks_with_wh(part):
                first = self._classify(part).ask
                if first in ("why", "who", "basis", "figures", "tech_ops"):
                    return first
        return ask

    @staticmethod
    def _national_part(q: str) -> str | None:
        """The first part of a question of several that does not concern this city (None: there is none)."""
        parts = asking_parts(q)
        national = [p for p in parts if not names_this_city(p)]
        return national[0] if len(parts) >= 2 and national else None

    def _national_ask(self, q: str, ask: str) -> str:
        """「…はなぜなのか。あわせて、本市の住民で該当した人は何人か」: of a question with a part about
        this city, the part not about it says what the sources answer (why, who, on what basis)."""
        national = self._national_part(q)
        if national is None:
            return ask
        first = self._classify(national).ask
        return first if first in ("why", "who", "basis") else ask

    def _about_the_whole(self, turn: Turn) -> bool:
        """「結局誰が悪いの？」「今回の問題で一番悪いのは誰」: whose fault, asked of nothing in particular —
        no affair named, every word one the sources or the briefing's questions use (「昨日の試合で
        負けたのは誰のせい」 has words of its own), none of its topical words in the evidence, and not
        worded like the unanswerable examples. In this briefing that is the errors as a whole:
        every affair's verdict."""
        q = turn.q
        if turn.scope.named or turn.followup or turn.local or not (blames(q) or asks_who(q)):
            return False
        if any(t not in self.vocabulary and len(t) > 1 for t in content_tokens(q)):
            return False
        if turn.qtype.out_of_scope >= self.params.out_of_scope_topic:
            return False
        strength = coverage(turn.rq, turn.hits[:3])
        return strength is None or strength < self.params.abstain_coverage

    def _asks_this_citys_facts(self, q: str, qtype) -> bool:
        """Some part of the question asks, in the labelled examples' sense of local, about this city
        and neither for a party nor about fault: what happened here, how many, what was done here."""
        if qtype.ask in ("basis", "define"):   # 「…とはどういう意味か。うちの市も当てはまるのか」: the law's terms
            return False
        asked = asking_parts(q)
        # 「本市の国民健康保険について伺う。…登録した例はないのか」: a council question's opening sentence
        # that names this city and asks nothing itself sets the place of the parts that follow
        scene = asked[0] if asked and names_this_city(asked[0]) and only_requests(asked[0]) else ""
        parts = [p for p in asked if (scene or names_this_city(p)) and not asks_who(p) and not blames(p)]
        types = [qtype if p == normalize(q) else self._classify(p if names_this_city(p) else scene + p)
                 for p in parts]
        # what the city should say or do (「本市としてどう向き合うのか」) is advice, the same in every city, and so
        # is its share, when that is plainly what is asked (「うちの市はどこまで関わっていたことになるのか」: a
        # who-question by the examples' majority); whether something happened or was done here (「うちの国保は
        # その点検を終えているのか」) is this city's fact
        return any((t.local or (t.yesno and proposition(p, t.ask).frame == "factual" and names_this_city(p)))
                   and t.ask not in ("explain", "remedy") and not (t.yesno and normative(p)) and not (t.ask == "who" and t.confidence >= self.params.share_confidence)
                   for p, t in zip(parts, types))

    def _basis_hits(self, turn: Turn, filters: Filters | None) -> list:
        """The best statute/notice passages, so the 根拠 section has material when they are relevant."""
        hits = turn.hits
        if not hits or any(h.chunk.meta.kind in BASIS_KINDS for h in hits[:4]):
            return []
        f = filters or Filters()
        kinds = tuple(k for k in BASIS_KINDS if not f.kinds or k in f.kinds)
        if not kinds:
            return []
        seen = {h.chunk.id for h in hits}
        found = self.searcher.search(turn.rq, k=2, filters=replace(f, kinds=kinds))
        return lower([h for h in found if h.chunk.id not in seen], 0.9 * min(h.score for h in hits)
                     / max(max((h.score for h in found), default=1.0), 1e-9))

    # ---- answering
    def _answer(self, turn: Turn, prev: tuple[Turn, Answer] | None) -> Answer:
        hits = turn.hits
        strength = coverage(turn.rq, hits[:3])
        dense_top = max((h.dense for h in hits), default=0.0)
        sentences = sorted(candidates(hits, self.searcher.store.sentences, turn.qvec), key=lambda c: -c.similarity)
        sentence_top = sentences[0].similarity if sentences else 0.0
        topical_gap = strength is not None and strength < self.params.abstain_coverage
        unrelated = (not hits or dense_top < self.dense_floor or topical_gap
                     or (strength is None and turn.scope.kind == "none"))
        # 「何円」「いつ」「何人」: asked for a kind of fact that no close sentence states
        wanted = answer_type.expected(turn.q)
        close = sentences[:self.params.answer_type_window]
        # … or that the map's figures for the affair it names state (「保険証の誤りは何件か」: the row's counts)
        # (or, for 「総点検では全部で何件調べて、何件見つかったのか」, the overview row's)
        figures = [f.value for r in turn.scope.rows for f in r.figures] if turn.scope.named else []
        figures += [f.value for f in turn.overview.figures] if turn.overview and not turn.local else []
        # a national question's sentence must also be about what is asked (「自主返納した人は何件か」 is not
        # answered by a count of linking errors); this city's facts have their national counterpart instead, and a
        # follow-up (「それはいつ？」) is about what was just answered
        focus = 0.0 if turn.local or turn.followup else self.params.answer_type_focus
        stating = [c.text for c in close if self._shares(turn.q, c.text) >= focus] + figures
        missing = [k for k in wanted if not any(answer_type.answers(k, t) for t in stating)]
        outside, unknown = self._worded_like_the_unanswerable(turn, strength)
        outside = outside or self._asks_about_the_unknown(turn)
        # … or, naming no affair, worded nearer an unanswerable labelled question than any answerable one
        # and using a word no passage uses (「コンビニ交付で別人の住民票が出てきた件」)
        outside = outside or (not turn.scope.named and not turn.local
                              and turn.qtype.unanswerable_lead >= self.params.unanswerable_lead
                              and bool(unknown_nouns(turn.q, self.vocabulary, things=True)))
        # … and, whatever its wording, a question naming no affair whose nouns are mostly not the sources'
        outside = outside or (not turn.scope.named and unfamiliar(self._judged_text(turn.q), self.vocabulary,
                                                                  self.params.unfamiliar_nouns, self.params.unfamiliar_share))
        # this city's count has a national counterpart in the sources; its rate, amount or date does not
        # — unless it names an affair whose documents state that kind of fact nationally (「本市の療育
        # 手帳の連携はいつ再開されるのか」: when it was stopped, and by whom; a 「登録率」 no source states)
        # — and unless another part of the question, not about this city, is the sources' to answer
        # (「総点検で市が点検を求められたのはどの範囲の事務か。うちでは…残業代はいくらかかったのか」)
        local_gap = turn.local and any(k not in answer_type.COUNTS and not self._affair_states(turn, k) for k in missing) \
            and not self._national_part(turn.q)
        if names_private_person(turn.q, self.vocabulary):
            ans = self._abstain(turn, PRIVATE_PERSON)
        elif (unrelated and not (turn.scope.named or turn.whole)) or local_gap or outside:
            ans = self._abstain(turn)
        elif missing and not turn.local:
            # 「何件あったのか、また…市長はどう受け止めているか」: the part asking for a kind of fact no close
            # sentence states is declined, the rest answered (in part); asked alone, the question is declined
            parts = asking_parts(turn.q)
            rest = [p for p in parts if not answer_type.expected(p)]
            ans = self._in_part(" ".join(rest), missing, turn, prev) if rest and len(rest) < len(parts) else self._abstain(turn)
        else:
            ans = self._compose(turn, prev)
        ans.evidence = {"coverage": round(strength or 0.0, 3), "dense_top": round(dense_top, 4),
                        "sentence_top": round(sentence_top, 4), "out_of_scope": round(turn.qtype.out_of_scope, 3)}
        if missing:
            ans.evidence["missing_answer_type"] = len(missing)
        if unknown:
            ans.evidence["unknown_nouns"] = len(unknown)
        ans.intents = [turn.ask] + [f for f in ("yesno", "local", "followup") if getattr(turn, f)]
        ans.retrieval_query = turn.rq
        return ans

    def _in_part(self, rest: str, missing: list[str], turn: Turn, prev: tuple[Turn, Answer] | None) -> Answer:
        """The answer to the parts of the question the sources can answer, saying first which kind of
        fact they do not state."""
        part = self.understand(rest, prev, turn.filters)
        if turn.scope.named and not part.scope.named:   # 「…口座の誤登録で…何人か。また、誰の責任か」: the affair named before
            part.scope, part.hits = turn.scope, turn.hits
            part.prop = proposition(part.prop_text, part.ask)
        ans = self._compose(part, prev)
        note = NO_FACT.format("・".join(answer_type.NAMES[k] for k in missing))
        concl = ans.sections[0].sentences if ans.sections else []
        at = 1 if ans.verdict and concl else 0   # a verdict stays first
        concl.insert(at, Sentence(text=note, citations=[]))
        ans.question, ans.coverage = turn.q, "partial"
        ans.coverage_note = f"{note}{ans.coverage_note}"
        ans.summary = "".join(s.text for s in concl)
        ans.answer = render_markdown(ans.sections, ans.citations)
        return ans

    def _judged_text(self, q: str) -> str:
        """What a question's words are judged on: its asking clause when that names enough things to judge
        (the story told before it — 「先日、地元の商店街の会合で…」 — uses words of its own), else all of it."""
        q = without_hearsay(q)   # 「コメンテーターが『…』と言っていたが、」: the claim to check is not the asker's topic
        clause = asking_clause(q)
        return clause if len(content_nouns(clause)) >= self.params.unfamiliar_nouns else q

    def _shares(self, question: str, sentence: str) -> float:
        """IDF mass of the question's nouns (the things it is about) that the sentence uses."""
        text = normalize(sentence).lower()
        return sum(self.idf.get(n, 0.0) for n in content_nouns(question, True) if n in text)

    def _affair_states(self, turn: Turn, kind: str) -> bool:
        """Some document of the affair the question names states a fact of this kind (a date, a rate)."""
        docs = {d for r in turn.scope.rows for d in r.docs} if turn.scope.named else set()
        return any(c.doc_id in docs and answer_type.answers(kind, c.text) for c in self.chunks.values())

    def _worded_like_the_unanswerable(self, turn: Turn, strength: float | None) -> tuple[bool, list[str]]:
        """Worded like the questions the sources cannot answer (scope_examples.yaml) and with little of
        its wording in the evidence — the question's form alone cannot tell, the sources' content must
        agree — or with nouns the sources never use (「ゆうちょ銀行」「コンビニ」 beside 公金受取口座).
        A question that names an affair has that much of its wording in the sources already: only its
        unknown nouns can put it outside (「会社の健康保険で…市役所に言えば直してもらえるのか」 is in)."""
        if turn.qtype.out_of_scope < self.params.out_of_scope_min or turn.local:
            return False, []
        unknown = unknown_nouns(turn.q, self.vocabulary)
        if turn.scope.named:   # only the new things it asks about, not where it happened (「テレビで」「病院に行ったら」)
            asked = unknown_topics(turn.q, self.known_text, marked=THEME)
            unknown = [n for n in unknown if any(n in normalize(t).lower() for t in asked)]
        thin = (strength or 0.0) < self.params.out_of_scope_coverage and not turn.scope.named
        return thin or len(unknown) >= self.params.out_of_scope_unknown_nouns, unknown

    def _asks_about_the_unknown(self, turn: Turn) -> bool:
        """What the question asks about (「資格確認書は」「交付率は」) is named neither in the sources nor in
        the labelled questions, and its wording leans toward the unanswerable examples — this city's
        「交付率」 too: with no national counterpart there is nothing to give in part."""
        oos = turn.qtype.out_of_scope
        if oos >= self.params.out_of_scope_new_pair:   # even two known words put together anew (「データ連携」)
            return bool(unknown_topics(turn.q, self.known_text))
        # below that, a question naming an affair counts only the new things it asks about (「保険証の…資格確認書
        # は」), not what qualifies them (「病院の読み取り機械」「市の関わりの度合いは」)
        marked = THEME if turn.scope.named else THEME + ("の",)
        # Below, what the question names anew declines it unless the scope model is sure of the question
        # (「保険証に公金口座に障害者手帳と…不祥事が立て続けだったけど、結局どこが悪いの？」「…なんでこうもボタンの
        # 掛け違いが起きたの？」「…専門家はこの案をどう見ているのか」: how it is told, not what it asks); on the 28
        # dev sets no out-of-scope question that names such things scores below 0.24.
        doubted = oos >= self.params.scope_sure
        # a compound none of whose words the sources use (「懲戒処分の対象とすべきか」), whatever its wording
        if wholly_new_topics(turn.q, self.known_text, self.vocabulary) and doubted:
            return True
        # (and, naming an affair, not the circumstance told before it: 「保険証のトラブルで施設から苦情が来てるんですが、」)
        asked = past_the_premise(turn.q) if turn.scope.named else turn.q
        unknown = unknown_topics(asked, self.known_text, self.vocabulary, marked=marked)
        if len(unknown) >= self.params.out_of_scope_topics and doubted:
            return True   # 「市立病院の赤字が…運用の問題か」: asked in the briefing's words, about two things it never names
        # not about this city: a local question may name a place the sources do not (「市内の病院」)
        floor = self.params.out_of_scope_topic if turn.local else self.params.out_of_scope_topic_national
        return oos >= floor and bool(unknown)

    def _compose(self, turn: Turn, prev: tuple[Turn, Answer] | None) -> Answer:
        cites = Citations()
        text = lambda quote: (c := self.chunks.get(quote.chunk_id)) and c.text[quote.start:quote.end] or ""  # noqa: E731
        claims, verdict = self._summary_claims(turn, text)
        claims += self._further_parts(turn, text, claims)
        prev_claims = [s.text for s in prev[1].sections[0].sentences] if prev and prev[1].sections else []
        repeated = bool(claims) and [words.unprefixed(c.text) for c in claims] == [words.unprefixed(t) for t in prev_claims[:len(claims)]]
        if repeated:   # a follow-up never repeats the previous answer: lead with new material …
            # … after the one sentence on the party it names, when it asks nothing else (「では市の責任は？」:
            # the city's share; 「うちは中核市だけど…」 asks about 中核市, which new material answers)
            bare = all(n in normalize(claims[0].text).lower() for n in content_nouns(turn.q, True))
            focus = claims[:1] if len(claims) > 1 and bare and turn.prop.party in parties_named(turn.q) else []
            kept, claims = claims, focus
        summary_keys = {(q.chunk_id, q.start, q.end) for c in claims for q in c.quotes}
        exclude = summary_keys | (prev[0].used if prev else set())
        rows = turn.scope.rows
        extra = turn.basis_hits + row_hits(rows, self.chunks, turn.hits, docs_per_row=self.params.row_docs)
        # the proposition a yes/no judges — and an apology asked about in any form (「公表や謝罪をどう考えるか」)
        rvec = self.searcher.query_vector(dense_text(turn.rq))
        support = select(turn.hits, extra, f"{turn.rq} {turn.q}", turn.ask, rows, self.map, self.idf,
                         self.searcher.store.sentences, rvec,
                         exclude, self.params.max_support + (0 if claims else 1), self.params,
                         said=tuple(c.text for c in claims), said_keys=tuple(summary_keys),
                         prop=turn.prop if turn.yesno or turn.prop.frame == "apology" else None,
                         recalled=self.recall.near(rvec, self.params.recall_k, self.params.recall_base))
        claims = _party_first(turn, claims, support)
        if not claims and support:   # nothing from the map: the best sentence is the answer
            lead = self._lead_sentence(support, turn)
            support.remove(lead)
            claims = [words.Claim(lead.text, [], candidate=lead)]
            # … and, when the question names its one affair, the further parts the map answers follow it
            # (「(1) 停止に至った理由、(2) 窓口でどう対応すべきか」: the advice leads, the cause follows)
            more = self._further_parts(turn, text, claims) if turn.scope.kind == "one" and turn.scope.named else []
            keys, texts = {(q.chunk_id, q.start, q.end) for c in more for q in c.quotes}, {c.text for c in more}
            support = [c for c in support if (c.hit.chunk.id, c.start, c.end) not in keys and c.text not in texts]
            claims += more
            summary_keys |= keys
        elif not claims and repeated:
            claims = kept   # nothing new to say: the same conclusion rather than none
        basis = "map" if verdict else ""
        if turn.yesno and verdict is None and claims and not turn.local:   # local facts: the sources cannot say
            verdict, basis = self._factual_verdict(turn, claims, support, rvec)
        elif turn.yesno and verdict is None and claims and turn.local and asks_to_conclude(turn.q):
            # 「本市の国保では誤りは起きていない、と考えてよいか」: in part — the national picture speaks to it,
            # this city's own records are not in the sources
            verdict, basis = "partial", "local"
        # (a repeated yes/no keeps the map's verdict in front of the new material)
        coverage_kind, note = ("partial", NO_LOCAL_DATA) if turn.local and (rows or support) else ("full", "")
        if basis == "local" and note:   # 「一部です。この資料集には、本市の…記録はありません。」 then the national picture
            note = words.VERDICT_WORDS[verdict] + note
        else:
            claims = words.lead_with(verdict, claims)
        concl = [Sentence(text=note, citations=[])] if note else []
        for c in claims:
            nums = ([cites.add(c.candidate)] if c.candidate is not None else
                    [cites.add_span(self.chunks[q.chunk_id], q.start, q.end) for q in c.quotes if q.chunk_id in self.chunks])
            concl.append(Sentence(text=c.text, citations=sorted(set(nums))))
        if note and verdict and basis != "local" and turn.yesno and len(concl) > 1:   # the verdict stays first, the note follows it
            concl[0], concl[1] = concl[1], concl[0]
        buckets: dict[str, list[Candidate]] = {REASON: [], BASIS: [], MUNICIPAL: []}
        for c in support[:self.params.max_support]:
            buckets[_bucket(c)].append(c)
        sections = [Section(heading=CONCLUSION, sentences=concl)]
        for heading in _ORDER.get(turn.ask, (REASON, BASIS, MUNICIPAL)):
            if buckets[heading]:
                sections.append(Section(heading=heading, sentences=[Sentence(text=c.text, citations=[cites.add(c)])
                                                                    for c in buckets[heading]]))
        turn.used = summary_keys | {(c.hit.chunk.id, c.start, c.end) for c in support}
        resp = responsibility_for(turn, cites, self.chunks)
        cause = cause_for(turn, cites, self.chunks, text)
        summary = "".join(s.text for s in concl)
        dates = sorted(c.date for c in cites.items)
        return Answer(question=turn.q, summary=summary, answer=render_markdown(sections, cites.items),
                      coverage=coverage_kind, coverage_note=note, verdict=verdict if turn.yesno else None,
                      verdict_basis=basis if turn.yesno and verdict else "",
                      responsibility=resp, cause=cause, citations=cites.items, sections=sections,
                      affairs=[r.id for r in rows], as_of=dates[-1] if dates else "")

    def _summary_claims(self, turn: Turn, text) -> tuple[list[words.Claim], str | None]:
        """The verdict and the map's answer for the question type; [] when the map has none."""
        rows, ask, scope = turn.scope.rows, turn.ask, turn.scope
        overview = self.scope.overview()
        if answer_type.expected(turn.q) in (["date"], ["duration"]) and not turn.yesno and not turn.local:
            return [], None   # 「いつ」: the sentence that states the date answers, not the map's parties or counts
        if turn.local and rows:
            # the errors as a whole (「総点検で、うちの市が関わる誤りは何件か」): the overview's figures
            row = overview if scope.kind == "general" and overview is not None else rows[0]
            src = words.local_source(row)
            national = words.figures(row, limit=1, question=turn.q, local=True, text=text)
            where = ([src] if src else []) + words.local_check(row, text)   # where this city's own figure is
            local = national + where
            # a yes/no the map can judge, beside a part about this city's facts (「…責任は本市にあるのか。
            # あわせて本市国保の点検結果は」): the verdict on the judged part still comes first
            asked = asking_parts(turn.q)[:1]   # the yes/no itself is about fault, not whether it happened here
            judged = (turn.yesno and turn.prop.frame != "factual" and not row.overview and not asks_who(turn.q)
                      and bool(asked) and blames(asked[0]))
            verdict = judge(turn.prop, [row]) if judged else None
            if (ask in ("who", "basis") or verdict) and not row.overview:   # 「責任は誰が負うのか。また本市で…」
                return words.lead_with(verdict, words.who(row, with_basis=ask == "basis", text=text)[:1] + local), verdict
            if ask == "why" and not row.overview:   # 「なぜ起きたのか。また、本市の職員に該当者はいたのか」
                return words.why(row, text)[:2] + local, None
            # an affair the city does not carry: who does, which is why the city's count is theirs to give
            carrier = words.holder(row, text)[:1] if row.primary and row.primary.actor != "municipality" and not row.overview else []
            # … and, in the sources' sentence, why the city has no figure of its own to give (「市区町村は公金受取
            # 口座の情報を保有しておらず…確かめる立場にもない」)
            if carrier and row.city_share == "none" and row.city_quotes:
                carrier += [c for c in [words.city_share(row, text)] if c.text not in {x.text for x in carrier}]
            return national + carrier + where, None
        if scope.kind in ("several", "general"):
            about_all = scope.kind == "general" and overview is not None
            if about_all and ask in ("why", "tech_ops") or (about_all and turn.prop.frame in ("technical", "operational")):
                verdict = judge(turn.prop, [overview]) if turn.yesno else None
                differ = []
                if verdict and of_every_kind(turn.q):   # … of every affair, the mixed ones too
                    verdict = judge(turn.prop, [overview, *self.scope.affair_rows()])
                    differ = sorted((r for r in self.scope.affair_rows() if r.cause != overview.cause),
                                    key=lambda r: r.cause not in ("mixed", "technical"))
                claims = words.tech(verdict, overview, text) if ask == "tech_ops" or verdict else words.why(overview, text)
                if verdict == "partial" and differ:   # the affair whose cause is of another kind, in its own sentence
                    claims += words.why(differ[0], text)[:1]
                return claims, verdict
            # 「市としても返納を選択肢として示すべきではないか」: about every affair, the city's own course of action
            # with no word of fault is not a question of who carries which affair — the sources' sentences judge it
            policy = (scope.kind == "general" and turn.prop.frame == "fault" and not turn.prop.faulted
                      and turn.prop.party == "municipality")
            judged = turn.yesno and turn.prop.frame != "factual" and not policy   # 「…8,351件も出たのは自治体が雑だったからでしょ」
            if ask == "figures" and about_all and not judged:
                return words.figures(overview, question=turn.q, text=text), None
            verdict = judge(turn.prop, rows) if turn.yesno and not policy else None
            # 「『市のミスだろう』と詰められたらどう返す」: what to say about fault is who carries each affair
            if ask == "who" or verdict or (ask == "explain" and (blames(turn.q) or asks_who(turn.q))):
                claims = words.cross(rows, verdict)
                if turn.prop.frame == "fault" and turn.prop.party == "municipality":
                    # 「市には何の落ち度もないと言い切れるのか」: where the city does carry a share, the sources' sentence
                    claims += [words.city_share(r, text) for r in rows if r.city_share != "none" and r.city_quotes][:2]
                return claims, verdict
            return [], None
        if scope.kind != "one":
            return [], None
        row = rows[0]
        if turn.compared:   # 「それって療育手帳も同じなんですか」: the earlier question's answer, compared
            earlier_ask, earlier, differs = turn.compared
            verdict = words.same_answer(earlier_ask, earlier, row, differs)
            claims = words.why(row, text) if earlier_ask in ("why", "tech_ops") else words.who(row, text=text)
            return words.lead_with(verdict, claims), (verdict if claims else None)
        verdict = judge(turn.prop, rows) if turn.yesno else None
        fault = verdict and turn.prop.frame in ("fault", "evasion", "apology", "holds")
        if ask in ("who", "explain") or fault:
            # 「市の責任は？」 — not 「役所に置いたタブレットで…。あれってどこが受け持ってる仕事なの？」, which names
            # the city only in the story before it asks who
            about_city = (turn.prop.frame == "fault" and turn.prop.party == "municipality"
                          and (turn.yesno or "municipality" in parties_named(asking_clause(turn.q))))
            claims = (words.fault_verdict(verdict, turn.prop.party, row, text) if fault or about_city
                      else words.who(row, text=text))
            if about_city and row.city_share == "none":
                # 「じゃあ市は？」 of an affair the city does not carry: what its own part still is, in the
                # sources' sentence on what this city checks (「一般の市町村でも、手帳の申請を受け付ける窓口で…」)
                claims += words.local_check(row, text)
            if ask == "why":
                claims += words.why(row, text)[1:]
            elif self.params.who_mechanism:   # how the failure came about, in the sources' own sentence
                claims += words.mechanism(row, text)
        elif ask == "why":
            claims = words.why(row, text)
        elif ask == "tech_ops":
            claims = words.tech(verdict, row, text)
        elif ask == "figures":
            claims = words.figures(row, question=turn.q, text=text)
        elif ask == "basis":
            claims = words.who(row, with_basis=True, text=text)
            claims = claims[-1:] + claims[:-1] if claims and row.primary and row.primary.basis else claims
        elif verdict and turn.prop.frame in ("technical", "operational"):
            claims = words.tech(verdict, row, text)
        else:
            claims = []
        return words.lead_with(verdict, claims), (verdict if claims else None)

    def _further_parts(self, turn: Turn, text, claims: list) -> list:
        """「第一に、全国で何件か。第二に、原因は何か。第三に、責任の所在をどう認識しているか」: each
        further part that asks for something else the map answers (who, why, how many) adds the map's
        first sentence for it, so a council question's sub-questions are each answered."""
        if turn.followup or not claims or self.params.further_parts <= 0:
            return []
        parts = asking_parts(turn.q)
        # asked about this city, the summary answered the city's part: the parts not about it follow
        # (「(1) 本市で何件確認されたのか。(2) 原因をどう分析しているのか」)
        # (every part: the first may ask something other than the whole question's type — 「(1) 理由、(2) 対応」)
        parts = [p for p in parts if not names_this_city(p)] if turn.local else parts
        # a cause named answers why it happened and whether it was technical alike
        said, seen, out = {c.text for c in claims}, {turn.ask} | ({"why", "tech_ops"} if turn.ask in ("why", "tech_ops") else set()), []
        for part in parts:
            # a part that says itself what it asks (何件・なぜ・誰・どのように), or asks for the legal basis
            # (「その法令上の拠り所もあわせて示されたい」)
            ask = self._classify(part).ask
            if ask in seen or ask not in ("who", "why", "figures", "basis") or not (says_what_it_asks(part) or ask == "basis"):
                continue
            seen.add(ask)
            more, _ = self._summary_claims(replace(turn, ask=ask, yesno=False, local=False), text)
            out += [c for c in more[:2 if ask == "why" else 1] if c.text not in said]   # a cause with its mechanism
        return out[:self.params.further_parts]

    def _factual_verdict(self, turn: Turn, claims, support, rvec=None) -> tuple[str | None, str]:
        """A yes/no the map cannot judge: the answering sentences (the summary's and every supporting
        sentence the answer shows) decide when they share a predicate with the question (「直るのか」
        「直らない」); otherwise the judgement the nearest labelled yes/no questions opened with
        (`examples`), and without any, the question's framing: a rhetorical question that asserts its
        premise (「…ではないか」) is answered by the sources' correction of it, いいえ."""
        texts = ([c.candidate.text for c in claims if c.candidate is not None]
                 + [c.text for c in support[:self.params.max_support]])
        for t in texts:
            v = evidence_verdict(yes_no_part(turn.q), t)
            if v:
                return v, "sentence"
        learned = self.recall.verdict(rvec, self.params.verdict_k)
        if learned:
            # a claim the question asserts (「…過剰反応じゃないですか」) is granted whole only on the map's or a quoted
            # sentence's word: neighbours on the same subject agree on its facts, not on the asker's premise
            return ("partial" if learned == "yes" and asserts(turn.q) else learned), "examples"
        return (self.params.rhetorical_verdict if asserts(turn.q) else self.params.open_verdict), "framing"

    @staticmethod
    def _lead_sentence(support: list[Candidate], turn: Turn) -> Candidate:
        """The sentence that leads when the map has nothing to say: not reported speech unless the
        question asks what someone said, nor one that only says again what the question already says."""
        term = defined_term(turn.q)
        if term:   # 「個人番号利用事務実施者とは」 is not answered by the sentence on 個人番号関係事務実施者
            naming = [c for c in support if normalize(term) in normalize(c.text)]
            support = naming or support
        if not turn.yesno and not answer_type.expected(turn.q):
            # 「政府は6月21日、総点検本部の初会合を開きました。…市長は何を確かめるのか」: the sentence stating the
            # premise answers nothing (a yes/no is answered by restating its claim; a date or count by its figure)
            support = [c for c in support if not echoes(c.text, turn.q)] or support
        said = [c for c in support if reported_speech(c.text)]
        if turn.ask != "speech":
            plain = [c for c in support if c not in said]
            if plain:
                return max(plain, key=lambda c: c.score)
        # 「講演者はどう評価していたか」: what someone said, not the claim they were answering
        return max(said or support, key=lambda c: c.score)

    def _abstain(self, turn: Turn, reason: str = "") -> Answer:
        kinds = Counter(c.meta.kind for c in self.chunks.values())
        near = list(dict.fromkeys(h.chunk.meta.title for h in turn.hits[:3]))
        labels = {"statute": "法令", "notice": "通知", "incident": "事案", "analysis": "講演の整理",
                  "guidance": "手引", "faq": "FAQ"}
        covered = "、".join(f"{labels.get(k, k)}（{n}件）" for k, n in kinds.most_common())
        lines = [reason or "ご質問に答える根拠が、登録されている資料の中に見つかりませんでした。推測ではお答えしません。", "",
                 "この資料集が扱うのは、2023年のマイナンバー紐付け誤りに関する法令・通知・事案・講演の整理です"
                 f"（索引の内容: {covered}）。"]
        if near and not reason:
            lines += ["", "近い内容の資料: " + "、".join(near)]
        return Answer(question=turn.q, abstained=True, coverage="none", answer="\n".join(lines),
                      coverage_note="登録されている資料には、この質問に答える記述がありません。",
                      summary=reason or "登録されている資料にはこの質問に答える記述がないため、回答を控えます。")


def _party_first(turn: Turn, claims: list, support: list[Candidate]) -> list:
    """A yes/no judged across affairs that puts the fault on a party carrying none of them (「それは
    J-LISの責任でしょう？」): the map's list names only each affair's party, so the supporting sentence
    that names the party asked about comes first (「J-LIS は照会に応じて…返す立場にあり…当事者ではない」),
    the verdict in front of it and the list after it."""
    party = turn.prop.party
    if not (turn.yesno and claims and turn.scope.kind in ("several", "general") and party and party != "municipality"):
        return claims
    if any(r.primary and r.primary.actor == party for r in turn.scope.rows):
        return claims
    naming = [c for c in support if party in parties_named(c.text)]
    if not naming:
        return claims
    best = max(naming, key=lambda c: c.score)
    support.remove(best)
    first = claims[0]
    rest = [words.Claim(words.unprefixed(first.text), first.quotes, first.candidate)]
    return [words.Claim(best.text, [], candidate=best)] + rest + claims[1:]


def _bucket(c: Candidate) -> str:
    meta = c.hit.chunk.meta
    headings = " ".join(c.hit.chunk.heading_path)
    if any(w in headings for w in _MUNICIPAL_HEADINGS) and meta.kind != "statute":
        return MUNICIPAL
    if meta.kind in BASIS_KINDS:
        return BASIS
    return REASON
