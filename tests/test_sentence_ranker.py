"""The learned ranking of supporting sentences (assistant/compose/ranking.py, evals/fit_ranker.py)."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.compose import ranking
from assistant.compose.evidence import Candidate, _tokens
from assistant.values import Chunk, DocMeta, Hit

ROOT = Path(__file__).resolve().parents[1]


def _fit_script():
    spec = importlib.util.spec_from_file_location("fit_ranker", ROOT / "evals" / "fit_ranker.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # its dataclass looks itself up there
    spec.loader.exec_module(mod)
    return mod


def _cand(text: str, kind: str = "analysis", heading: tuple = (), conclusions: list | None = None,
          score: float = 1.0, rank: int = 0, similarity: float = 0.8) -> Candidate:
    meta = DocMeta(id="d", kind=kind, title="t", issuer="i", date=dt.date(2024, 1, 1), source="https://x",
                   conclusions=conclusions or [])
    chunk = Chunk(id=f"d#{abs(hash(text)) % 10**6}", doc_id="d", text=text, heading_path=heading, meta=meta)
    c = Candidate(text, rank, Hit(chunk=chunk, score=score), 0, len(text), _tokens(text))
    c.similarity = similarity
    return c


def test_the_shipped_weights_cover_every_feature_and_were_not_fitted_on_the_holdout():
    shipped = json.loads(ranking.WEIGHTS.read_text(encoding="utf-8"))
    r = ranking.Ranker.from_dict(shipped)
    assert len(r.weights) == len(ranking.FEATURES)
    assert "holdout.yaml" not in shipped["fitted"]["on"] and "cases.yaml" in shipped["fitted"]["on"]
    w = dict(zip(ranking.FEATURES, r.weights))
    assert w["semantic"] + w["similarity"] > 0 and w["conclusion"] > 0 and w["overlap"] > 0


def test_weights_missing_a_feature_are_refused_with_the_command_that_refits_them():
    d = ranking.shipped()
    broken = {"bias": d["bias"], "weights": {k: v for k, v in d["weights"].items() if k != "conclusion"}}
    with pytest.raises(ValueError, match="fit_ranker"):
        ranking.Ranker.from_dict(broken)


def test_a_sentence_scores_bias_plus_its_weighted_features():
    weights = {n: 0.0 for n in ranking.FEATURES}
    weights.update(conclusion=2.0, heading=1.0, similarity=0.5, semantic=0.25)
    r = ranking.Ranker.from_dict({"bias": -1.0, "weights": weights})
    plain = _cand("市は登録を支援した。", similarity=0.8)
    stated = _cand("責任は内閣総理大臣にある。", heading=("責任の所在",), conclusions=["内閣総理大臣にある"], similarity=0.8)
    ranking.rank([plain, stated], ranking.Context(ask="who", headings=("責任",)), r)
    assert plain.score == pytest.approx(-1.0 + 0.5 * 0.8)   # the pool's cosines are equal: semantic 0
    assert stated.score == pytest.approx(-1.0 + 0.5 * 0.8 + 2.0 + 1.0)
    assert stated.features[ranking.FEATURES.index("conclusion")] == 1.0


def test_fitting_learns_which_feature_marks_the_sentences_that_hold_key_points():
    rng = np.random.default_rng(0)
    x = rng.random((400, len(ranking.FEATURES)))
    informative = ranking.FEATURES.index("cell")
    y = (x[:, informative] > 0.7).astype(int)
    r = ranking.fit(x, y)
    w = np.array(r.weights)
    assert w[informative] > 5 * np.max(np.abs(np.delete(w, informative)))


def test_recording_collects_the_pool_a_selection_chose_from_only_when_asked(briefing):
    with ranking.recording() as rec:
        briefing.ask("公金受取口座の誤登録は市の責任か", audit=False)
    assert rec and all(c.features is not None and len(c.features) == len(ranking.FEATURES) for c in rec[-1])
    texts = [c.text for c in rec[-1]]
    assert len(texts) == len(set(texts))          # one candidate per sentence
    with ranking.recording() as outer:
        pass
    briefing.ask("保険証のひも付けミスは誰の責任", audit=False)
    assert outer == []


def test_the_fitting_script_reads_every_dev_set_but_never_the_holdout():
    names = [p.name for p in _fit_script().dev_sets()]
    assert "cases.yaml" in names and "holdout.yaml" not in names
    assert all(n == "cases.yaml" or n.startswith("dev_") for n in names)


def test_the_fitting_script_labels_pools_and_reports_leave_one_set_out(briefing, tmp_path):
    fit = _fit_script()
    cases = ROOT / "tests" / "fixtures" / "eval_cases.yaml"
    pools = fit.record(briefing, [cases])
    assert pools, "in-scope fixture cases give pools"
    assert all(p.x.shape == (len(p.cands), len(ranking.FEATURES)) for p in pools)
    # a label is a key point the summary left out and the sentence holds
    for p in pools:
        assert all(h <= set(range(p.left)) for h in p.holds)
    one = pools[0]
    best_first = np.array([1.0 if h else 0.0 for h in one.holds])
    assert fit.covered(one, best_first, k=6) == len(set().union(*one.holds))


FIXTURE_CASES = """
- id: t-kokin-why
  question: 公金受取口座の窓口での誤登録はなぜ起きたのか
  expect: {key_points: [[ログアウト], [再度の本人確認], [手続支援], [内閣総理大臣]]}
