"""What the answers to similar questions had to say: the nearest labelled questions of
answer_examples.yaml (by sentence embedding) and the statements their answers carry.

A supporting sentence that states one of those statements ranks higher (ranking feature `recalled`):
a question like 「公金口座の窓口のミスは市のせいか」 needs 「否定しにくい」 and 「内閣総理大臣」 whatever its
wording, because the questions put that way before needed them. The examples are data — the
blind-written dev sets' key points, rebuilt by evals/build_answer_examples.py — never code.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from assistant.normalize import normalize

ANSWER_EXAMPLES = Path(__file__).with_name("answer_examples.yaml")
EXCLUDE_ENV = "BRIEFING_RECALL_EXCLUDE"   # a dev set left out (leave-one-set-out runs of evals/recall_loso.py)


@dataclass(frozen=True)
class AnswerExample:
    q: str
    points: tuple[tuple[str, ...], ...]
    set: str = ""
    verdict: str = ""   # a yes/no: yes / no / partial


@lru_cache(maxsize=4)
def _items(path: Path) -> tuple[dict, ...]:
    """The file's entries, parsed once (the recall and the scope model both read them)."""
    if not Path(path).is_file():
        return ()
    return tuple(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or [])


def questions(path: Path = ANSWER_EXAMPLES) -> list[str]:
    """Every question of the file, in order: embedded once for both the recall and the scope model."""
    return [str(i["q"]) for i in _items(Path(path)) if i.get("q")]


@lru_cache(maxsize=4)
def load(path: Path = ANSWER_EXAMPLES, exclude: str = "") -> tuple[AnswerExample, ...]:
    out = []
    for item in _items(Path(path)):
        points = tuple(tuple(normalize(str(p)) for p in kp if str(p).strip()) for kp in item.get("points") or [])
        if item.get("set") != exclude and item.get("q") and any(points):
            out.append(AnswerExample(q=str(item["q"]), points=tuple(p for p in points if p), set=str(item.get("set") or ""),
                                     verdict=str(item.get("verdict") or "")))
    return tuple(out)


@lru_cache(maxsize=4)
def scope_examples(path: Path = ANSWER_EXAMPLES, exclude: str = "") -> tuple[tuple[str, bool], ...]:
    """(question, whether the sources answer it) for the questions that are not follow-ups: more
    labelled data for the scope model (question.py), the left-out set excepted."""
    return tuple((str(i["q"]), not i.get("out_of_scope")) for i in _items(Path(path))
                 if i.get("q") and not i.get("followup") and i.get("set") != exclude)


def excluded() -> str:
    return os.environ.get(EXCLUDE_ENV, "")


@contextmanager
def left_out(name: str):
    """Inside, the examples of dev set `name` are not recalled (a leave-one-set-out run)."""
    before = os.environ.get(EXCLUDE_ENV)
    os.environ[EXCLUDE_ENV] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(EXCLUDE_ENV, None)
        else:
            os.environ[EXCLUDE_ENV] = before


@dataclass(frozen=True)
class Recalled:
    """The statements wanted, each with the weight of the neighbours that wanted it."""
    points: tuple[tuple[tuple[str, ...], float], ...] = ()

    def score(self, text: str) -> float:
        """Share of the neighbours' weight whose statements this sentence states (0..1)."""
        if not self.points:
            return 0.0
        t = normalize(text)
        return min(1.0, sum(w for alts, w in self.points if any(a in t for a in alts)))


class Recall:
    def __init__(self, examples: tuple[AnswerExample, ...], vectors: np.ndarray):
        self.examples, self.vectors = examples, vectors
        self._judged = [i for i, e in enumerate(examples) if e.verdict]   # the yes/no questions, for verdict()

    def near(self, qvec, k: int, base: float) -> Recalled:
        """The k nearest examples, each weighted by how far its cosine rises above `base`; a statement
        wanted by several of them counts once per example (weights sum to 1 over the neighbours)."""
        if not self.examples or qvec is None or k <= 0:
            return Recalled()
        q = np.asarray(qvec, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        sims = self.vectors @ q
        idx = np.argsort(-sims)[:k]
        w = np.clip(sims[idx] - base, 0.0, None)
        if w.sum() <= 0:
            return Recalled()
        w = w / w.sum()
        wanted: dict[tuple[str, ...], float] = {}
        for i, wi in zip(idx, w):
            if wi <= 0:
                continue
            for alts in self.examples[i].points:
                wanted[alts] = wanted.get(alts, 0.0) + float(wi)
        return Recalled(tuple(wanted.items()))

    def verdict(self, qvec, k: int) -> str | None:
        """The judgement the k nearest labelled yes/no questions opened with, each vote weighted by its
        cosine: for a yes/no neither the map nor a quoted sentence settles (leave one dev set out, 58 such
        dev questions: 35 right against 13 for a fixed 一部 / いいえ by the question's framing)."""
        judged = self._judged
        if not judged or qvec is None or k <= 0:
            return None
        q = np.asarray(qvec, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        sims = self.vectors[judged] @ q
        votes: dict[str, float] = {}
        for i in np.argsort(-sims)[:k]:
            v = self.examples[judged[i]].verdict
            votes[v] = votes.get(v, 0.0) + max(float(sims[i]), 0.0)
        return max(votes, key=votes.get) if votes else None
