"""The responsibility map: one row per affair, built at index time from corpus front matter.

A document that carries an `affair:` block defines a row; documents that list the row in
`affairs:` speak to it. Every cell points at whole sentences of indexed chunks (`Quote`), found
from the evidence phrases in the front matter — or, when a document gives none, from the
sentences of the row's documents that name the party — so an answer built from the map can
cite exactly what each cell rests on. Nothing here is specific to one affair: a new incident
document adds a row with no code change.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.chunk.sentences import sentence_spans
from assistant.errors import DocumentError
from assistant.values import ACTOR_NAMES, ACTORS, Chunk, Document, Role

SHARES = ("none", "support", "own")


class Quote(BaseModel):
    """A whole sentence of an indexed chunk."""
    chunk_id: str
    start: int
    end: int


class RoleRow(BaseModel):
    actor: str
    label: str
    role: str = ""
    scope: str = ""
    basis: str = ""
    holds: str = ""
    quotes: list[Quote] = Field(default_factory=list)


class FigureRow(BaseModel):
    measure: str
    value: str
    as_of: dt.date
    issuer: str
    status: str
    latest: bool = False          # the newest official (or interim) figure of its measure
    quotes: list[Quote] = Field(default_factory=list)


class AffairRow(BaseModel):
    id: str
    label: str
    terms: list[str] = Field(default_factory=list)
    overview: bool = False
    docs: list[str] = Field(default_factory=list)        # defining document first
    roles: list[RoleRow] = Field(default_factory=list)   # the party chiefly responsible first
    city_share: str = "none"
    city_share_note: str = ""
    city_share_except: list[str] = Field(default_factory=list)   # kinds of city whose share differs from city_share
    city_quotes: list[Quote] = Field(default_factory=list)
    cause: str = "none"
    cause_quotes: list[Quote] = Field(default_factory=list)   # a sentence that names the cause type
    mechanism: list[Quote] = Field(default_factory=list)
    local_quotes: list[Quote] = Field(default_factory=list)   # how a city checks its own facts of the affair
    figures: list[FigureRow] = Field(default_factory=list)
    as_of: dt.date | None = None

    @property
    def primary(self) -> RoleRow | None:
        return self.roles[0] if self.roles else None

    def share_of(self, actor: str) -> str:
        """`own` (the party's own affair), `support` (a part it took on) or `none`."""
        if actor == "municipality":
            return self.city_share
        if self.roles and self.roles[0].actor == actor:
            return "own"
        return "support" if any(r.actor == actor for r in self.roles) else "none"

    def holder(self) -> RoleRow | None:
        """The party that holds the affair's information (where a local figure would come from)."""
        return next((r for r in self.roles if r.holds in ("information", "both")), self.primary)


class ResponsibilityMap(BaseModel):
    rows: list[AffairRow] = Field(default_factory=list)

    def get(self, affair_id: str) -> AffairRow | None:
        return next((r for r in self.rows if r.id == affair_id), None)

    def rows_for_doc(self, doc_id: str) -> list[str]:
        return [r.id for r in self.rows if doc_id in r.docs]

    def save(self, path: Path) -> None:
        from .records import write_atomic
        write_atomic(path, self.model_dump_json(indent=1))

    @classmethod
    def load(cls, path: Path) -> "ResponsibilityMap":
        if not path.is_file():   # an index built before the map existed
            return cls()
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))


