"""One turn of a conversation: the question understood (type, affair, proposition) and what a
follow-up inherits from the turn before; the responsibility and cause fields built from the map."""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from assistant.index.affairs import AffairRow
from assistant.values import ACTORS

from .answer import Cause, Responsibility
from .params import ComposerParams
from .evidence import content_nouns
from .proposition import Proposition, parties_named
from . import recall
from .recall import Recall
from .question import (DIFFERENT, EXAMPLES, SAME, UNANSWERABLE, Example, QuestionClassifier, QuestionType, asks_to_conclude, elliptical,
                       embed_queries, follows_on, load_examples, says_what_it_asks, yes_no_part)
from .scope import Scope

log = logging.getLogger(__name__)


@dataclass
class Turn:
    q: str
    qtype: QuestionType
    rq: str                          # the text retrieval uses (a follow-up carries the earlier turn)
    ask: str
    yesno: bool
    local: bool
    followup: bool
    prop_text: str                   # the question whose proposition is judged (an elliptical follow-up: the earlier one)
    qvec: object = None
    hits: list = field(default_factory=list)
    basis_hits: list = field(default_factory=list)
    scope: Scope = field(default_factory=lambda: Scope("none"))
    prop: Proposition | None = None
    whole: bool = False              # a question of fault about the errors as a whole (every affair)
    overview: object = None          # the overview row (総点検), when the question names it by its terms
    # 「それって療育手帳も同じなんですか」「国保は違うのか」: the earlier turn's question asked again of this
    # affair, and whether its answer is the same (or differs) — (the earlier type of question, the affair it
    # was answered for, whether difference is asked)
    compared: tuple | None = None
    used: set = field(default_factory=set)   # (chunk id, start, end) of every sentence this turn's answer quoted
    filters: object = None                   # the search filters the question was asked with

    @classmethod
    def start(cls, q: str, qtype: QuestionType, qvec, prev: "Turn | None", names_affair: bool,
              params: ComposerParams) -> "Turn":
        follow = prev is not None and follows_on(q, qtype, names_affair)
        turn = cls(q=q, qtype=qtype, rq=q, ask=qtype.ask, yesno=qtype.yesno, local=qtype.local, followup=follow,
                   prop_text=q, qvec=qvec)
        if follow:
            turn.rq = f"{prev.rq} {q}"
            # A follow-up with no type of its own (「障害者手帳の場合は？」: the classifier is unsure and
            # no wh-word says what is asked) asks the earlier question again about something else: it
            # keeps the earlier type and proposition. 「では市の責任は？」 has a type of its own.
            # 「うちの国保のほうは大丈夫なの？」 asks something of its own: whether a conclusion may be drawn
            # 「根拠は？」 names what it asks as a wh-word does: the earlier turn's question is not asked again
            # — and so does one naming another affair with no predicate of its own (「家族名義の口座のほうはどうか」),
            # however sure the classifier (「件数でいうと？」 names what it asks instead)
            if (qtype.confidence < params.inherit_confidence or (elliptical(q) and names_affair)) and not says_what_it_asks(q) and not asks_to_conclude(q):
                # … but 「その場合の根拠は？」 names a thing of its own, not an affair or party to ask the
                # earlier yes/no of again: it asks for that thing
                again = names_affair or bool(parties_named(q)) or not content_nouns(q)
                turn.ask, turn.yesno, turn.prop_text = prev.ask, (prev.yesno and again) or qtype.yesno, prev.prop_text + q
                turn.local = prev.local or qtype.local
        return turn

    def settle(self, scope: Scope, prev: "Turn | None", overview: AffairRow | None = None) -> None:
        """A follow-up that names no affair stays on the earlier turn's affair; one that names another
        and asks whether it is the same (「療育手帳も同じか」) is compared with the earlier one."""
        if self.followup and prev is not None and not scope.named and prev.scope.kind != "none":
            scope = Scope(prev.scope.kind, prev.scope.rows, scope.scores, named=prev.scope.named)
        self.scope = scope
        if not (self.followup and self.yesno and scope.kind == "one" and prev is not None):
            return
        earlier = {"one": (prev.scope.rows or [None])[0], "general": overview}.get(prev.scope.kind)
        asked = yes_no_part(self.q)
        if earlier is not None and earlier.id != scope.rows[0].id and (SAME.search(asked) or DIFFERENT.search(asked)):
            self.compared = (prev.ask, earlier, not SAME.search(asked))


