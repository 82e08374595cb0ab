"""What kind of answer a question wants, learned from labelled example questions.

The type (`ask`), whether it asks for a yes/no judgement, whether it asks about this city's own
data and whether it is an elliptical follow-up are learned from question_examples.yaml
(classifiers over the question's character n-grams and its embedding), then corrected by a few
grammatical signals: wh-words, an either-or 「それとも」, first-person place words (本市・うちの市)
and follow-up openers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from assistant.normalize import normalize

from . import answer_type
from .kana import vowel
from .params import DEFAULT, ComposerParams
from .proposition import _REQUEST, SELF_DOUBT, blames, predicates_of

EXAMPLES = Path(__file__).with_name("question_examples.yaml")
UNANSWERABLE = Path(__file__).with_name("scope_examples.yaml")   # questions the sources cannot answer
ASKS = ("who", "why", "tech_ops", "basis", "figures", "explain", "remedy", "what", "speech", "define")

# 「何の落ち度もない」「何も」「何ら」 deny, they do not ask what
# 「誰が見ても」「どう考えても」「どこの自治体でも」「いつまでも」: a wh-word made concessive by も asks nothing
_CONCESSIVE = r"(?!まで?も|も|[^。、？?]{0,6}?(?:ても|でも))"
# 「誰かが」「どこかの段階で」「いつか本市でも」「どちらかといえば」「なぜか」: a wh-word made indefinite by か
# asks nothing either (「責任者は誰か。」「誰か、」 still ask who); nor do 「何とか」「どうにか」「どうせ」「どうやら」
# 「どのみち」「なんでも」, or 「何度も」「何千件も」 (many times, thousands)
_INDEFINITE = r"(?!か(?!月|所|国)(?:[^。？?\s、,とら]|とい|と言))"   # (「いつから」「どこから」「何か月」「何か所」 still ask)
_WH = re.compile(rf"(?:誰|だれ|どなた|何(?!か(?!月|所|国)[^。？?\sら]|も|ら|とか|の[^。？?、]{{1,8}}?も|[千百万十]*[度回年人件]も)|なに|(?<!な)(?:どこ|どちら|どっち|どの(?!みち)|どれ)|いつ|どう(?!して|にか|せ|やら)"
                 rf"){_INDEFINITE}{_CONCESSIVE}|なぜ(?!か[^。？?\s、,])|何故|なんで(?!す|しょ|も)|どうして(?!も(?!っと))|いくつ|いくら|どんな|いかなる|如何なる")
# (「更新などの機会に」「窓口などで」: など followed by の・で is no どの・どこ)
# 「登録したのはどこなのか」「入れたのは、どこの組織か」「どこがしくじったのか」「どこの責任か」: どこ naming a
# body asks who as 誰 does
# (「手続のどこがおかしいのか」 asks which part, 「どこに穴が」「どこで」「どこまで」 where or how far)
_WHO = re.compile(rf"(?:誰|だれ|どなた){_INDEFINITE}(?!も)|(?<!の)どこ(?:が(?!問題)|の(?:責任|事務|機関)|(?:なの|です|だ)(?!け)|か(?=[。、？?]|$))|のは、?どこ")
# 「技術か、運用か」「情報ですか、処理ですか」「それとも」: an either-or question, answered by naming one
_AND_ALSO = r"(?:また|あわせて|併せて|さらに)"   # 「…のか、また…」 adds a second question
_ASKING_CLAUSE = r"(?:のか|ないか|るか|ますか|ですか|よいか|いいか|よろしいか|か否か|かどうか)"   # 「…と考えてよいか、見解を伺う」
_WHETHER = re.compile(r"か(?:どうか|否か)")
_WHETHER_ASKED = re.compile(rf"{_WHETHER.pattern}[、,]?を?(?:{_REQUEST.pattern})")   # 「…かどうか教えてください」
_EITHER = re.compile(rf"それとも|か[、,](?!{_AND_ALSO})[^。？?、]{{1,25}}か[。？?]?\s*$")
# 「原因は？」「件数は？」「保険証の場合は？」: an elliptical what-about question, not a yes/no one.
# (「…のでは？」「…んでは？」 is a rhetorical yes/no, not a what-about; so is 「…ってほんと？」, 本当 in kana)
_ELLIPSIS = re.compile(r"(?:(?<!ので)(?<!んで)は|って|とは|(?<!の)(?<!ん)では|だと|なら|場合は|ついては|(?<!こ)(?<!ほん)と)[？?]\s*$"
                       r"|(?:は|って|では|なら)どう(?:なの|です|でしょう)?(?:か|だ)?[？?。]?\s*$")
# 「気を付けることはありますか」「学べることはあるか」: asks what there is, not whether — unlike
# 「…が原因になったことはありますか」 (whether it ever happened) and 「責任を問われることはあるか」
# (whether blame may land: a passive, in a question of fault — see _blame_may_land)
_ANYTHING = re.compile(r"(?:(?<![ただ])(?<!という)(?<!って)こと|もの|点|ところ)(?:は|が)?(?:あります|ある|ありません|ない)(?:か|の|でしょうか)?[？?。]?\s*$")
_PASSIVE_THING = re.compile(r"れること")
_YESNO_END = re.compile(r"(?:か|の|かな|かね|かしら|かい|よね|よな|ですね|ますね|のね|でしょう?|だろう?|ある|ない|(?:の|ん|はず)では)[？?。！!]?\s*$|[？?]\s*$")   # 「…のでは。」 asks too
# 「…カードの欠陥なのでしょうか、どうなのでしょうか」: the question put, then pressed
_PRESSED = re.compile(r"か[、,]\s*(?:どう|いかが)(?:なの|なん)?(?:です|でしょう|だ)?か?[？?。]?\s*$")
# 「…本市には一切の責任がないと考えるが、市長の見解を伺う」「…見直しを求めるべきと考えるが、いかがか」: a
# council member states a claim and asks whether the mayor agrees — the interpellation's yes/no form
# (the request is the one 「…について伺う」 makes anywhere — proposition._REQUEST — or the council's 問う・いかが)
_CLAIM_PUT = re.compile(r"(?:と(?:考え(?:る|ます)|思(?:う|います)|判断する)(?:の|ん)?(?:です)?|べきである|べきだ)(?:が|けれども|けれど|けど)[、,]?[^。？?、,]{0,16}?"
                        rf"(?:{_REQUEST.pattern}|お聞き|お尋ね|問う|問い|いかが|どう)[^。？?、,]{{0,6}}[。？?]?\s*$")
# 「…と思うのですが、どうでしょう」: the bare how-about that asks for a view of the claim, no question of how
_HOW_ABOUT = re.compile(r"[、,]\s*(?:どう|いかが)(?:でしょう(?:か)?|ですか|か|だろう(?:か)?)?[。？?]?\s*$")


def puts_a_claim(asked: str) -> bool:
    """The asking sentence states a claim and asks the mayor's view of it — with no wh-word in it, before
    the claim or in what is asked of it (「…市の窓口になると考えるが、市としてどう備えるのか伺う」 asks how)."""
    m = _CLAIM_PUT.search(asked)
    return bool(m) and not _WH.search(_HOW_ABOUT.sub("", asked))


def claim_put(question: str) -> str | None:
    """The sentence of a council question that states the claim it asks the mayor's view of — what a
    yes/no verdict judges, without the premises stated before it (「市長はこれまで…所管外であると答弁
    してこられた。しかし、…責任は市長自身が負うべきものと考えるが、いかがか」)."""
    sentences = [x.strip() for x in re.split(r"(?<=[。？?！!])", normalize(question)) if x.strip()]
    return sentences[-1] if len(sentences) > 1 and puts_a_claim(sentences[-1]) else None


# first person + the municipality, or + one of its own bodies (「うちの国保」「わが町の窓口」)
_OURS = r"(?:本|当|うちの|ウチの|わが|我が|私たちの|わたしたちの)"
_LOCAL = re.compile(rf"{_OURS}(?:市|町|村|区|自治体|県)|(?:市|町|区|村)内|"
                    r"(?<![のこそあど0-9０-９])(?:うち|ウチ)で(?:は|も)|"   # 「うちでは実際どうだったのか」: here (not 「そのうちでは」)
                    r"この(?:市|町|村|区)|(?:うちの|ウチの|わが|我が)[^。、？?]{0,4}?(?:国保|窓口|職員|役所|課)")
# 「指導を受けたのは、本市ではなくデジタル庁だという理解でよいか」: the city named only to be set aside
_NOT_HERE = re.compile(rf"{_OURS}(?:市|町|村|区|自治体)(?:では|で|じゃ)?なく(?:て)?")
# 「市の窓口で」「市が運営する国保で」: 市 on its own (not 福島市, 市区町村, 市長), as the asker's city
_BARE_CITY = re.compile(r"(?<![^\s、。「」？?！!はもがをにでか])市(?=の|が|で|は|として)")
SAME = re.compile(r"同じ|同様")   # 「…も同じか」 asks whether the answer just given holds here too
DIFFERENT = re.compile(r"(?<!間)違[うい]|異な")   # 「国保は違うのか」: whether it does not
# 「カードそのものに欠陥があったということか」: points back at what was just said
_ANAPHORA = re.compile(r"それ|その|そこ|そう(?:いう|した)|ということ(?:か|ですか|なのか|でしょうか)")
_EMBEDDED = re.compile(rf"([^。？?！!]*?{_ASKING_CLAUSE})、")   # the whole clause: 「今後どのように点検し、…図るのか、」
_SECOND_QUESTION = re.compile(rf"(.+?{_ASKING_CLAUSE})[、,]{_AND_ALSO}")
# 「…前提だったと聞いています。その点、事実関係を確認させてください」: something heard, then a request to
# confirm it — a yes/no on what was heard
_HEARD_THEN_CONFIRM = re.compile(r"(?:と(?:聞|伺|報じられ|言われ|いわれ)|という(?:話|報道|指摘))[^。？?]{0,12}?[。、,]?"
                                 r"[^。？?]{0,15}?(?:確認|確かめ|事実|本当|真偽)")
_FOLLOW_START = re.compile(r"^(?:では|じゃあ|じゃ|それでは|それなら|なら|で、|その|それ|この|同じ|ちなみに|一方|逆に|また|あと|"
                           r"だったら|だとすると|とすると|すると)"
                           r"|^[^。？?]{1,24}(?:なんです|です|なの|だ)(?:ね|よね)[。、]")   # 「都道府県なんですね。」 takes up the answer


@dataclass(frozen=True)
class Example:
    q: str
    ask: str
    yesno: bool = False
    local: bool = False
    affair: str = "none"
    followup: bool = False
    answerable: bool = True   # False: a question of scope_examples.yaml (trains only the scope model)
    scope_only: bool = False  # a dev question of answer_examples.yaml: trains only the scope model, answerable or not


@dataclass(frozen=True)
class QuestionType:
    ask: str
    yesno: bool = False
    local: bool = False
    followup: bool = False
    confidence: float = 1.0           # share of the neighbours' weight behind `ask`
    affair_hint: str = "none"         # what similar examples are about (an affair id, general or none)
    out_of_scope: float = 0.0         # how much the question resembles questions the sources cannot answer
    unanswerable_lead: float = 0.0    # cosine to the nearest unanswerable example less that to the nearest answerable one
    scores: dict = field(default_factory=dict)


@lru_cache(maxsize=4)
def load_examples(path: Path = EXAMPLES, unanswerable: Path | None = UNANSWERABLE) -> tuple[Example, ...]:
    """The labelled questions, then (when present) the questions the sources cannot answer."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out = []
    if unanswerable is not None and Path(unanswerable).is_file():
        out += [Example(q=str(i["q"]), ask="what", answerable=False)
                for i in yaml.safe_load(Path(unanswerable).read_text(encoding="utf-8")) or []]
    for item in raw:
        if item.get("ask") not in ASKS:
            raise ValueError(f"{path}: example {item.get('q')!r} has unknown ask {item.get('ask')!r}")
        out.append(Example(q=str(item["q"]), ask=item["ask"], yesno=bool(item.get("yesno")),
                           local=bool(item.get("local")), affair=str(item.get("affair") or "none"),
                           followup=bool(item.get("followup"))))
    return tuple(out)