class _Sentences:
    """Whole sentences of every chunk, grouped by document, for finding evidence phrases."""

    def __init__(self, chunks: list[Chunk]):
        self.by_doc: dict[str, list[tuple[Chunk, int, int]]] = {}
        seen: set[tuple[str, str]] = set()
        for c in chunks:
            for s, e in sentence_spans(c.text):
                if c.text[s:e].lstrip().startswith("#") or (c.doc_id, c.text[s:e]) in seen:
                    continue   # a sentence repeated by chunk overlap is kept once
                seen.add((c.doc_id, c.text[s:e]))
                self.by_doc.setdefault(c.doc_id, []).append((c, s, e))

    def find(self, phrase: str, docs: list[str]) -> Quote | None:
        """The first sentence containing `phrase`, looking in `docs` in order, then everywhere."""
        order = list(dict.fromkeys(docs + list(self.by_doc)))
        for d in order:
            for c, s, e in self.by_doc.get(d, ()):
                if phrase in c.text[s:e]:
                    return Quote(chunk_id=c.id, start=s, end=e)
        return None

    def best(self, docs: list[str], must: tuple[str, ...], prefer: tuple[str, ...] = ()) -> Quote | None:
        """Fallback when a document gives no evidence: the sentence of `docs` that names one of
        `must` and most of `prefer` (earlier documents and sentences win ties)."""
        best, best_score = None, 0.0
        for rank, d in enumerate(docs):
            for i, (c, s, e) in enumerate(self.by_doc.get(d, ())):
                text = c.text[s:e]
                if not any(m in text for m in must):
                    continue
                score = 1 + sum(p in text for p in prefer) - 0.01 * rank - 0.001 * i
                if score > best_score:
                    best, best_score = Quote(chunk_id=c.id, start=s, end=e), score
        return best


def build_map(documents: list[Document], chunks: list[Chunk]) -> ResponsibilityMap:
    sentences = _Sentences(chunks)
    docs = {d.meta.id: d for d in documents}
    defining: dict[str, list[Document]] = {}
    members: dict[str, list[str]] = {}
    for d in documents:
        # An incident document that names no affair is a row of its own (id = document id).
        ids = d.meta.affair_ids or ([d.meta.id] if d.meta.kind == "incident" else [])
        for aid in ids:
            members.setdefault(aid, []).append(d.meta.id)
        if d.meta.affair:
            defining.setdefault(d.meta.affair.id, []).append(d)
    for d in documents:
        _check_conclusions(d, sentences)
    rows = []
    for aid, doc_ids in members.items():
        owners = defining.get(aid) or [docs[doc_ids[0]]]
        # incidents define a row before analyses; the first document in corpus order wins ties
        owner = sorted(owners, key=lambda d: (d.meta.kind != "incident", doc_ids.index(d.meta.id)))[0]
        ordered = [owner.meta.id] + [i for i in doc_ids if i != owner.meta.id]
        rows.append(_row(aid, owner, ordered, [docs[i] for i in ordered], sentences))
    return ResponsibilityMap(rows=rows)


def _check_conclusions(doc: Document, sentences: _Sentences) -> None:
    own = [c.text[s:e] for c, s, e in sentences.by_doc.get(doc.meta.id, ())]
    for phrase in doc.meta.conclusions:
        if not any(phrase in t for t in own):
            raise DocumentError(doc.path or doc.meta.id, "conclusions", f"conclusion phrase 「{phrase}」 is not in any "
                                "body sentence of this document", "copy the phrase exactly from one of its sentences")


def _quotes(phrases: list[str], doc: Document, field: str, docs: list[str], sentences: _Sentences) -> list[Quote]:
    out = []
    for phrase in phrases:
        q = sentences.find(phrase, docs)
        if q is None:
            raise DocumentError(doc.path or doc.meta.id, field, f"evidence phrase 「{phrase}」 is not in any body "
                                "sentence of the corpus", "copy the phrase exactly from a sentence of the body")
        out.append(q)
    return out


