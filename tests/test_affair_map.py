"""The responsibility map is built at index time from front matter, and a new incident document
adds a row — verdict, responsibility and cause — with no code change."""
import shutil

import pytest

from assistant.chunk import Chunker
from assistant.corpus_check import check_corpus
from assistant.errors import DocumentError
from assistant.index.affairs import ResponsibilityMap, build_map, quote_text
from assistant.load import load_corpus
from assistant.service import Briefing
from assistant.values import ACTOR_NAMES
from tests.conftest import FIXTURES

SYNTHETIC = FIXTURES / "synthetic"


def _map(*folders):
    docs = load_corpus(list(folders)).documents
    chunks = [c for d in docs for c in Chunker()(d)]
    return build_map(docs, chunks), {c.id: c for c in chunks}


def test_every_incident_is_a_row_and_every_cell_quotes_a_whole_sentence(fixture_corpus):
    amap, chunks = _map(fixture_corpus)
    assert {r.id for r in amap.rows} == {"fx-hoken", "fx-kokin", "fx-techo"}   # incidents without `affair:`
    kokin = amap.get("fx-kokin")
    assert [r.actor for r in kokin.roles] == ["prime_minister", "municipality"]
    assert kokin.city_share == "support" and kokin.cause == "mixed"       # derived from the roles
    assert amap.get("fx-hoken").city_share == "none"
    for row in amap.rows:
        for role in row.roles:
            for q in role.quotes:
                text = quote_text(q, chunks)
                assert text and text == chunks[q.chunk_id].text[q.start:q.end]
                assert any(n in text for n in ACTOR_NAMES[role.actor]), text   # the sentence names the party


def test_declared_rows_carry_basis_holder_and_figures_newest_official_first():
    amap, chunks = _map(SYNTHETIC)
    row = amap.get("kaigo")
    assert row.label == "介護保険の番号誤登録（架空）" and row.city_share == "own"
    assert row.primary.actor == "municipality" and row.primary.basis.startswith("介護保険法")
    assert row.holder().actor == "municipality"
    assert [(f.value, f.latest) for f in row.figures] == [("5件", True), ("3件", False), ("9件", False)]
    assert "転記の際に隣の行の番号を写した" in quote_text(row.mechanism[0], chunks)
    assert "突き合わせて確かめる" in quote_text(row.local_quotes[0], chunks)


def test_a_missing_evidence_phrase_names_the_file_and_field(tmp_path):
    bad = tmp_path / "corpus"
    shutil.copytree(SYNTHETIC, bad)
    doc = bad / "fx-kaigo-jikou.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("[9件とする報道もある]", "[どこにもない文言]"),
                   encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        _map(bad)
    assert err.value.field == "figures.evidence" and "どこにもない文言" in err.value.problem
    report = check_corpus([bad])
    assert not report.ok and any("fx-kaigo-jikou.md" in p and "figures.evidence" in p for p in report.problems)


def test_the_map_is_saved_with_the_index_and_read_back(briefing):
    saved = ResponsibilityMap.load(briefing.store.index_dir / "affairs.json")
    assert [r.id for r in saved.rows] == [r.id for r in briefing.store.affairs.rows]
    assert saved.get("fx-kokin").roles[0].quotes


@pytest.fixture
def with_synthetic(tmp_path, fixture_corpus):
    b = Briefing()
    b.index([fixture_corpus, SYNTHETIC], progress=False)
    yield b
    b.close()


def test_a_new_incident_document_answers_with_no_code_change(with_synthetic):
    ans = with_synthetic.ask("介護保険の番号の誤登録は市の責任なのか", audit=False)
    assert ans.affairs == ["kaigo"] and ans.verdict == "yes" and ans.summary.startswith("はい。")
    assert ans.responsibility[0].actor == "municipality" and ans.responsibility[0].citations
    assert ans.cause.type == "operational"
    why = with_synthetic.ask("介護保険の誤登録はなぜ起きたのか", audit=False)
    assert "運用" in why.summary and "隣の行の番号" in why.summary and why.responsibility[0].actor == "municipality"
    # who carries it, then how it came about: every step the front matter names, not only the first
    who = with_synthetic.ask("介護保険の誤登録は誰の責任か", audit=False)
    assert "隣の行の番号" in who.summary and "登録後の突合" in who.summary
    figures = with_synthetic.ask("介護保険の誤登録は何件あったのか", audit=False)
    first, *rest = figures.summary.split("。")
    assert "5件" in first and "最新" in first and "9件" not in first
    # the measure and its value read as one phrase, as the sources put it; when and who in brackets after
    assert first.startswith("架空の介護保険の誤登録は5件です（最新の")
    assert "報道による" in figures.summary and "公式発表ではありません" in figures.summary
    # about this city's own facts: nothing local in the sources, the national figure, and how the city
    # checks its own records — in the sentence the front matter names (affair.local_evidence)
    local = with_synthetic.ask("うちの市の介護保険でも番号の誤登録は何件あったのか", audit=False)
    assert local.coverage == "partial" and "申請書の原本と登録された番号を突き合わせて確かめる" in local.summary
    assert "5件" in local.summary


