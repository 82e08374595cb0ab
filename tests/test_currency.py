"""Currency: a superseded notice ranks below its successor, an answer that cites it names the
successor (answer JSON `superseded`), and every answer JSON carries `as_of`."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pytest

from assistant.retrieve.currency import PENALTY, Successors
from assistant.values import DocMeta

OLD = """---
id: notice-inquiry-2023-04
kind: notice
title: 保険者によるJ-LIS照会の取扱い（2023年4月）
issuer: 厚生労働省
date: 2023-04-14
source: https://example.invalid/notice-2023-04
topics: [health_insurance, jlis_query]
---

## 照会の条件
保険者は、J-LISへの照会で得た番号を、氏名と生年月日の二つが一致すれば資格情報に登録してよい。
保険者は、照会の結果を登録する前に、本人へ番号を確かめる書面を送ることが望ましい。
"""

NEW = """---
id: notice-inquiry-2023-06
kind: notice
title: 保険者によるJ-LIS照会の取扱いの見直し（2023年6月）
issuer: 厚生労働省
date: 2023-06-01
source: https://example.invalid/notice-2023-06
topics: [health_insurance, jlis_query]
supersedes: notice-inquiry-2023-04
---

## 照会の条件
保険者は、J-LISへの照会で得た番号を、氏名・生年月日・性別・住所の四情報がすべて一致した場合に限り登録する。
"""

QUERY = "J-LISへの照会で得た番号は、氏名と生年月日の二つが一致すれば資格情報に登録してよいか"


@pytest.fixture
def fixture_corpus(tmp_path, fixture_corpus):
    """The fixture corpus plus an old notice and the notice that supersedes it (conftest's `briefing` indexes it)."""
    c = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, c)
    (c / "notice-inquiry-2023-04.md").write_text(OLD, encoding="utf-8")
    (c / "notice-inquiry-2023-06.md").write_text(NEW, encoding="utf-8")
    return c


def _meta(doc_id: str, day: int, supersedes: str | None = None) -> DocMeta:
    return DocMeta(id=doc_id, kind="notice", title=doc_id.upper(), issuer="国", date=dt.date(2024, 1, day),
                   source="https://example.invalid", supersedes=supersedes)


def test_successor_lines_are_followed_and_cycles_and_unknown_ids_ignored():
    s = Successors([_meta("a", 1), _meta("b", 2, "a"), _meta("c", 3, "b"), _meta("x", 4, "missing"),
                    _meta("p", 5, "q"), _meta("q", 6, "p")])
    assert [m.id for m in s.later("a")] == ["b", "c"] and s.later("c") == [] and s.later("x") == []
    assert [m.id for m in s.chain("b")] == ["a", "b", "c"]
    assert [m.id for m in s.later("p")] == ["q"]                 # a cycle ends instead of looping
    # two documents replace the same one: the newer counts
    assert Successors([_meta("a", 1), _meta("b", 2, "a"), _meta("d", 9, "a")]).later("a")[0].id == "d"


def test_demotion_puts_every_old_version_below_its_newer_ones():
    s = Successors([_meta("a", 1), _meta("b", 2, "a"), _meta("c", 3, "b"), _meta("z", 4)])
    docs = ["a", "a", "b", "c", "z"]
    out = s.demote(docs, np.array([0.9, 0.5, 0.8, 0.3, 0.95]))
    assert out[3] == 0.3 and out[4] == 0.95                      # current versions keep their scores
    assert out[2] < out[3] and max(out[0], out[1]) < out[2]      # a < b < c, whatever they scored
    alone = s.demote(["a", "z"], np.array([0.9, 0.5]))          # no newer version among the candidates
    assert alone[0] == pytest.approx(0.9 * (1 - PENALTY)) and alone[1] == 0.5
    assert Successors([_meta("z", 4)]).demote(["z"], np.array([0.4]))[0] == 0.4


def test_the_successor_ranks_first(briefing):
    hits = briefing.search(QUERY, k=5)
    ids = [h.chunk.doc_id for h in hits]
    assert ids[0] == "notice-inquiry-2023-06" and "notice-inquiry-2023-04" in ids
    # the rule is what puts it first: without it, the old notice (worded like the question) wins
    searcher = briefing.searcher
    kept, searcher.successors = searcher.successors, Successors([])
    try:
        assert searcher.search(QUERY, k=5)[0].chunk.doc_id == "notice-inquiry-2023-04"
    finally:
        searcher.successors = kept


def test_an_answer_citing_the_old_notice_names_its_successor(briefing):
    ans = briefing.ask("J-LIS照会の結果を登録する前に、本人へ番号を確かめる書面を送るべきか")
    cited = {c.doc_id: c.n for c in ans.citations}
    assert "notice-inquiry-2023-04" in cited, [c.doc_id for c in ans.citations]
    note = next(s for s in ans.superseded if s.doc_id == "notice-inquiry-2023-04")
    assert note.successor_id == "notice-inquiry-2023-06" and note.current_id == "notice-inquiry-2023-06"
    assert note.successor_title == "保険者によるJ-LIS照会の取扱いの見直し（2023年6月）"
    assert cited["notice-inquiry-2023-04"] in note.citations
    assert "notice-inquiry-2023-06" not in {s.doc_id for s in ans.superseded}
    from assistant.present.press import item_from_answer   # a press draft of this answer says so too
    assert "『保険者によるJ-LIS照会の取扱いの見直し（2023年6月）』" in item_from_answer("問", ans).answer.splitlines()[-1]


def test_answer_json_carries_superseded_and_as_of_on_every_line(fixture_corpus, tmp_path, capsys, monkeypatch):
    from assistant.present.cli import main
    store = str(tmp_path / "cli-store")
    assert main(["index", "--corpus", str(fixture_corpus), "--store", store, "-q"]) == 0
    capsys.readouterr()
    questions = ["J-LIS照会の結果を登録する前に、本人へ番号を確かめる書面を送るべきか",
                 "公金受取口座の誤登録は市の責任か", "今日の市役所の食堂の献立は何か"]
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--format", "jsonl", "--store", store]) == 0
    lines = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert [ln["question"] for ln in lines] == questions
    for ln in lines:
        assert "as_of" in ln and "superseded" in ln
        if ln["citations"]:
            assert ln["as_of"] == max(c["date"] for c in ln["citations"])
        # a note for each cited document that was replaced, and for no other
        cited = {c["doc_id"] for c in ln["citations"]}
        assert {s["doc_id"] for s in ln["superseded"]} == cited & {"notice-inquiry-2023-04"}
    assert [s["successor_id"] for s in lines[0]["superseded"]] == ["notice-inquiry-2023-06"]
    assert lines[1]["as_of"] and lines[2]["abstained"] and lines[2]["superseded"] == []
    assert main(["ask", questions[0], "--store", store]) == 0   # the text answer says it too
    assert "保険者によるJ-LIS照会の取扱いの見直し（2023年6月）』" in capsys.readouterr().out


def test_corpus_check_warns_about_a_supersedes_naming_no_document(fixture_corpus, tmp_path):
    from assistant.corpus_check import check_corpus
    assert not [w for w in check_corpus([fixture_corpus]).warnings if "supersedes" in w]
    (fixture_corpus / "notice-inquiry-2023-04.md").unlink()
    report = check_corpus([fixture_corpus])
    assert report.ok and [w for w in report.warnings if "supersedes" in w] == [
        f"{fixture_corpus / 'notice-inquiry-2023-06.md'}: field 'supersedes': no document with id "
        "'notice-inquiry-2023-04' in these folders"]