def embed_queries(embedder, texts: list[str]) -> np.ndarray:
    """Query-side vectors for many texts (one batch where the embedder has one)."""
    model = getattr(embedder, "_model", None)
    if model is not None and hasattr(model, "query"):
        vecs = [np.asarray(model.query(list(texts[i:i + 32]))) for i in range(0, len(texts), 32)]
        out = np.vstack(vecs) if vecs else np.zeros((0, embedder.dim))
    else:
        out = np.asarray([embedder.embed_query(t) for t in texts], dtype=np.float32)
    return _unit(out.astype(np.float32))


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(n == 0, 1, n)


class QuestionClassifier:
    """Logistic regressions over character n-grams of the normalised question plus its embedding,
    trained on the labelled examples (5-fold CV on them: ask 0.79, yes/no 0.90 with the
    grammatical signals, local 0.97; see tests/test_question.py)."""

    def __init__(self, embedder, params: ComposerParams = DEFAULT, examples: tuple[Example, ...] | None = None,
                 vectors: np.ndarray | None = None):
        self.embedder, self.params = embedder, params
        self.examples = examples if examples is not None else load_examples()
        self._answerable = np.array([e.answerable for e in self.examples], dtype=bool)
        self._vectors = vectors
        self._models = None

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = embed_queries(self.embedder, [e.q for e in self.examples])
        return self._vectors

    @staticmethod
    def _features(ngrams, texts: list[str], vectors: np.ndarray):
        from scipy.sparse import csr_matrix, hstack
        return hstack([ngrams.transform([normalize(t) for t in texts]), csr_matrix(vectors)]).tocsr()

    def fit(self, rows: list[int] | None = None) -> "QuestionClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        rows = list(range(len(self.examples))) if rows is None else rows
        every = [self.examples[i] for i in rows]
        self._models = None
        keep = [i for i, e in enumerate(every) if e.answerable and not e.scope_only]
        ex = [every[i] for i in keep]
        # two n-gram vocabularies: the question types are learnt from the answerable questions alone, so
        # adding unanswerable examples (scope_examples.yaml) moves the scope model and nothing else
        grams = lambda texts: TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(  # noqa: E731
            [normalize(t) for t in texts])
        self._ngrams, self._scope_ngrams = grams([e.q for e in ex]), grams([e.q for e in every])
        X = self._features(self._ngrams, [e.q for e in ex], self.vectors[[rows[i] for i in keep]])
        X_all = self._features(self._scope_ngrams, [e.q for e in every], self.vectors[rows])

        def fit_lr(X, y):
            return LogisticRegression(C=self.params.classifier_c, solver="newton-cg", tol=1e-3, max_iter=500).fit(X, y)
        models = {}
        for target in ("ask", "yesno", "local", "followup", "affair"):
            y = [getattr(e, target) for e in ex]
            if len(set(y)) > 1:
                models[target] = fit_lr(X, y)
        if len({e.answerable for e in every}) > 1:
            models["answerable"] = fit_lr(X_all, [e.answerable for e in every])
        self._models = models   # published whole: a classifier in use is never half trained
        return self

    def _proba(self, target: str, X) -> dict:
        m = self._models.get(target)
        if m is None:
            return {}
        return dict(zip(m.classes_, m.predict_proba(X)[0]))

    def classify(self, question: str, qvec) -> QuestionType:
        if self._models is None:
            self.fit()
        p = self.params
        v = _unit(np.asarray(qvec, dtype=np.float32))[None, :]
        X = self._features(self._ngrams, [question], v)
        scores = {str(a): float(v) for a, v in self._proba("ask", X).items()}
        ask = max(scores, key=scores.get) if scores else "what"
        q = normalize(question)
        asked = _question_sentence(q)
        if _WHO.search(asked) and ask not in ("who", "explain", "speech"):
            ask = "who"   # 「番号を登録したのは誰なのか」
        elif set(answer_type.expected(asked)) - {"date"} and ask not in ("figures", "speech"):
            ask = "figures"   # 「何件あったのか」「何人か」: the question word asks for a number
        yes = self._proba("yesno", X).get(True, 0.0)
        # Grammar first: with no wh-word, a question ending in か・の・？ asks for a judgement.
        if _PRESSED.search(asked) or either_way(asked) or confirms_hearsay(q) or puts_a_claim(asked) or SELF_DOUBT.search(asked):
            yes = 1.0   # 「…なのでしょうか、どうなのでしょうか」「認めるんですか、認めないんですか」
        elif _EITHER.search(q) or _EITHER.search(asked) or _ELLIPSIS.search(asked) or (_ANYTHING.search(asked) and not _blame_may_land(asked)):
            yes = 0.0
        elif _demands_who(asked) and not _YESNO_END.search(asked):
            yes = 0.0   # 「責任の所在を明らかにされたい」「誰にあるのか、はっきり言ってください」: a demand to name who
        elif _WHETHER.search(q) and not names_this_city(q):
            yes = 1.0   # 「市に責任があるかどうか、教えてください」 (whether it happened here is this city's fact)
        elif _WH.search(asked):
            yes -= p.yesno_wh_penalty
        elif _YESNO_END.search(asked):
            yes = 1.0
        local = self._proba("local", X).get(True, 0.0)
        # the city named where the question asks, not in a sentence that sets the scene
        # (「本市の窓口でも手帳の申請を受け付けている。受付で何を点検すべきか」 asks advice)
        asking = " ".join(asking_parts(q)) or q
        # a yes/no read as a figures question for the count in its premise (「…8,441件に増えました。…市には
        # まったく関係のない話だと言い切れますか」) asks no count of this city
        counts = (ask == "figures" and yes < 0.5) or bool(answer_type.expected(q))
        if names_this_city(asking) or (counts and _BARE_CITY.search(asking)):
            # 本市・市内 with a question asking how many (「何件」「何人」): this city's own figures — and a
            # bare 「市の窓口で…何件」, which in a mayor's briefing is this city too
            local = max(local + p.local_marker_shift, 1.0 if counts else 0.0)
        else:
            local -= p.local_marker_shift
        follow = self._proba("followup", X).get(True, 0.0) + (0.3 if _FOLLOW_START.search(q) else 0.0)
        affairs = self._proba("affair", X)
        outside = self._proba("answerable", self._features(self._scope_ngrams, [question], v)).get(False, 0.0)
        return QuestionType(ask=ask, yesno=bool(yes >= 0.5), local=bool(local >= 0.5), followup=bool(follow >= p.followup_min),
                            confidence=scores.get(ask, 0.0),
                            affair_hint=str(max(affairs, key=affairs.get)) if affairs else "none", scores=scores,
                            out_of_scope=float(outside), unanswerable_lead=self._unanswerable_lead(qvec))

    def _unanswerable_lead(self, qvec) -> float:
        """How much nearer the question lies to some question the sources cannot answer than to any
        they can: 「コンビニ交付で別人の住民票が出てきた件」 sits beside an unanswerable example about
        the same incident, while the scope model's overall lean can stay low."""
        answerable = self._answerable
        if answerable.all() or not answerable.any():
            return 0.0
        sims = self.vectors @ _unit(np.asarray(qvec, dtype=np.float32))
        return float(sims[~answerable].max() - sims[answerable].max())