def test_a_conclusion_phrase_must_mark_a_sentence_of_its_own_document(tmp_path):
    bad = tmp_path / "corpus"
    shutil.copytree(SYNTHETIC, bad)
    doc = bad / "fx-kaigo-jikou.md"
    text = doc.read_text(encoding="utf-8")
    good = text.replace("\n---", '\nconclusions: ["転記の際に隣の行の番号を写した"]\n---', 1)
    doc.write_text(good, encoding="utf-8")
    _map(bad)   # a phrase of its own body: accepted
    doc.write_text(text.replace("\n---", '\nconclusions: ["どこにもない結論"]\n---', 1), encoding="utf-8")
    report = check_corpus([bad])
    assert not report.ok and any("fx-kaigo-jikou.md" in p and "conclusions" in p for p in report.problems)



def test_the_sentences_the_maps_cells_rest_on_are_known_for_support():
    from assistant.compose.support import cell_sentences
    from assistant.index.affairs import AffairRow, Quote, RoleRow
    role, cause = Quote(chunk_id="c1", start=0, end=10), Quote(chunk_id="c2", start=5, end=20)
    row = AffairRow(id="a", label="l", roles=[RoleRow(actor="prefecture", label="", quotes=[role])], cause_quotes=[cause])
    assert cell_sentences([row]) == {("c1", 0, 10), ("c2", 5, 20)}
    assert cell_sentences([]) == set()


def test_a_kokuho_kumiai_is_a_health_insurer_not_the_citys_own_kokuho():
    """中央建設国民健康保険組合 (the first case reported in 2023) contains 「国民健康保険」 but is a
    国保組合, a health insurer of its own: the corpus's terms send it to the health-insurance row,
    the longer term winning over the municipal 国保 row's 「国民健康保険」."""
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher
    from tests.conftest import ROOT
    amap, _ = _map(ROOT / "corpus")
    lex = ScopeMatcher(amap, SimpleNamespace(sentences=None), {}).lexical
    scores = lex("中央建設国民健康保険組合で起きた誤りは、誰の責任か")
    assert scores.get("health_insurance", 0) > 0 and not scores.get("kokuho")
    assert lex("市町村の国民健康保険で起きた誤りは、誰の責任か").get("kokuho", 0) > 0


def test_a_term_written_the_long_way_with_no_still_names_its_affair():
    """「公金の口座」「障害者の手帳」 are 公金口座 and 障害者手帳 said with の: the corpus's own terms, read
    before the normaliser rewrites them (公金口座 → 公金受取口座), name the affair all the same."""
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher, with_no
    from tests.conftest import ROOT
    assert with_no(["公金口座", "国保の保険者", "保険証"]) == ["公金口座", "公金の口座", "国保の保険者", "保険証"]
    amap, _ = _map(ROOT / "corpus")
    m = ScopeMatcher(amap, SimpleNamespace(sentences=None), {})
    q = "保険証、公金の口座、障害者の手帳。それぞれ誰の責任か一覧で示して。"
    assert {"health_insurance", "kokin_counter", "disability_certificate"} <= set(m._term_hits(q))
    assert "kokin_counter" not in m._term_hits("保険証の件は誰の責任か")   # の between no term's parts


def test_the_kinds_of_city_whose_share_differs_come_from_front_matter():
    """障害者手帳: a general city has no share, but 指定都市・中核市 issue some certificates themselves."""
    from pathlib import Path
    amap, _ = _map(Path(__file__).resolve().parents[1] / "corpus")
    techo = amap.get("disability_certificate")
    assert techo.city_share == "none" and techo.city_share_except == ["指定都市", "中核市"]
    assert amap.get("health_insurance").city_share_except == []
    reloaded = ResponsibilityMap.model_validate_json(amap.model_dump_json())
    assert reloaded.get("disability_certificate").city_share_except == ["指定都市", "中核市"]