def _row(aid: str, owner: Document, doc_ids: list[str], members: list[Document], sentences: _Sentences) -> AffairRow:
    a = owner.meta.affair
    roles = _roles(owner, members)
    role_rows = []
    for i, r in roles:
        quotes = (_quotes(r.evidence, members[i], "roles.evidence", doc_ids, sentences) if r.evidence else
                  [q for q in [sentences.best(doc_ids, ACTOR_NAMES.get(r.actor, ()),
                                              (r.role, "実施者", "責任", *r.scope.split("・")))] if q])
        role_rows.append(RoleRow(actor=r.actor, label=ACTORS[r.actor], role=r.role, scope=r.scope, basis=r.basis,
                                 holds=r.holds, quotes=quotes))
    share = (a.city_share if a and a.city_share else
             "own" if role_rows and role_rows[0].actor == "municipality" else
             "support" if any(r.actor == "municipality" for r in role_rows) else "none")
    city = _quotes(a.city_share_evidence, owner, "affair.city_share_evidence", doc_ids, sentences) if a else []
    if not city:
        city = next((r.quotes for r in role_rows if r.actor == "municipality"), [])
    if not city:   # the defining document's own sentence about the city, if it has one
        q = sentences.best([owner.meta.id], ACTOR_NAMES["municipality"], ("責任", "実施者", "支援", "していない"))
        city = [q] if q else []
    mechanism = _quotes(a.mechanism_evidence, owner, "affair.mechanism_evidence", doc_ids, sentences) if a else []
    if not mechanism:
        q = sentences.best([owner.meta.id], ("原因", "ため", "により", "によって", "ことで", "結果"), ("原因",))
        mechanism = [q] if q else []
    local = _quotes(a.local_evidence, owner, "affair.local_evidence", doc_ids, sentences) if a else []
    word = _CAUSE_WORDS.get(owner.meta.cause or "none")
    typed = sentences.best([owner.meta.id], word, ("原因", "類型", "問題")) if word else None
    figures = [FigureRow(measure=f.measure, value=f.value, as_of=f.as_of, issuer=f.issuer, status=f.status,
                         quotes=_quotes(f.evidence, d, "figures.evidence", doc_ids, sentences))
               for d in members for f in d.meta.figures]
    terms = list(dict.fromkeys((a.terms if a else []) + [w for d in members if d.meta.affair and d.meta.affair.id == aid
                                                         for w in d.meta.affair.terms]))
    return AffairRow(id=aid, label=(a.label if a and a.label else owner.meta.title), terms=terms,
                     overview=bool(a and a.overview), docs=doc_ids,
                     roles=role_rows, city_share=share, city_share_note=a.city_share_note if a else "",
                     city_share_except=a.city_share_except if a else [],
                     city_quotes=city, cause=owner.meta.cause or "none", cause_quotes=[typed] if typed else [],
                     mechanism=mechanism, local_quotes=local,
                     figures=order_figures(figures), as_of=max(d.meta.date for d in members))


def _roles(owner: Document, members: list[Document]) -> list[tuple[int, Role]]:
    """The defining document's roles (then its `actors`), each actor once, chief party first."""
    out: list[tuple[int, Role]] = [(0, r) for r in owner.meta.roles]
    listed = {r.actor for _, r in out}
    for actor in owner.meta.actors:
        if actor not in listed:
            out.append((0, Role(actor=actor)))
            listed.add(actor)
    first = owner.meta.actors[0] if owner.meta.actors else None
    out.sort(key=lambda ir: ir[1].actor != first)   # `actors` names the chief party first
    return out


_CAUSE_WORDS = {"operational": ("運用",), "technical": ("技術",), "institutional": ("制度",),
                "mixed": ("複合", "重なっ", "重なる")}
_STATUS_RANK = {"official": 0, "interim": 0, "reported": 1}


def order_figures(figures: list[FigureRow]) -> list[FigureRow]:
    """Per measure: the newest official figure first, then older official ones, then press reports."""
    out: list[FigureRow] = []
    for measure in dict.fromkeys(f.measure for f in figures):
        group = sorted((f for f in figures if f.measure == measure),
                       key=lambda f: (_STATUS_RANK[f.status], -f.as_of.toordinal()))
        for i, f in enumerate(group):
            f.latest = i == 0 and f.status != "reported"
        out.extend(group)
    return out


def quote_text(q: Quote, chunks: dict[str, Chunk]) -> str:
    c = chunks.get(q.chunk_id)
    return c.text[q.start:q.end] if c else ""
