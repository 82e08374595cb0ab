"""Scoring one answer against one case, and aggregating."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.compose.evidence import reported_speech
from assistant.normalize import normalize

from .cases import EvalCase


@dataclass
class CaseResult:
    id: str
    question: str
    tags: list[str]
    out_of_scope: bool
    abstained: bool
    primary_actor: str | None = None
    actor_ok: bool | None = None
    not_first_ok: bool | None = None      # no party listed in expect.not_first came first
    verdict: str | None = None            # はい/いいえ/一部 read off the start of the summary
    verdict_first: bool | None = None     # yes/no case: the summary opens with a verdict
    verdict_ok: bool | None = None        # … and it is the expected one
    coverage: str = "full"
    expected_coverage: str = "full"
    asked_yesno: bool = False
    verdict_unasked: bool = False         # はい／いいえ／一部 opens the answer to a question that is not yes/no
    reported_speech: bool = False         # the summary is 「…は…と述べた」 although nobody's words were asked for
    cause: str | None = None
    cause_ok: bool | None = None
    key_points_hit: int = 0
    key_points_total: int = 0
    forbidden_found: list[str] = field(default_factory=list)
    citations_total: int = 0
    citations_valid: int = 0
    source_rank: int | None = None       # rank of the first expected document (1-based), None if missing
    has_sources: bool = False
    latency_ms: float = 0.0
    summary: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons


_VERDICTS = (("一部", "partial"), ("はい", "yes"), ("いいえ", "no"))


def read_verdict(summary: str) -> str | None:
    head = summary.lstrip("「『（(【 ")[:4]
    return next((v for mark, v in _VERDICTS if head.startswith(mark)), None)


def answer_coverage(ans) -> str:
    return "none" if ans.abstained else getattr(ans, "coverage", "full") or "full"


def score_case(case: EvalCase, ans, doc_ranking: list[str], chunk_texts: dict[str, str], latency_ms: float) -> CaseResult:
    r = CaseResult(id=case.id, question=case.question, tags=case.tags, out_of_scope=case.out_of_scope,
                   abstained=ans.abstained, latency_ms=latency_ms, summary=ans.summary)
    r.coverage = answer_coverage(ans)
    r.expected_coverage = "none" if case.out_of_scope else (case.expect.coverage or "full")
    if r.expected_coverage != r.coverage and (r.expected_coverage != "full" or r.coverage != "full"):
        r.reasons.append(f"coverage {r.coverage} ≠ expected {r.expected_coverage}")
    r.reported_speech = reported_speech(ans.summary) and "speech" not in case.tags
    r.citations_total = len(ans.citations)
    r.citations_valid = sum(1 for c in ans.citations if c.quote and c.quote in chunk_texts.get(c.id, ""))
    if r.citations_valid < r.citations_total:
        r.reasons.append(f"{r.citations_total - r.citations_valid} quote(s) not verbatim in the store")
    if case.out_of_scope:
        if not ans.abstained:
            r.reasons.append("out-of-scope question was answered instead of declined")
        return r
    if ans.abstained and not any("coverage" in x for x in r.reasons):
        r.reasons.append("declined an in-scope question")
    e = case.expect
    text = normalize(f"{ans.summary}\n{ans.answer}")
    if e.primary_actor:
        r.primary_actor = ans.responsibility[0].actor if ans.responsibility else None
        r.actor_ok = r.primary_actor == e.primary_actor
        if not r.actor_ok:
            r.reasons.append(f"primary actor {r.primary_actor} ≠ expected {e.primary_actor}")
    if e.not_first:
        first = ans.responsibility[0].actor if ans.responsibility else None
        r.not_first_ok = first not in e.not_first
        if not r.not_first_ok:
            r.reasons.append(f"{first} ranked first, which the case forbids")
    # a yes/no about the city's own facts gets no verdict: national sources cannot judge it
    if e.verdict or ("yesno" in case.tags and r.expected_coverage == "full"):
        r.verdict = read_verdict(ans.summary or "")
        r.verdict_first = r.verdict is not None
        if not r.verdict_first:
            r.reasons.append("yes/no question without はい/いいえ/一部 up front")
        if e.verdict:
            r.verdict_ok = r.verdict == e.verdict
            if r.verdict_first and not r.verdict_ok:
                r.reasons.append(f"verdict {r.verdict} ≠ expected {e.verdict}")
    r.asked_yesno = "yesno" in case.tags or bool(case.expect.verdict)
    r.verdict_unasked = not r.asked_yesno and read_verdict(ans.summary or "") is not None
    if r.verdict_unasked:
        r.reasons.append("はい/いいえ/一部 opens the answer, but the question is not a yes/no one")
    if r.reported_speech:
        r.reasons.append("summary is reported speech, but nobody's words were asked for")
    if e.cause:
        r.cause = ans.cause.type
        r.cause_ok = r.cause == e.cause
        if not r.cause_ok:
            r.reasons.append(f"cause {r.cause} ≠ expected {e.cause}")
    r.key_points_total = len(e.key_points)
    missing = [kp for kp in e.key_points if not any(normalize(p) in text for p in kp)]
    r.key_points_hit = r.key_points_total - len(missing)
    if missing:
        r.reasons.append("missing key point(s): " + " / ".join("｜".join(kp) for kp in missing))
    r.forbidden_found = [f for f in e.forbidden if normalize(f) in text]
    if r.forbidden_found:
        r.reasons.append("forbidden claim(s): " + "、".join(r.forbidden_found))
    if e.sources:
        r.has_sources = True
        ranks = [doc_ranking.index(s) + 1 for s in e.sources if s in doc_ranking]
        r.source_rank = min(ranks) if ranks else None
        if r.source_rank is None or r.source_rank > 5:
            r.reasons.append(f"expected sources not in the top 5 ({', '.join(e.sources)})")
    return r


def _ratio(num: float, den: float) -> float:
    return round(num / den, 4) if den else 1.0


def aggregate(results: list[CaseResult]) -> dict[str, float]:
    ins = [r for r in results if not r.out_of_scope]
    actor = [r for r in ins if r.actor_ok is not None]
    cause = [r for r in ins if r.cause_ok is not None]
    src = [r for r in ins if r.has_sources]
    yesno = [r for r in results if r.verdict_first is not None]
    verdicts = [r for r in results if r.verdict_ok is not None]
    nf = [r for r in ins if r.not_first_ok is not None]
    open_ = [r for r in ins if not r.abstained and not r.asked_yesno]
    tp = sum(1 for r in results if r.out_of_scope and r.abstained)
    fp = sum(1 for r in results if not r.out_of_scope and r.abstained)
    fn = sum(1 for r in results if r.out_of_scope and not r.abstained)
    lat = np.array([r.latency_ms for r in results]) if results else np.zeros(1)
    return {
        "cases": len(results),
        "primary_actor_accuracy": _ratio(sum(r.actor_ok for r in actor), len(actor)),
        "cause_accuracy": _ratio(sum(r.cause_ok for r in cause), len(cause)),
        "key_point_recall": _ratio(sum(r.key_points_hit for r in ins), sum(r.key_points_total for r in ins)),
        "forbidden_claim_rate": _ratio(sum(1 for r in ins if r.forbidden_found), len(ins)) if ins else 0.0,
        "citation_validity": _ratio(sum(r.citations_valid for r in results), sum(r.citations_total for r in results)),
        "source_recall_at_5": _ratio(sum(1 for r in src if r.source_rank and r.source_rank <= 5), len(src)),
        "source_mrr": _ratio(sum(1 / r.source_rank for r in src if r.source_rank), len(src)),
        "abstention_precision": _ratio(tp, tp + fp),
        "abstention_recall": _ratio(tp, tp + fn),
        **_coverage_pr(results),
        "not_first_ok": _ratio(sum(r.not_first_ok for r in nf), len(nf)),
        "verdict_first_rate": _ratio(sum(r.verdict_first for r in yesno), len(yesno)),
        "verdict_accuracy": _ratio(sum(r.verdict_ok for r in verdicts), len(verdicts)),
        "verdict_unasked_rate": _ratio(sum(r.verdict_unasked for r in open_), len(open_)),
        "reported_speech_rate": _ratio(sum(r.reported_speech for r in results if not r.abstained),
                                       sum(1 for r in results if not r.abstained)),
        "latency_p50_ms": round(float(np.percentile(lat, 50)), 1),
        "latency_p95_ms": round(float(np.percentile(lat, 95)), 1),
        "pass_rate": _ratio(sum(r.passed for r in results), len(results)),
    }


def _coverage_pr(results: list[CaseResult]) -> dict[str, float]:
    """Precision and recall of the answers that say the sources fall short (coverage partial or
    none) — declining and partial answers judged together, as the issue's “abstention / partial”."""
    short = lambda c: c != "full"   # noqa: E731
    tp = sum(1 for r in results if short(r.coverage) and r.coverage == r.expected_coverage)
    said = sum(1 for r in results if short(r.coverage))
    want = sum(1 for r in results if short(r.expected_coverage))
    return {"scope_precision": _ratio(tp, said), "scope_recall": _ratio(tp, want)}
