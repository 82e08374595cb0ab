"""The answer JSON of contract §2 as typed models (plus `sections` and `intents` for the UI)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    n: int
    id: str
    doc_id: str
    title: str
    kind: str
    locator: str | None = None
    source: str
    date: str
    issuer: str = ""
    heading_path: list[str] = Field(default_factory=list)
    quote: str


class Responsibility(BaseModel):
    actor: str
    label: str
    role: str = ""
    scope: str = ""
    weight: float = 0.0
    citations: list[int] = Field(default_factory=list)


class Cause(BaseModel):
    type: str = "none"
    explanation: str = ""


class Sentence(BaseModel):
    text: str
    citations: list[int]


class Section(BaseModel):
    heading: str
    sentences: list[Sentence] = Field(default_factory=list)


class SupersededSource(BaseModel):
    """A cited document that a newer one replaces (front matter `supersedes`); see assistant/superseded.py."""
    doc_id: str
    title: str
    date: str
    citations: list[int]          # the answer's passage numbers from this document
    successor_id: str             # the document that replaced it
    successor_title: str
    successor_date: str
    current_id: str               # the newest version (= successor_id unless that was replaced too)
    current_title: str


class Answer(BaseModel):
    question: str
    summary: str
    answer: str
    abstained: bool = False
    coverage: Literal["full", "partial", "none"] = "full"
    coverage_note: str = ""          # what the sources lack, when coverage is not full
    verdict: Literal["yes", "no", "partial"] | None = None   # for yes/no questions
    verdict_basis: str = ""          # map (the responsibility map) | sentence (a quoted sentence) | examples (similar labelled questions) | framing
    responsibility: list[Responsibility] = Field(default_factory=list)
    cause: Cause = Field(default_factory=Cause)
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    evidence: dict[str, float] = Field(default_factory=dict)   # strength signals behind abstention
    intents: list[str] = Field(default_factory=list)   # the question type: ask, then yesno/local/followup
    affairs: list[str] = Field(default_factory=list)   # rows of the responsibility map the answer is about
    as_of: str = ""                                    # the newest source date the answer rests on
    superseded: list[SupersededSource] = Field(default_factory=list)   # cited documents a newer one replaces
    sections: list[Section] = Field(default_factory=list)
    composer: str = "extractive"
    retrieval_query: str = ""