def _blame_may_land(asked: str) -> bool:
    """「市が責任を問われることはありますか」: whether fault may land on someone, a yes/no."""
    return bool(_PASSIVE_THING.search(asked)) and blames(asked)


def confirms_hearsay(question: str) -> bool:
    """「…と聞いています。その点、事実関係を確認させてください」「…と報じられているが、本当か」: asks
    whether what was heard holds, with no wh-word in the request."""
    m = _HEARD_THEN_CONFIRM.search(question)
    return bool(m) and not _WH.search(question[m.start():])


def either_way(question: str) -> bool:
    """「あったのか、なかったのか」「認めるんですか、認めないんですか」: an either-or whose second half
    negates the first is a yes/no question, not a choice between two things."""
    halves = [h for h in re.split(r"か[、,]", question, maxsplit=1) if h.strip()]
    if len(halves) != 2:
        return False
    (first, second) = (list(predicates_of(h).items()) for h in halves)
    if not first or not second:
        return False
    (v1, neg1), (v2, neg2) = first[-1], second[-1]
    return (v1 == v2 and neg1 != neg2) or {v1, v2} == {"有る", "無い"}


_QUOTED = re.compile(r"[「『]([^」』]{4,80}?(?:か|の|だろう|でしょう?|では|じゃ|ない)[？?]?)[」』]")


def quoted_question(question: str) -> str | None:
    """The question someone else put, quoted inside the asker's (「会見で『カードは危ないのか』と聞かれたら」)."""
    m = _QUOTED.search(normalize(question))
    return m.group(1) if m else None


_DEFINED = re.compile(r"[「『]([^」』]{2,30})[」』]\s*(?:とは|って|という(?:の|言葉))|([^\s、。「」『』]{2,30}?)\s*とは")


def defined_term(question: str) -> str | None:
    """The term a question asks to have defined (「『個人番号利用事務実施者』とは」「名寄せとは何か」)."""
    m = _DEFINED.search(normalize(question))
    return (m.group(1) or m.group(2)) if m else None


# 「一連の紐付け誤り」「全体」「すべての事案」: the errors as a series, not one affair
_SERIES = re.compile(r"一連の|全体|全般|(?:すべて|全て)の(?:紐付け|誤り|事案|問題)")


def about_the_series(question: str) -> bool:
    return bool(_SERIES.search(normalize(question)))


def names_this_city(question: str) -> bool:
    """「本市」「当市」「うちの町」「市内」: the asker's own municipality."""
    return bool(_LOCAL.search(_NOT_HERE.sub("", normalize(question))))


# 「家族名義で登録されていた口座のほうは、どうなりますか」: what about another thing, named at some length
_WHAT_ABOUT = re.compile(r"(?:のほう|の方|の場合|について|に関して)(?:は|って|では)[、,]?どう(?:なの|です|でしょう|なります|なる(?:の|ん))?"
                         r"(?:か|だ)?[？?。]?\s*$")