def responsibility_for(turn: Turn, cites, chunks) -> list[Responsibility]:
    """The parties of the affair(s) concerned, the chief one first; empty when no affair is concerned."""
    rows = turn.scope.rows
    out: dict[str, Responsibility] = {}

    def cite(quotes) -> list[int]:
        return sorted({cites.add_span(chunks[q.chunk_id], q.start, q.end) for q in quotes if q.chunk_id in chunks})
    for row in rows:
        for i, r in enumerate(row.roles):
            if r.actor in out or (i > 0 and len(rows) > 1 and r.actor != "municipality"):
                continue
            out[r.actor] = Responsibility(actor=r.actor, label=ACTORS[r.actor], role=r.role, scope=r.scope,
                                          weight=1.0 if i == 0 else 0.5, citations=cite(r.quotes[:1]))
    if len(rows) > 1 and "municipality" in out:   # across affairs the city's share comes last
        out["municipality"] = out.pop("municipality")
    return list(out.values())


def cause_for(turn: Turn, cites, chunks, text) -> Cause:
    rows = [r for r in turn.scope.rows if r.cause != "none"]
    if not rows:
        return Cause(type="none")
    # across affairs, the kind of cause most of them share (保険証・口座・手帳: two operational, one mixed →
    # operational); with no majority, the errors as a whole are operational and a few named ones mixed
    counts = Counter(r.cause for r in rows)
    top, n = counts.most_common(1)[0]
    ctype = top if 2 * n > len(rows) else "operational" if turn.scope.kind == "general" else "mixed"
    row = next((r for r in rows if r.cause == ctype), rows[0])
    quotes = (row.mechanism or row.cause_quotes)[:1]
    if not quotes or quotes[0].chunk_id not in chunks:
        return Cause(type=ctype)
    n = cites.add_span(chunks[quotes[0].chunk_id], quotes[0].start, quotes[0].end)
    return Cause(type=ctype, explanation=f"{text(quotes[0])} [{n}]")


_VECTORS: dict[tuple[str, str], np.ndarray] = {}
_CLASSIFIERS: dict[tuple, QuestionClassifier] = {}
_LOCK = threading.Lock()


def trained_classifier(store, params: ComposerParams) -> QuestionClassifier:
    """The question classifier, trained once per process for an embedder, examples files, left-out dev
    set and parameters (composers are rebuilt after every re-index; the examples do not change then).
    Its scope model also learns from the dev sets' questions (answer_examples.yaml), answerable or not."""
    left_out = recall.excluded()
    key = (store.embedder.name, EXAMPLES.stat().st_mtime_ns, params.classifier_c, left_out,
           UNANSWERABLE.stat().st_mtime_ns if UNANSWERABLE.is_file() else 0,
           recall.ANSWER_EXAMPLES.stat().st_mtime_ns if recall.ANSWER_EXAMPLES.is_file() else 0)
    with _LOCK:
        clf = _CLASSIFIERS.get(key)
        if clf is None:
            extra = recall.scope_examples(recall.ANSWER_EXAMPLES, left_out)
            examples = load_examples() + tuple(Example(q=q, ask="what", answerable=ok, scope_only=True) for q, ok in extra)
            vectors = np.vstack([example_vectors(store), answer_vectors(store, [q for q, _ in extra])])
            clf = _CLASSIFIERS[key] = QuestionClassifier(store.embedder, params, examples=examples, vectors=vectors).fit()
    return clf


def answer_recall(store) -> Recall:
    """The labelled questions of answer_examples.yaml with their vectors (less a dev set left out for
    a leave-one-set-out run)."""
    examples = recall.load(recall.ANSWER_EXAMPLES, recall.excluded())
    return Recall(examples, answer_vectors(store, [e.q for e in examples]))


def answer_vectors(store, texts: list[str]) -> np.ndarray:
    """Vectors of some questions of answer_examples.yaml: the whole file is embedded (and cached) once."""
    every = recall.questions(recall.ANSWER_EXAMPLES)
    vectors = cached_query_vectors(store, "answers", every)
    row = {q: i for i, q in enumerate(every)}
    return vectors[[row[t] for t in texts]] if texts else np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)


def example_vectors(store) -> np.ndarray:
    """The labelled examples' vectors: computed once per embedder and examples file, kept beside
    the index (outside its generations) so a restart does not embed them again."""
    return cached_query_vectors(store, "questions", [e.q for e in load_examples()])


def cached_query_vectors(store, name: str, texts: list[str]) -> np.ndarray:
    """Query-side vectors of labelled texts, once per embedder and text list, cached in the store's folder."""
    digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:12]
    key = (store.embedder.name, digest)
    if key in _VECTORS:
        return _VECTORS[key]
    path = store.folder / "cache" / f"{name}-{store.embedder.name}-{digest}.npy"
    vec = None
    if path.is_file():
        try:
            vec = np.load(path)
        except (OSError, ValueError):
            vec = None
    if vec is None or len(vec) != len(texts):
        vec = embed_queries(store.embedder, texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vec)
            tmp.replace(path)
        except OSError as exc:   # a read-only store still answers; it just embeds again next time
            log.info("could not cache the %s vectors in %s: %s", name, path.parent, exc)
    _VECTORS[key] = vec
    return vec
