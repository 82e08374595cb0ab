"""Typed values passed between pipeline stages (no loose dicts across module boundaries)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["statute", "notice", "incident", "analysis", "guidance", "faq"]
CauseType = Literal["operational", "technical", "institutional", "mixed", "none"]

ACTORS: dict[str, str] = {
    "prime_minister": "内閣総理大臣（デジタル庁）",
    "health_insurer": "医療保険者（健康保険組合・共済組合・国保組合等）",
    "prefecture": "都道府県（指定都市を含む手帳事務の実施者）",
    "municipality": "市区町村",
    "ppc": "個人情報保護委員会",
    "jlis": "地方公共団体情報システム機構（J-LIS）",
    "resident": "本人（住民）",
    "national_government": "国（所管府省）",
}
# How each actor is named in running text (evidence that a sentence speaks of that party).
ACTOR_NAMES: dict[str, tuple[str, ...]] = {
    "prime_minister": ("内閣総理大臣", "総理大臣", "デジタル庁"),
    "health_insurer": ("医療保険者", "保険者", "健康保険組合", "共済組合", "国保組合"),
    "prefecture": ("都道府県", "知事", "指定都市"),
    "municipality": ("市区町村", "市町村", "自治体", "基礎自治体", "市役所"),
    "ppc": ("個人情報保護委員会",),
    "jlis": ("J-LIS", "地方公共団体情報システム機構"),
    "resident": ("本人",),
    "national_government": ("所管府省", "厚生労働省", "総点検本部"),
}
CAUSE_LABELS: dict[str, str] = {
    "operational": "運用", "technical": "技術", "institutional": "制度", "mixed": "複合", "none": "—",
}


Evidence = list[str]   # phrases that occur verbatim in a body sentence of the corpus; that sentence is cited


def _phrases(v):
    return [v] if isinstance(v, str) else v


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str
    role: str = ""
    scope: str = ""
    basis: str = ""                     # legal basis of the role, e.g. 公金受取口座登録法第1条
    holds: Literal["information", "processing", "both", ""] = ""   # who holds the data / who did the processing
    evidence: Evidence = Field(default_factory=list)

    _listify = field_validator("evidence", mode="before")(lambda cls, v: _phrases(v))

    @field_validator("actor")
    @classmethod
    def _known_actor(cls, v: str) -> str:
        if v not in ACTORS:
            raise ValueError(f"unknown actor id '{v}' (allowed: {', '.join(ACTORS)})")
        return v


AFFAIR_ID = r"^[a-z0-9][a-z0-9_-]*$"


class AffairDef(BaseModel):
    """One row of the responsibility map, declared by the document that defines the affair."""
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=AFFAIR_ID)
    label: str = ""                                  # empty: the defining document's title
    terms: list[str] = Field(default_factory=list)   # words people use for this affair in questions
    overview: bool = False   # a survey row (e.g. the 総点検 totals): figures and a cause, no party of its own
    city_share: Literal["none", "support", "own"] | None = None   # None: derived from the roles
    city_share_note: str = ""
    city_share_except: list[str] = Field(default_factory=list)   # kinds of city whose share differs (指定都市・中核市)
    city_share_evidence: Evidence = Field(default_factory=list)
    mechanism_evidence: Evidence = Field(default_factory=list)   # how the failure came about
    local_evidence: Evidence = Field(default_factory=list)   # how a city checks its own facts of this affair

    _listify = field_validator("city_share_evidence", "mechanism_evidence", "local_evidence", mode="before")(
        lambda cls, v: _phrases(v))


class Figure(BaseModel):
    """A key figure with its as-of date and issuer; figures of one `measure` are ordered by date."""
    model_config = ConfigDict(extra="forbid")
    measure: str = Field(min_length=1)     # what is counted, e.g. 健康保険の紐付け誤り（累計）
    value: str = Field(min_length=1)
    as_of: dt.date
    issuer: str = Field(min_length=1)
    status: Literal["official", "interim", "reported"] = "official"
    evidence: Evidence = Field(default_factory=list)

    _listify = field_validator("evidence", mode="before")(lambda cls, v: _phrases(v))


class DocMeta(BaseModel):
    """Front matter of a corpus document (contract §3), validated."""
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    kind: Kind
    title: str = Field(min_length=1)
    issuer: str = Field(min_length=1)
    date: dt.date
    source: str = Field(min_length=3)
    locator: str | None = None
    law_id: str | None = None
    topics: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    cause: CauseType | None = None
    confidence: Literal["sure", "likely", "unsure"] | None = None
    supersedes: str | None = None
    affair: AffairDef | None = None                     # this document defines a responsibility-map row
    affairs: list[str] = Field(default_factory=list)    # rows this document speaks to
    figures: list[Figure] = Field(default_factory=list)
    # phrases marking the body sentences that state the document's conclusions (every sentence
    # containing one); answers prefer them among the supporting sentences
    conclusions: list[str] = Field(default_factory=list)

    @field_validator("affair", mode="before")
    @classmethod
    def _affair_shorthand(cls, v):
        return {"id": v} if isinstance(v, str) else v

    @property
    def affair_ids(self) -> list[str]:
        return list(dict.fromkeys(([self.affair.id] if self.affair else []) + self.affairs))

    @field_validator("actors")
    @classmethod
    def _known_actors(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if a not in ACTORS]
        if bad:
            raise ValueError(f"unknown actor id(s) {bad} (allowed: {', '.join(ACTORS)})")
        return v


@dataclass(frozen=True)
class Unit:
    """A pre-segmented piece of a document (e.g. one 項 of a statute) that chunking keeps whole."""
    heading_path: tuple[str, ...]
    text: str
    locator: str | None = None


@dataclass(frozen=True)
class Document:
    meta: DocMeta
    body: str                      # Markdown body without front matter
    path: str = ""
    units: tuple[Unit, ...] = ()   # set by loaders that know the structure (statute XML)


@dataclass(frozen=True)
class Chunk:
    id: str                        # "<doc_id>#<content hash>"
    doc_id: str
    text: str                      # exactly what quotes are taken from
    heading_path: tuple[str, ...]
    meta: DocMeta
    locator: str | None = None
    position: int = 0

    @property
    def context(self) -> str:
        """Title and headings: indexed alongside the text, never quoted."""
        return " ＞ ".join((self.meta.title, *self.heading_path))

    def metadata(self) -> dict:
        """JSON-ready metadata for CLI output and LangChain documents."""
        m = self.meta.model_dump(mode="json", exclude_none=True)
        m.update(chunk_id=self.id, doc_id=self.doc_id, heading_path=list(self.heading_path),
                 position=self.position)
        if self.locator:
            m["locator"] = self.locator
        return m


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def accepts(self, meta: DocMeta) -> bool:
        if self.kinds and meta.kind not in self.kinds:
            return False
        if self.issuers and not any(i in meta.issuer for i in self.issuers):
            return False
        if self.topics and not set(self.topics) & set(meta.topics):
            return False
        if self.date_from and meta.date < self.date_from:
            return False
        if self.date_to and meta.date > self.date_to:
            return False
        return True

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.issuers or self.topics or self.date_from or self.date_to)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    structure: float = 0.0
    rank: int = 0

    def as_json(self) -> dict:
        return {"id": self.chunk.id, "doc_id": self.chunk.doc_id, "score": round(self.score, 4),
                "text": self.chunk.text, "metadata": self.chunk.metadata()}


@dataclass
class IndexReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    embedder: str = ""
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