def elliptical(question: str) -> bool:
    """「障害者手帳の場合は？」「公金受取口座は？」: a short question with no predicate of its own."""
    q = normalize(question)
    return (len(q) <= 20 and bool(_ELLIPSIS.search(q))) or (len(q) <= 32 and bool(_WHAT_ABOUT.search(q)))


_TAG = re.compile(r"(?:でしょ|でしょう|だろ|だろう|ですよね|よね)[？?]\s*$")


_WHO_WORD = re.compile(r"(?:誰|だれ|どなた|どこ)(?:の|が|に|なの|なん)")


_WHOSE = re.compile(r"責任の所在|責任者は")


def _demands_who(sentence: str) -> bool:
    """「一体誰の責任なんですか」「責任の所在を明らかにされたい」 (not 「誰が見ても…」, which asks nothing)."""
    return bool(_WHO_WORD.search(sentence) and _WH.search(sentence)) or bool(_WHOSE.search(sentence))


def _question_sentence(q: str) -> str:
    """The sentence that asks (the last one ending in ？ or か/の), for the grammatical signals:
    「本人から取らないといけないの？J-LISに聞けば早いのに。」 asks in its first sentence."""
    parts = [x for x in re.split(r"(?<=[。？?！!])", q) if x.strip()]
    asking = [x for x in parts if re.search(r"[？?]\s*$|(?:か|の)[。]?\s*$", x.strip())]
    if not asking:
        # 「…責任はあるのか、また…、市長の見解を伺います。」: the council's question sits in a clause
        embedded = _EMBEDDED.search(q)
        if embedded:
            return embedded.group(1)
    # of several questions, the first leads — unless it only names what comes next
    # (「では家族名義の口座のほうは？原因も窓口の件と同じか。」 asks its second)
    if len(asking) > 1 and _ELLIPSIS.search(asking[0]) and len(asking[0]) <= 20:
        asking = asking[1:]
    # (「『諦めの産物』って言ったんでしょ？それってどういう意味？」: a tag that confirms the premise, then the
    # question — the wh-question that follows leads)
    elif len(asking) > 1 and _TAG.search(asking[0]) and _WH.search(asking[1]):
        asking = asking[1:]
    # 「自治体のせいなのに責任逃れしていませんか。一体誰の責任なんですか。」「…職員の責任ではないのか。責任の所在を
    # 明らかにされたい。」: a challenge put as a yes/no, then the demand the asker closes on — who, or whose the
    # responsibility is — leads (not 「…責任はあるのか。また、誰が登録したのか」, which asks both)
    elif asking and parts[-1] is not asking[0] and _demands_who(parts[-1]) and not _WH.search(asking[0]) \
            and not re.match(_AND_ALSO, parts[-1].strip()):
        return parts[-1]
    sentence = (asking[:1] or parts[-1:] or [q])[0]
    first = _SECOND_QUESTION.match(sentence)   # 「責任はあるのか、また…どう対策をとるのか」
    return first.group(1) if first else sentence


