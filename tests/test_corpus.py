"""The real corpus: it validates, and each of the talk's conclusions is stated where the README says."""
import re

import pytest

from assistant.corpus_check import check_corpus
from assistant.load import load_corpus
from assistant.normalize import nfkc
from tests.conftest import ROOT

CORPUS = ROOT / "corpus"


def _conclusions():
    text = (CORPUS / "README.md").read_text(encoding="utf-8")
    section = text.split("## 講演の結論", 1)[1]
    rows = re.findall(r"^\|\s*(C\d+)\s*\|([^|]+)\|([^|]+)\|([^|]+)\|", section, re.M)
    return [(cid, stmt.strip(), [d.strip() for d in docs.split(",") if d.strip()],
             [p.strip() for p in phrases.split("／") if p.strip()]) for cid, stmt, docs, phrases in rows]


CONCLUSIONS = _conclusions()
DOCS = {d.meta.id: d for d in load_corpus([CORPUS]).documents}


def test_corpus_check_passes():
    report = check_corpus([CORPUS])
    assert report.ok, report.problems
    assert report.documents >= 40


def test_conclusions_are_numbered_without_gaps():
    ids = [c[0] for c in CONCLUSIONS]
    assert ids == [f"C{i}" for i in range(1, len(ids) + 1)] and len(ids) >= 12


@pytest.mark.parametrize("cid, statement, docs, phrases", CONCLUSIONS, ids=[c[0] for c in CONCLUSIONS])
def test_each_conclusion_is_stated_by_its_documents(cid, statement, docs, phrases):
    assert docs and phrases
    for doc_id in docs:
        assert doc_id in DOCS, f"{cid}: document {doc_id} is missing"
        body = nfkc(DOCS[doc_id].body)
        assert any(nfkc(p) in body for p in phrases), f"{cid}: {doc_id} no longer mentions {phrases}"


def test_incidents_and_analyses_carry_actors_and_cause():
    for d in DOCS.values():
        if d.meta.kind in ("incident", "analysis"):
            assert d.meta.cause is not None, d.meta.id
            if d.meta.cause != "none":
                assert d.meta.actors, d.meta.id


def test_no_my_number_shaped_digits_in_the_corpus():
    from assistant.privacy import contains_my_number
    assert not [i for i, d in DOCS.items() if contains_my_number(d.body)]
