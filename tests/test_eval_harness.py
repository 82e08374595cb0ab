import json
import xml.etree.ElementTree as ET

import pytest

from assistant.compose.answer import Answer, Citation, Responsibility
from assistant.evaluate.cases import CaseFileError, load_cases
from assistant.evaluate.metrics import aggregate, score_case
from tests.conftest import FIXTURES, run_cli

CASES = FIXTURES / "eval_cases.yaml"


def _answer(**kw):
    base = dict(question="q", summary="内閣総理大臣の事務である。", answer="### 結論\n内閣総理大臣の事務である。 [1]\n", citations=[
        Citation(n=1, id="c1", doc_id="d", title="t", kind="analysis", source="s", date="2023-01-01",
                 quote="内閣総理大臣の事務である。")],
        responsibility=[Responsibility(actor="prime_minister", label="x")])
    base.update(kw)
    return Answer(**base)


def test_scoring_detects_wrong_actor_missing_points_forbidden_claims_and_bad_quotes():
    case = load_cases(CASES)[0]
    ans = _answer(answer="ICチップの欠陥が原因である。 [1]", responsibility=[Responsibility(actor="municipality", label="x")])
    r = score_case(case, ans, ["other", "fx-kokin"], {"c1": "別の本文"}, 12.0)
    assert r.actor_ok is False and r.forbidden_found == ["ICチップの欠陥"]
    assert r.citations_valid == 0 and r.source_rank == 2 and not r.passed
    assert any("key point" in x for x in r.reasons)


def test_aggregate_abstention_precision_and_recall():
    cases = load_cases(CASES)
    results = [score_case(cases[0], _answer(abstained=True), [], {"c1": "内閣総理大臣の事務である。"}, 1),
               score_case(cases[2], _answer(abstained=True, citations=[]), [], {}, 1)]
    m = aggregate(results)
    assert m["abstention_recall"] == 1.0 and m["abstention_precision"] == 0.5


def test_a_verdict_opening_an_answer_to_an_open_question_is_counted():
    case = load_cases(CASES)[0]   # 「誰の責任か」: not a yes/no question
    r = score_case(case, _answer(summary="はい。内閣総理大臣の事務である。"), [], {"c1": "内閣総理大臣の事務である。"}, 1)
    plain = score_case(case, _answer(), [], {"c1": "内閣総理大臣の事務である。"}, 1)
    assert r.verdict_unasked and not plain.verdict_unasked
    assert aggregate([r, plain])["verdict_unasked_rate"] == 0.5


def test_bad_case_file_names_the_case_and_field(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("- id: a\n  question: q\n  expect: {primary_actor: x, colour: red}\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as err:
        load_cases(p)
    assert "case #1" in str(err.value) and "colour" in str(err.value)


def test_briefing_eval_writes_three_reports_and_gates_on_thresholds(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    assert run_cli("index", "--corpus", str(fixture_corpus), "--store", str(store), "-q").returncode == 0
    easy = tmp_path / "easy.toml"
    easy.write_text("[min]\ncitation_validity = 1.0\nabstention_recall = 1.0\n", encoding="utf-8")
    r = run_cli("eval", "--cases", str(CASES), "--report", str(tmp_path / "rep"), "--store", str(store),
                "--thresholds", str(easy))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "rep" / "report.json").read_text(encoding="utf-8"))
    assert data["passed"] and data["metrics"]["cases"] == 3 and data["metrics"]["citation_validity"] == 1.0
    assert {c["id"] for c in data["cases"]} == {"fx-kokin-who", "fx-hoken-who", "fx-oos"}
    suite = ET.parse(tmp_path / "rep" / "junit.xml").getroot()
    assert suite.get("tests") == "3"
    assert "| primary_actor_accuracy |" in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")

    strict = tmp_path / "strict.toml"
    strict.write_text("[max]\nlatency_p50_ms = 0.0001\n", encoding="utf-8")
    r = run_cli("eval", "--cases", str(CASES), "--report", str(tmp_path / "rep2"), "--store", str(store),
                "--thresholds", str(strict))
    assert r.returncode == 1 and "NOT met" in r.stdout