# 「…と考えてよいか」「…と言っていいのか」「大丈夫なのか」: asks leave to draw a conclusion, not a fact
_MAY_CONCLUDE = re.compile(r"(?:考え|言っ|理解し|認識し|思っ|判断し|捉え|とらえ|受け止め|解釈し)て(?:も)?(?:よい|良い|いい|よろしい)|言える|言い切れ|"
                           r"(?:理解|認識)で(?:よい|良い|いい|よろしい|合って)|大丈夫|安心して(?:よい|良い|いい)")


# 「…照会に頼る必要はほとんどない」「…本人から取るべきだ」: what is needed or right, the same in every city
_NORMATIVE = re.compile(r"必要(?:が|は|も)|不要|べき|(?:なければ|ねば|なくては)(?:ならない|いけない)|(?:ほう|方)が(?:いい|よい|良い|よろしい)")


def normative(question: str) -> bool:
    """The yes/no asks what is needed or right (advice the sources give any city), not what happened."""
    return bool(_NORMATIVE.search(yes_no_part(question)))


def asks_to_conclude(question: str) -> bool:
    """The yes/no asks whether a conclusion may be drawn (「本市の国保では誤りは起きていない、と考えて
    よいか」), not whether something happened (「本市でも起きていたのか」)."""
    return bool(_MAY_CONCLUDE.search(yes_no_part(question)))


def yes_no_part(question: str) -> str:
    """The part that asks yes or no (「…番号法で認められているんですか。根拠の条文も教えてください」:
    its first sentence), else the whole question."""
    parts = [p for p in asking_parts(question) if _YESNO_END.search(p) and not _WH.search(p) and not _REQUEST.search(p)]
    part = parts[0] if parts else normalize(question)
    # 「…認められているやり方なのかどうか教えてください」 asks 「…なのか」 (not 「本人かどうかを確かめる義務はあるか」)
    whether = _WHETHER_ASKED.search(part)
    return part[:whether.start()] + "か" if whether else part


_CUT = "\x00"
_WH_THEN = re.compile(r"((?:何件|何人|何割|何年|誰|いつ|どこ|どれ|いくら)(?:で|だったので|なので))[、,]")


def asking_parts(question: str) -> list[str]:
    """Each question a long one asks (「…該当者はいたのか。あわせて、原因と責任の所在を示されたい」):
    its sentences, and the clauses of a sentence that asks 「…のか、…」 twice."""
    q = normalize(re.sub(r"[①-⑳]", lambda m: f"({ord(m.group()) - 0x245F})", question))   # NFKC makes ① a bare 1
    out = []
    for sentence in (x.strip() for x in re.split(r"(?<=[。？?！!])", q)):
        sentence = _enumerated(sentence)
        sentence = _WH_THEN.sub(r"\1" + _CUT, sentence)   # 「最終結果は何件で、原因はどこに…」: two questions
        out += [x for x in re.split(r"(?<=[かの])[、,]|" + _CUT, sentence) if x.strip()]
    return [x for x in out if (_YESNO_END.search(x) or _WH.search(x) or _REQUEST.search(x)) and not _STATEMENT.search(x)]


# 「(1) 停止に至った理由、(2) 窓口でどう対応すべきかについて伺う」「①…、②…」: items numbered within one sentence
_ITEM = re.compile(r"[(]\s*[0-9]{1,2}\s*[)]")
_TAIL_REQUEST = re.compile(rf"(?:について|に関して|を)?(?:{_REQUEST.pattern}|お聞き)[^、,]*$")