- id: t-kokin-who
  question: 窓口で口座が別人に登録された件、市にも落ち度はあるのか
  expect: {key_points: [[共用端末], [本人確認], [登録の支援]]}
- id: t-hoken-who
  question: 保険証に別人の情報が紐付いたのは誰の責任か
  expect: {key_points: [[保険者], [照会], [住所]]}
"""


def test_the_fitting_command_reports_and_writes_weights_the_composer_loads(indexed_store, tmp_path, capsys):
    fit = _fit_script()
    cases = tmp_path / "dev_fixture.yaml"
    cases.write_text(FIXTURE_CASES, encoding="utf-8")
    out = tmp_path / "ranker.json"
    assert fit.main(["--sets", str(cases), "--store", str(indexed_store), "--out", str(out)]) == 0
    assert "refit(LOSO)" in capsys.readouterr().out and not out.exists()
    assert fit.main(["--write", "--sets", str(cases), "--store", str(indexed_store), "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert ranking.Ranker.from_dict(written).weights and written["fitted"]["on"] == ["dev_fixture.yaml"]
    with pytest.raises(SystemExit):
        fit.main(["--sets", str(ROOT / "evals" / "holdout.yaml"), "--store", str(indexed_store)])


def test_the_leading_documents_conclusion_joins_the_support_in_place_of_its_weakest_sentence():
    from assistant.compose.support import _with_conclusion
    marks = ["早く公表", "謝罪すべき"]
    lead, apology, other, weak = (_cand(t, conclusions=marks, score=s) for t, s in [
        ("窓口の誤登録は国の事務である。", 3.0), ("まず国が謝罪すべきだと述べた。", 1.0),
        ("市は経緯を紹介した。", 0.9), ("市長は会議に出席した。", 0.5)])
    publish = _cand("情報を早く公表することが重要だと述べた。", conclusions=marks, score=0.2)
    pool = [lead, apology, other, weak, publish]
    out = _with_conclusion([lead, apology, weak, other], pool, said=("責任は国にある。",))
    assert publish in out and weak not in out and apology in out   # a conclusion sentence is never the one dropped
    assert _with_conclusion([lead, apology, weak, other], pool, said=()) == [lead, apology, weak, other]   # no summary
    stated = _with_conclusion([lead, apology, weak, other], pool, said=("早く公表すべきだ。",))   # said already
    assert publish not in stated
