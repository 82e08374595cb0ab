"""Eval cases as typed data (evals/*.yaml)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import BriefingError


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    primary_actor: str | None = None
    not_first: list[str] = Field(default_factory=list)   # actors that must not be ranked first
    cause: str | None = None
    verdict: Literal["yes", "no", "partial"] | None = None   # yes/no questions: はい / いいえ / 一部 up front
    coverage: Literal["full", "partial", "none"] | None = None
    key_points: list[list[str]] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    persona: str = "mayor"
    conclusions: list[str] = Field(default_factory=list)
    history: list[str] = Field(default_factory=list)
    expect: Expect = Field(default_factory=Expect)
    out_of_scope: bool = False
    tags: list[str] = Field(default_factory=list)


class CaseFileError(BriefingError):
    stage = "eval"


def load_cases(path: Path) -> list[EvalCase]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseFileError(f"cannot read eval cases {path}: {exc}", "check the path and the YAML syntax") from exc
    if not isinstance(raw, list):
        raise CaseFileError(f"{path}: expected a YAML list of cases")
    cases, seen = [], set()
    for i, item in enumerate(raw):
        try:
            case = EvalCase.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise CaseFileError(f"{path}: case #{i + 1} field '{'.'.join(map(str, first['loc']))}': {first['msg']}") from exc
        if case.id in seen:
            raise CaseFileError(f"{path}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases
