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


def test_no_internal_labels_in_document_text():
    """Confidence marks live in front matter; the text readers see never says 「likely」 or 「確度」."""
    leaks = {i: m.group(0) for i, d in DOCS.items() if (m := re.search(r"likely|unsure|\bsure\b|確度", d.body))}
    assert not leaks, leaks


_SPEAKER = re.compile(r"(?:講演者|吉本)[^。]{0,40}?(?:は|によれば|によると)[^。]*(?:述べ|指摘し|語っ|見方を示し|説明し|評価し)")


def test_official_documents_do_not_report_the_talk():
    """A sentence that reports the talk is cited to the talk record, not to a ministry's document."""
    talk = "日本都市センター（講演録）"
    official = {i: d for i, d in DOCS.items() if d.meta.issuer != talk and d.meta.kind != "analysis"}
    reporting = {i: m.group(0)[:40] for i, d in official.items() if (m := _SPEAKER.search(d.body))}
    assert not reporting, reporting


def test_every_incident_defines_a_row_of_the_responsibility_map():
    from assistant.chunk import Chunker
    from assistant.index.affairs import build_map
    docs = list(DOCS.values())
    amap = build_map(docs, [c for d in docs for c in Chunker()(d)])
    incidents = [d.meta.id for d in docs if d.meta.kind == "incident"]
    covered = {doc for r in amap.rows for doc in r.docs}
    assert set(incidents) <= covered
    for row in amap.rows:
        if row.overview:
            continue
        assert row.primary and row.primary.quotes, row.id          # 実施者 with its passage
        assert row.city_quotes and row.cause != "none", row.id      # the city's share and the cause, cited
    assert {"health_insurance", "kokin_counter", "kokin_family", "disability_certificate", "ryoiku_seishin",
            "kyosai", "kokuho"} <= {r.id for r in amap.rows}