def _enumerated(sentence: str) -> str:
    """A sentence that numbers its items is one question per item; the request the last item ends
    with (「…について伺う。」) is what each earlier item asks too."""
    marks = list(_ITEM.finditer(sentence))
    if len(marks) < 2:
        return sentence
    items = [sentence[a.start():b.start()].rstrip("、, ") for a, b in zip(marks, marks[1:])] + [sentence[marks[-1].start():]]
    tail = _TAIL_REQUEST.search(items[-1])
    if tail:
        ask = tail.group(0) if tail.group(0).startswith(("について", "に関して", "を")) else "について" + tail.group(0)
        items = [i if (_YESNO_END.search(i) or _WH.search(i) or _REQUEST.search(i)) else i + ask for i in items[:-1]] + [items[-1]]
    return sentence[:marks[0].start()] + _CUT.join(items)


def only_requests(part: str) -> bool:
    """「本市の国民健康保険について伺う。」: a part that asks for an answer but puts no question itself."""
    return bool(_REQUEST.search(part)) and not _YESNO_END.search(part) and not _WH.search(part)


# 「本市は国民健康保険の保険者である。」「…であります。」: a council question's premise, stated, not asked
_STATEMENT = re.compile(r"で(?:ある|あります|ございます)。\s*$")
# 「ニュースが怖いので、」: why they ask, not what; 「書類を出しているのは本市の人事課であり、」: a premise stated
_REASON_CLAUSE = re.compile(r"[^、。？?]*?(?:ので|から|であり)[、,]")
# 「…と言われまして、…ずっと考えておったのですが、要するに、…」: a story told before the question in the same
# sentence ends where the asker sums it up (要するに・つまり・要は・結局); what follows asks. Not at a plain
# 「…ですが、」: 「水道料金の誤請求が相次いでいますが、これは…」 asks about what came before it
_PREAMBLE = re.compile(r"^.*(?:要するに|つまり|要は|結局)[、,]")


# 「ワイドショーで『…』と言っていたが、」「…と報じられた。」: what someone else said, put before the question
# to be checked — its words (and the speaker's) are the claim's, not what the asker asks about
_BUT = r"(?:が|けど|けれど(?:も)?)[、,]"   # 「…ですが、」「…けど、」: the clause before it is told, not asked
_HEARSAY = re.compile(r"(?:^|(?<=[。？?！!]))[^。？?！!]*?と(?:言|い[っわう]|あ[っり]|話し|書い|書か|報じ|述べ|主張|指摘|批判|追及)[^、,。？?！!]{0,12}?"
                      rf"(?:{_BUT}|[。！!])")


# 「マイナ保険証のトラブルで高齢者施設から苦情が来てるんですが、」: a circumstance told before the question —
# unless what follows points back at it (「…が相次いでいますが、これは…」)
_PREMISE = re.compile(rf"^[^。？?！!]*?{_BUT}\s*(?!これ|それ|あれ|この|その|あの|そう|こう)")


def past_the_premise(question: str) -> str:
    """Each sentence less the circumstance told before its question, when enough is left to ask."""
    out = []
    for sentence in (x for x in re.split(r"(?<=[。？?！!])", normalize(question)) if x.strip()):
        m = _PREMISE.match(sentence)
        out.append(sentence[m.end():] if m and len(sentence) - m.end() >= 10 else sentence)
    return "".join(out)


def without_hearsay(question: str) -> str:
    """The question less the claims it reports (and who reported them), when something is left to ask."""
    rest = _HEARSAY.sub("", normalize(question)).strip()
    return rest if len(rest) >= 6 else normalize(question)


def asking_clause(question: str) -> str:
    """The asking sentence without the reasons and the story told before it in the same sentence."""
    asked = _REASON_CLAUSE.sub("", _question_sentence(normalize(question)))
    rest = _PREAMBLE.sub("", asked)
    return rest if len(rest) >= 10 else asked


THEME = ("は", "が", "を", "も", "って", "や", "と")   # what the asking sentence is about (and things listed with it), not what qualifies it (「病院の機械」)


def _asked_compounds(question: str, known_text: str, marked) -> list[tuple[str, list[str]]]:
    """Compound nouns the asking sentence asks about — marked by は・が・を・の・も・や・と — that
    `known_text` (the sources and the labelled in-scope questions) never uses, each with its words."""
    from sudachipy import SplitMode

    from assistant.index.lexical import _tokenizer
    morphs = list(_tokenizer().tokenize(asking_clause(question), SplitMode.C))
    out = []
    for m, nxt in zip(morphs, morphs[1:]):
        pos, word = m.part_of_speech(), m.surface()
        if (pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and len(word) > 1 and not _WH.match(word)
                and nxt.surface() in marked and word not in known_text and not _verb_known(word, known_text)):
            out.append((word, [x.normalized_form().lower() for x in m.split(SplitMode.A)] or [m.normalized_form().lower()]))
    return out