def test_a_figure_is_told_in_the_sources_sentence_when_it_says_what_it_counts():
    """The source's own sentence, labelled latest / earlier / press-reported; a sentence built from the cell
    when the quote does not say what it counts (「2023年5月23日時点の累計は7,372件となった」)."""
    import datetime as dt

    from assistant.compose.verdict import _figure_sentence
    from assistant.index.affairs import FigureRow, Quote
    said = {"a": "- 中間報告によれば、健康保険の紐付け誤りは累計8,441件となった。", "b": "5月23日時点の累計は7,372件となった。",
            "c": "最終結果では、健康保険の紐付け誤りは1,142件と報じられた（報道等による）。"}
    text = lambda q: said[q.chunk_id]   # noqa: E731
    row = dict(measure="健康保険の紐付け誤り（累計）", as_of=dt.date(2023, 8, 8), issuer="総点検本部")
    latest = FigureRow(value="8,441件", status="interim", latest=True, quotes=[Quote(chunk_id="a", start=0, end=1)], **row)
    assert _figure_sentence(latest, text) == "中間報告によれば、健康保険の紐付け誤りは累計8,441件となった（最新の中間報告、総点検本部、2023年8月8日）。"
    earlier = FigureRow(value="7,372件", status="official", quotes=[Quote(chunk_id="b", start=0, end=1)], **row)
    assert _figure_sentence(earlier, text).startswith("それ以前の公式発表では7,372件でした")
    press = FigureRow(value="1,142件", status="reported", quotes=[Quote(chunk_id="c", start=0, end=1)], **row)
    assert _figure_sentence(press, text) == ("最終結果では、健康保険の紐付け誤りは1,142件と報じられた"
                                             "（2023年8月8日時点、報道による数字で公式発表ではありません）。")
    assert _figure_sentence(latest).startswith("健康保険の紐付け誤り（累計）は8,441件です（最新の")   # no text to read


NENKIN_DOC = """---
id: fx-nenkin-kikin
kind: incident
title: 架空の年金基金の番号誤登録（テスト用）
issuer: テスト
date: 2024-03-01
source: https://example.invalid/nenkin
topics: [responsibility]
affair:
  id: nenkin
  label: 年金基金の番号誤登録（架空）
  terms: [年金基金]
  city_share: none
  city_share_evidence: [市区町村は基金の加入者記録を保有しておらず]
  local_evidence: [加入している基金に確認するよう案内する]
actors: [health_insurer]
roles:
  - actor: health_insurer
    role: 個人番号利用事務実施者
    scope: 基金の加入者記録への番号の登録
    holds: both
    evidence: [番号を登録したのは基金である]
cause: operational
figures:
  - measure: 架空の年金基金の誤登録
    value: 7件
    as_of: 2024-02-28
    issuer: テスト基金
    status: official
    evidence: [2024年2月28日の発表では7件]
---

## 概要
この架空の事案では、年金基金の加入者記録に別人の個人番号が登録された。番号を登録したのは基金である。
市区町村は基金の加入者記録を保有しておらず、誤りがあるかを確かめる立場にもない。
住民から相談を受けた市は、加入している基金に確認するよう案内するとよい。

## 数字
- 2024年2月28日の発表では7件の誤登録が確認された。
"""


def test_a_local_count_of_an_affair_the_city_does_not_carry_says_why_the_city_has_none(tmp_path, fixture_corpus):
    folder = tmp_path / "nenkin"
    folder.mkdir()
    (folder / "fx-nenkin-kikin.md").write_text(NENKIN_DOC, encoding="utf-8")
    b = Briefing()
    b.index([fixture_corpus, folder], progress=False)
    try:
        local = b.ask("うちの市の住民で、年金基金の番号の誤登録は何件あったのか", audit=False)
        assert local.coverage == "partial" and "7件" in local.summary
        # who holds the records, then the sources' sentence on why the city has no figure of its own
        assert "市区町村は基金の加入者記録を保有しておらず" in local.summary
        assert local.summary.index("医療保険者にある") < local.summary.index("保有しておらず")
    finally:
        b.close()
