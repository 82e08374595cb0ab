"""The eval set is data: every case is well-formed and answerable from the corpus it cites."""
import subprocess
import sys

import pytest

from assistant.evaluate.cases import load_cases
from assistant.load import load_corpus
from assistant.normalize import normalize
from assistant.values import ACTORS
from tests.conftest import ROOT

CASES = load_cases(ROOT / "evals" / "cases.yaml")
DOCS = {d.meta.id: normalize(d.body) for d in load_corpus([ROOT / "corpus"]).documents}
CORPUS_TEXT = "\n".join(DOCS.values())


def test_the_set_is_big_enough_and_has_declines():
    in_scope = [c for c in CASES if not c.out_of_scope]
    assert len(in_scope) >= 60 and sum(c.out_of_scope for c in CASES) >= 6
    assert sum("heldout" in c.tags for c in CASES) >= 20


@pytest.mark.parametrize("case", [c for c in CASES if not c.out_of_scope], ids=lambda c: c.id)
def test_case_is_answerable_from_its_sources(case):
    e = case.expect
    assert e.primary_actor is None or e.primary_actor in ACTORS
    assert e.cause in ("operational", "technical", "institutional", "mixed", "none")
    assert e.sources and all(s in DOCS for s in e.sources), e.sources
    sources = "\n".join(DOCS[s] for s in e.sources)
    for kp in e.key_points:
        assert any(normalize(p) in sources for p in kp), kp
    for claim in e.forbidden:  # a misconception can only appear in an answer if invented
        assert normalize(claim) not in CORPUS_TEXT, claim


HOLDOUT = load_cases(ROOT / "evals" / "holdout.yaml")
FROZEN = "4398bc35f232225bd265718531407bfe597ab431efc55fc44848ed0bd5b038d0"   # sha256 of evals/holdout.yaml as the blind helper wrote it (2026-12-01)


def test_the_holdout_is_frozen_and_large_enough():
    import hashlib
    assert hashlib.sha256((ROOT / "evals" / "holdout.yaml").read_bytes()).hexdigest() == FROZEN, \
        "evals/holdout.yaml changed: the holdout is never edited or tuned on (write new cases elsewhere)"
    assert len(HOLDOUT) >= 40 and sum(c.out_of_scope for c in HOLDOUT) >= 4
    assert not {c.id for c in HOLDOUT} & {c.id for c in CASES}


def test_check_cases_script_passes():
    r = subprocess.run([sys.executable, str(ROOT / "evals" / "check_cases.py")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
