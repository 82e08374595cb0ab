"""What the answers to similar labelled questions had to say (assistant/compose/recall.py,
evals/build_answer_examples.py) and how it reaches the supporting sentences."""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import yaml

from assistant.compose import ranking, recall
from assistant.compose.recall import AnswerExample, Recall, Recalled

from .test_sentence_ranker import _cand

ROOT = Path(__file__).resolve().parents[1]


def _builder():
    spec = importlib.util.spec_from_file_location("build_answer_examples", ROOT / "evals" / "build_answer_examples.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _recall(points_per_example: list[list[list[str]]], vectors: list[list[float]]) -> Recall:
    examples = tuple(AnswerExample(q=f"q{i}", points=tuple(tuple(recall.normalize(a) for a in kp) for kp in pts))
                     for i, pts in enumerate(points_per_example))
    v = np.asarray(vectors, dtype=np.float32)
    return Recall(examples, v / np.linalg.norm(v, axis=1, keepdims=True))


def test_a_sentence_scores_the_share_of_neighbours_whose_statement_it_states():
    r = Recalled(((("否定しにくい",), 0.6), (("内閣総理大臣", "総理大臣"), 0.4)))
    assert r.score("支援の範囲では責任を否定しにくい。") == 0.6
    assert r.score("責任は総理大臣にある。") == 0.4            # any alternative phrasing counts
    assert r.score("責任は内閣総理大臣にあり、市も否定しにくい。") == 1.0
    assert r.score("市は窓口を設けた。") == 0.0
    assert Recalled().score("否定しにくい") == 0.0


def test_statements_are_matched_after_normalisation():
    r = Recalled(((( recall.normalize("8,441件"),), 1.0),))
    assert r.score("累計８，４４１件に増えた。") == 1.0        # 全角 digits and comma in the passage


def test_the_nearest_examples_weigh_most_and_far_ones_not_at_all():
    rc = _recall([[["保険者"]], [["都道府県"]], [["デジタル庁"]]],
                 [[1, 0, 0], [0.9, 0.44, 0], [0, 0, 1]])
    got = dict(rc.near(np.array([1.0, 0.05, 0.0]), k=3, base=0.8).points)
    assert set(got) == {("保険者",), ("都道府県",)}            # the orthogonal example is below the base
    assert got[("保険者",)] > got[("都道府県",)] > 0
    assert abs(sum(got.values()) - 1.0) < 1e-6
    assert rc.near(np.array([0.0, 0.0, 1.0]), k=1, base=0.8).points == ((("デジタル庁",), 1.0),)
    assert rc.near(np.array([0.0, 1.0, 0.0]), k=3, base=0.99).points == ()   # nothing near enough
    assert Recall((), np.zeros((0, 3))).near(np.array([1.0, 0, 0]), 5, 0.8).points == ()


def test_a_sentence_stating_what_similar_questions_needed_ranks_first():
    weights = {n: 0.0 for n in ranking.FEATURES}
    weights.update(recalled=1.0, semantic=0.1)
    r = ranking.Ranker.from_dict({"bias": 0.0, "weights": weights})
    closer = _cand("市は登録の手続を支援した。", similarity=0.9)
    stating = _cand("支援の範囲では責任を否定しにくい。", similarity=0.7)
    ranking.rank([closer, stating], ranking.Context(), r)
    assert closer.score > stating.score                     # nothing recalled: the closer sentence leads
    ranking.rank([closer, stating], ranking.Context(recalled=Recalled(((("否定しにくい",), 1.0),))), r)
    assert stating.score > closer.score


def test_the_shipped_examples_are_the_dev_sets_key_points_and_never_the_gated_sets():
    mod = _builder()
    built = mod.examples()
    shipped = yaml.safe_load(recall.ANSWER_EXAMPLES.read_text(encoding="utf-8"))
    assert shipped == built, "answer_examples.yaml is stale: run evals/build_answer_examples.py"
    sets = {e["set"] for e in shipped}
    assert sets and all(s.startswith("dev_") for s in sets)
    gated = set()
    for name in ("cases.yaml", "holdout.yaml"):
        for c in yaml.safe_load((ROOT / "evals" / name).read_text(encoding="utf-8")):
            gated |= {c["question"], " ".join([*(c.get("history") or [])[-1:], c["question"]])}
    assert not any(e["q"] in gated for e in shipped)
    assert all(e["points"] or e.get("out_of_scope") or "followup" not in e for e in shipped)


def test_the_builder_skips_out_of_scope_cases_and_carries_the_last_earlier_turn(tmp_path):
    (tmp_path / "dev_x.yaml").write_text(yaml.safe_dump([
        {"id": "a", "question": "障害者手帳の場合は？", "history": ["保険証は誰の責任？", "市の責任は？"],
         "expect": {"key_points": [["都道府県"]], "verdict": "no"}},
        {"id": "b", "question": "市立病院の赤字の原因は？", "out_of_scope": True},
        {"id": "c", "question": "誰の責任？", "expect": {"key_points": []}},
    ], allow_unicode=True), encoding="utf-8")
    (tmp_path / "cases.yaml").write_text(yaml.safe_dump([
        {"id": "d", "question": "公金口座は？", "expect": {"key_points": [["内閣総理大臣"]]}}], allow_unicode=True), encoding="utf-8")
    got = _builder().examples(tmp_path)
    assert got == [{"q": "市の責任は？ 障害者手帳の場合は？", "points": [["都道府県"]], "set": "dev_x", "verdict": "no",
                    "followup": True},
                   {"q": "市立病院の赤字の原因は？", "points": [], "set": "dev_x", "out_of_scope": True},
                   {"q": "誰の責任？", "points": [], "set": "dev_x"}]
    path = tmp_path / "answer_examples.yaml"
    path.write_text(yaml.safe_dump(got, allow_unicode=True), encoding="utf-8")
    assert [e.q for e in recall.load(path)] == ["市の責任は？ 障害者手帳の場合は？"]     # only what has points is recalled
    assert [e.verdict for e in recall.load(path)] == ["no"]                          # … with the judgement it opened with
    # the scope model learns from the questions that are not follow-ups, answerable or not
    assert recall.scope_examples(path) == (("市立病院の赤字の原因は？", False), ("誰の責任？", True))
    assert recall.scope_examples(path, "dev_x") == ()


def test_a_set_held_back_from_the_examples_is_not_built_into_them(tmp_path):
    builder = _builder()
    held = sorted(builder.NOT_JOINED)[0]
    for stem in ("dev_y", held):
        (tmp_path / f"{stem}.yaml").write_text(yaml.safe_dump([
            {"id": stem, "question": f"{stem}の件は誰の責任？", "expect": {"key_points": [["都道府県"]]}}],
            allow_unicode=True), encoding="utf-8")
    assert [e["set"] for e in builder.examples(tmp_path)] == ["dev_y"]


def test_a_left_out_set_is_not_recalled(tmp_path):
    path = tmp_path / "answer_examples.yaml"
    path.write_text(yaml.safe_dump([{"q": "a", "points": [["x"]], "set": "dev_a"},
                                    {"q": "b", "points": [["y"]], "set": "dev_b"}], allow_unicode=True), encoding="utf-8")
    assert [e.q for e in recall.load(path)] == ["a", "b"]
    assert [e.q for e in recall.load(path, "dev_a")] == ["b"]
    assert recall.load(tmp_path / "missing.yaml") == ()


def test_recall_reaches_the_answer_end_to_end(briefing):
    """A statement the nearest labelled question needed comes into the answer once recall weighs
    enough, and nothing else about the answer (its summary, its responsibility) changes."""
    composer = briefing.composer
    composer.params = dataclasses.replace(composer.params, max_support=1)   # the fixture corpus is small
    q = "公金受取口座の誤登録は誰の責任か"
    with ranking.recording() as pools:
        before = briefing.ask(q, audit=False)
    shown = before.summary + before.answer
    missing = next(c.text for c in pools[-1] if c.text not in shown)
    phrase = next(p for p in (missing[i:i + 10] for i in range(len(missing) - 9)) if p not in shown)
    vec = composer.searcher.query_vector(q)
    composer.recall = Recall((AnswerExample(q=q, points=((recall.normalize(phrase),),)),),
                             np.asarray([vec], dtype=np.float32) / np.linalg.norm(vec))
    weights = ranking.shipped()
    weights["weights"]["recalled"] = 5.0
    composer.params = dataclasses.replace(composer.params, ranker=weights)
    after = briefing.ask(q, audit=False)
    assert phrase not in shown and phrase in after.answer
    assert after.summary == before.summary
    assert [r.actor for r in after.responsibility] == [r.actor for r in before.responsibility]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "evals" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_the_leave_one_set_out_report_scores_a_set_with_and_without_recall(briefing, monkeypatch):
    monkeypatch.delenv(recall.EXCLUDE_ENV, raising=False)
    loso = _script("recall_loso")
    cases = ROOT / "tests" / "fixtures" / "eval_cases.yaml"
    off, on = loso.run(briefing, cases, 0.0), loso.run(briefing, cases, None)
    assert off["total"] == on["total"] > 0 and 0 <= off["hit"] <= off["total"]
    assert set(loso.METRICS) <= set(on)
    assert briefing.composer.params.ranker["weights"]["recalled"] == ranking.shipped()["weights"]["recalled"]
    assert recall.EXCLUDE_ENV not in __import__("os").environ    # the left-out set is not left behind


def test_the_builder_writes_the_examples_file_it_is_checked_against(tmp_path, monkeypatch):
    mod = _builder()
    monkeypatch.setattr(mod, "OUT", tmp_path / "answer_examples.yaml")
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    assert mod.main() == 0
    text = (tmp_path / "answer_examples.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Labelled questions") and yaml.safe_load(text) == mod.examples()


def test_dev_questions_teach_the_scope_model_and_nothing_else(briefing, monkeypatch):
    """The classifier in use learns scope from the dev questions (scope_only examples), and a dev set
    left out is left out of it too; the question-type models are trained on the labelled examples alone."""
    from assistant.compose.question import load_examples
    from assistant.compose.turn import trained_classifier
    monkeypatch.delenv(recall.EXCLUDE_ENV, raising=False)
    clf = trained_classifier(briefing.store, briefing.composer.params)
    extra = [e for e in clf.examples if e.scope_only]
    assert len(clf.examples) == len(load_examples()) + len(extra) and len(clf.vectors) == len(clf.examples)
    assert {e.answerable for e in extra} == {True, False}
    sets = {e["set"] for e in yaml.safe_load(recall.ANSWER_EXAMPLES.read_text(encoding="utf-8"))}
    some = sorted(sets)[0]
    with recall.left_out(some):
        fewer = trained_classifier(briefing.store, briefing.composer.params)
    assert len([e for e in fewer.examples if e.scope_only]) < len(extra)
    # the ask model is the same whether or not the dev questions are there
    q = "公金受取口座の誤登録は誰の責任か"
    vec = briefing.composer.searcher.query_vector(q)
    assert clf.classify(q, vec).scores == fewer.classify(q, vec).scores