def _verb_known(word: str, known_text: str) -> bool:
    """「手伝い」「取り扱い」: a noun made from a verb the sources use (「手伝った」) is not a new thing."""
    return len(word) >= 3 and "ぁ" <= word[-1] <= "ゖ" and vowel(word[-1]) == "I" and word[:-1] in known_text


def unknown_topics(question: str, known_text: str, known_words=None, marked=THEME + ("の",)) -> list[str]:
    """Compound nouns the asking sentence asks about that neither the sources nor the labelled
    in-scope questions ever use: 「資格確認書は」「交付率は」「暗証番号を」. What the question is about
    is then not in the sources. With `known_words`, only compounds that are plainly new: one of their
    words is unknown too (「暗証番号」), or three or more known words make a new term (「資格確認書」) —
    not two known words put together another way (「データ連携」 for the sources' 「情報連携」)."""
    return [word for word, parts in _asked_compounds(question, known_text, marked)
            if known_words is None or len(parts) >= 3 or any(x not in known_words for x in parts)]


def _none_known(parts: list[str], known_words) -> bool:
    return len(parts) >= 2 and not any(x in known_words for x in parts)


def wholly_new_topics(question: str, known_text: str, known_words) -> list[str]:
    """Compounds the question asks about of two or more words none of which the sources use
    (「懲戒処分」「水道料金」「ゆうちょ銀行」): things the sources never touch, not new names for ones
    they do (「年金課」「福祉課」). In the 854 dev questions (2026-12-06) such a compound occurs in 25
    unanswerable questions and in no answerable one. A compound before に counts too (「職員を懲戒処分に
    すべきか」; 2026-12-07: one more of the 28 dev sets' out-of-scope questions declined, nothing else moves)."""
    return [word for word, parts in _asked_compounds(question, known_text, THEME + ("の", "に")) if _none_known(parts, known_words)]


def wholly_new(word: str, known_words) -> bool:
    """Whether one compound is wholly new in that sense."""
    from sudachipy import SplitMode

    from assistant.index.lexical import _tokenizer
    return _none_known([x.normalized_form().lower() for m in _tokenizer().tokenize(normalize(word), SplitMode.C)
                        for x in m.split(SplitMode.A)], known_words)


def follows_on(question: str, qtype: QuestionType, names_an_affair: bool) -> bool:
    """Whether a question leans on the earlier turns (only asked when there are earlier turns)."""
    q = normalize(question)
    if elliptical(q):
        return True
    if names_an_affair and not _FOLLOW_START.search(q):
        # 「療育手帳のほうも同じ整理でいいのか」: the same as what was just answered
        return (qtype.followup and len(q) <= 20) or bool(SAME.search(q) or DIFFERENT.search(q))
    return qtype.followup or bool(_FOLLOW_START.search(q) or _ANAPHORA.search(q)) or len(q) <= 20


def broad_nouns(examples, min_affairs: int) -> frozenset[str]:
    """The nouns that labelled questions use about at least `min_affairs` different affairs."""
    from .evidence import content_nouns
    seen: dict[str, set] = {}
    for e in examples:
        for n in content_nouns(e.q):
            seen.setdefault(n, set()).add(e.affair)
    return frozenset(n for n, affairs in seen.items() if len(affairs) >= min_affairs)


def points_back(question: str) -> bool:
    """「それって…」「では市の責任は？」「共済のほうも同じ手口？」: worded to lean on what was just said (or to
    set something beside it), not merely short."""
    q = normalize(question)
    return bool(_FOLLOW_START.search(q) or _ANAPHORA.search(q) or SAME.search(q) or DIFFERENT.search(q))


def asks_who(question: str) -> bool:
    """「誰がするのか」: the asking sentence asks for a party."""
    return bool(_WHO.search(_question_sentence(normalize(question))))


# 「停止に至った理由について伺う」「その原因を示されたい」「責任の所在を伺う」: a request that names the kind of
# answer it wants says what it asks as a wh-word does
_NAMED_REQUEST = re.compile(r"(?:理由|原因|根拠|件数|経緯|責任の所在)(?:(?:について|に関して|を|は|も)[^。？?、,]{0,6}?(?:"
                            + _REQUEST.pattern + r")|は[？?]?\s*$)")   # … or, put tersely, 「根拠は？」


def says_what_it_asks(part: str) -> bool:
    """A part of a question that says itself what it asks for: a wh-word, or a request naming it."""
    return asks_with_wh(part) or bool(_NAMED_REQUEST.search(normalize(part)))


def asks_with_wh(question: str) -> bool:
    """「誰」「なぜ」「いつ」…: the question says itself what it asks for (「…のほうはどうか」 does not:
    it asks the earlier question again about something else)."""
    return bool(_WH.search(_question_sentence(normalize(question)))) and not elliptical(question)
