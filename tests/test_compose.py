import re
from contextlib import contextmanager
from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.compose.extractive import NO_LOCAL_DATA, ExtractiveComposer
from assistant.compose.llm import LLMComposer, parse_generated
from assistant.compose.verdict import VERDICT_WORDS
from assistant.service import Briefing
from assistant.settings import get_settings
from assistant.values import ACTOR_NAMES
from tests.conftest import FIXTURES

MARKER = re.compile(r" \[\d+(?:, \d+)*\]$")
VERDICTS = tuple(VERDICT_WORDS.values())


def _unprefixed(text: str) -> str:
    return next((text[len(v):] for v in VERDICTS if text.startswith(v)), text)


def test_every_sentence_rests_on_a_cited_passage(briefing):
    ans = briefing.ask("公金受取口座の誤登録は市の責任か")
    assert not ans.abstained and ans.citations
    by_n = {c.n: c for c in ans.citations}
    texts = [c.text for c in briefing.store.chunks.values()]
    for c in ans.citations:
        assert any(c.quote in t for t in texts)          # every quote is verbatim in the store
    for sec in ans.sections:
        for s in sec.sentences:
            assert s.citations, s.text
            quotes = [by_n[n].quote for n in s.citations]
            if any(_unprefixed(s.text) in q for q in quotes):
                continue                                  # quoted as it stands
            # composed from the map: every party it names is named by a passage it cites
            named = [a for a, names in ACTOR_NAMES.items() if any(n in s.text for n in names)]
            assert named, s.text
            for a in named:
                assert any(n in q for q in quotes for n in ACTOR_NAMES[a]), (s.text, a)
    body = [ln for ln in ans.answer.splitlines() if ln and not ln.startswith(("###", "["))]
    assert body and all(MARKER.search(ln) for ln in body)


def test_a_yes_no_question_gets_the_verdict_first_from_the_map(briefing):
    ans = briefing.ask("公金受取口座の誤登録は市の責任なのか")
    assert ans.summary.startswith("一部です。") and ans.verdict == "partial" and ans.verdict_basis == "map"
    assert [r.actor for r in ans.responsibility][:2] == ["prime_minister", "municipality"]
    assert ans.responsibility[0].role == "個人番号利用事務実施者" and ans.responsibility[1].scope == "窓口での登録支援"
    assert all(r.citations for r in ans.responsibility)
    assert ans.cause.type == "mixed" and re.search(r"\[\d+\]$", ans.cause.explanation)
    assert briefing.ask("保険証の紐付け誤りは市の責任なのか").summary.startswith("いいえ。")
    assert briefing.ask("障害者手帳の紐付け誤りは都道府県の責任なのか").summary.startswith("はい。")


def test_a_who_question_names_the_party_its_role_and_the_citys_share(briefing):
    ans = briefing.ask("保険証の紐付け誤りは誰の責任か")
    assert ans.verdict is None and not ans.summary.startswith(VERDICTS)
    assert "医療保険者" in ans.summary and "個人番号利用事務実施者" in ans.summary
    assert "市区町村" in ans.summary                    # the city's share, stated
    assert ans.responsibility[0].actor == "health_insurer"
    assert briefing.ask("障害者手帳の紐付け誤りは誰の責任か").responsibility[0].actor == "prefecture"


def test_a_why_question_names_the_cause_and_its_mechanism(briefing):
    ans = briefing.ask("公金受取口座の誤登録はなぜ起きたのか")
    assert "複合" in ans.summary and "ログアウト" in ans.summary
    assert ans.cause.type == "mixed" and ans.responsibility[0].actor == "prime_minister"


def test_no_responsibility_for_a_question_about_no_affair(briefing):
    ans = briefing.ask("番号法第14条は何を定めているか")
    assert ans.responsibility == [] and ans.cause.type == "none" and ans.affairs == []
    assert ans.citations[0].doc_id == "fx-bango-14"


def test_out_of_scope_questions_are_declined(briefing):
    ans = briefing.ask("ふるさと納税の返礼品の上限はいくらか")
    assert ans.abstained and ans.coverage == "none" and ans.citations == [] and ans.responsibility == []
    assert "見つかりませんでした" in ans.answer


def test_a_question_about_the_citys_own_data_is_partial(briefing):
    ans = briefing.ask("うちの市では公金受取口座の誤登録が何件あったのか")
    assert ans.coverage == "partial" and ans.summary.startswith(NO_LOCAL_DATA)
    assert "内閣総理大臣" in ans.summary                 # where the local figure would come from
    assert not ans.abstained and ans.responsibility[0].actor == "prime_minister"


def test_whether_something_happened_in_this_city_is_partial_but_whose_fault_it_is_is_not(briefing):
    happened = briefing.ask("本市の窓口でも、公金受取口座の誤登録は起きていたのですか")
    assert happened.coverage == "partial" and happened.summary.startswith(NO_LOCAL_DATA)
    fault = briefing.ask("公金受取口座の誤登録は本市の責任なのですか")
    assert fault.coverage == "full" and fault.verdict is not None


def test_sources_list_one_entry_per_document(briefing):
    ans = briefing.ask("公金受取口座の誤登録はなぜ起きたのか、市の責任はどこまでか")
    listed = ans.answer.split("### 出典")[1].strip().splitlines()
    assert len(listed) == len({c.doc_id for c in ans.citations})


def test_a_four_turn_conversation_keeps_the_affair_and_never_repeats_itself(briefing):
    turns = ["保険証の紐付け誤りは誰の責任か", "では市の責任は全くないのですか", "障害者手帳の場合は？", "公金受取口座は？"]
    answers = [briefing.ask(q, history=turns[:i]) for i, q in enumerate(turns)]
    assert [a.affairs for a in answers] == [["fx-hoken"], ["fx-hoken"], ["fx-techo"], ["fx-kokin"]]
    # 「全くないのか」 of 公金受取口座, where the city took on the counter support: いいえ, not none at all
    assert [a.verdict for a in answers] == [None, "yes", "yes", "no"]
    assert [a.responsibility[0].actor for a in answers] == ["health_insurer", "health_insurer", "prefecture",
                                                            "prime_minister"]
    for before, after in zip(answers, answers[1:]):
        assert after.summary != before.summary
        assert "followup" in after.intents


def test_a_follow_up_carries_the_earlier_turn_and_a_first_question_does_not(briefing):
    alone = briefing.ask("では市の責任は？")
    follow = briefing.ask("では市の責任は？", history=["公金受取口座の誤登録は何が原因か"])
    assert alone.retrieval_query == "では市の責任は？" and "followup" not in alone.intents
    assert follow.retrieval_query.startswith("公金受取口座の誤登録は何が原因か") and follow.affairs == ["fx-kokin"]


def test_in_a_conversation_the_affair_stays_while_the_question_bears_on_it(briefing, monkeypatch):
    from assistant.compose.scope import Scope
    first = ["障害者手帳の紐付け誤りは誰の責任か"]
    q = "なるほど。住民からの問い合わせにはどう答えればいいですか。"   # names no affair, not worded as a follow-up
    real, bears = briefing.composer.scope.match, {"fx-techo": 0.0}

    def match(question, *args, **kwargs):   # the question's own reading: no affair, this much on 障害者手帳
        scope = real(question, *args, **kwargs)
        return Scope("none", [], {**scope.scores, **bears}) if question == q else scope
    monkeypatch.setattr(briefing.composer.scope, "match", match)
    assert briefing.ask(q).affairs == []
    bears["fx-techo"] = briefing.composer.params.inherit_min + 0.1
    kept = briefing.ask(q, history=first)
    assert kept.affairs == ["fx-techo"] and kept.responsibility[0].actor == "prefecture"
    bears["fx-techo"] = briefing.composer.params.inherit_min - 0.1   # a question that no longer bears on it
    assert briefing.ask(q, history=first).affairs == [] and not briefing.ask(q, history=first).responsibility
    assert briefing.ask("公金受取口座の場合はどう答えればいいですか。", history=first).affairs == ["fx-kokin"]
    # read as about the errors as a whole only by its likeness to such questions, it stays too
    general = lambda question, *args, **kwargs: (   # noqa: E731
        Scope("general", briefing.composer.scope.affair_rows(), {**real(question, *args, **kwargs).scores, **bears})
        if question == q else real(question, *args, **kwargs))
    monkeypatch.setattr(briefing.composer.scope, "match", general)
    bears["fx-techo"] = briefing.composer.params.inherit_min + 0.1
    assert briefing.ask(q, history=first).affairs == ["fx-techo"]
    bears["fx-techo"] = briefing.composer.params.inherit_min - 0.1
    assert briefing.ask(q, history=first).affairs != ["fx-techo"]


def test_a_short_question_on_something_else_is_not_taken_as_a_follow_up(briefing, monkeypatch):
    from assistant.compose.scope import Scope
    first = ["障害者手帳の紐付け誤りは誰の責任か"]
    q = "ふるさと納税は？"   # short, so a follow-up by its length alone; no source speaks of it
    real, bears = briefing.composer.scope.match, {"fx-techo": 0.0}

    def match(question, *args, **kwargs):   # the question read on its own: this much on 障害者手帳
        scope = real(question, *args, **kwargs)
        return Scope("none", [], {**scope.scores, **bears}) if question == q else scope
    monkeypatch.setattr(briefing.composer.scope, "match", match)
    moved = briefing.ask(q, history=first)
    assert moved.affairs == [] and not moved.responsibility and "followup" not in moved.intents
    bears["fx-techo"] = briefing.composer.params.inherit_min + 0.1   # read alone it still bears on 障害者手帳
    assert "followup" in briefing.ask(q, history=first).intents
    # … unless what it finds, read on its own, is none of 障害者手帳's documents
    real_search = briefing.composer.searcher.search

    def search(query, *args, **kwargs):
        hits = real_search(query, *args, **kwargs)
        return [h for h in hits if h.chunk.doc_id != "fx-techo"] if query == q else hits
    monkeypatch.setattr(briefing.composer.searcher, "search", search)
    assert "followup" not in briefing.ask(q, history=first).intents
    # … and, read on its own, it is not put back on 障害者手帳 by its score for that row
    turn = briefing.composer.understand(q, briefing.composer._previous(first, None), None)
    assert [r.id for r in turn.scope.rows] != ["fx-techo"]
    monkeypatch.setattr(briefing.composer.searcher, "search", real_search)
    bears["fx-techo"] = 0.0
    # worded to lean on the answer before, or only asking again (「原因は？」), it stays a follow-up
    assert "followup" in briefing.ask("では、ふるさと納税は？", history=first).intents
    assert briefing.ask("原因は？", history=first).affairs == ["fx-techo"]


def test_my_number_in_a_question_is_masked_in_the_answer(briefing):
    ans = briefing.ask("番号123456789018の人の保険証の紐付け誤りは誰の責任か")
    assert "123456789018" not in ans.model_dump_json()


def test_basis_questions_lead_with_the_basis(briefing):
    headings = [s.heading for s in briefing.ask("番号法第14条の法的な根拠は何か").sections]
    assert headings[0] == "結論"
    if "根拠（法令・通知）" in headings:
        assert headings.index("根拠（法令・通知）") == 1


def test_every_answer_carries_its_as_of_date(briefing):
    ans = briefing.ask("公金受取口座の誤登録は市の責任か")
    assert ans.as_of == max(c.date for c in ans.citations)


# ---- optional LLM behind the faithfulness gate
def _llm(briefing, replies):
    return LLMComposer(ExtractiveComposer(briefing.searcher, get_settings()), FakeListChatModel(responses=replies))


def test_inventing_llm_claim_never_reaches_the_answer(briefing):
    reply = ("公金受取口座の登録事務の個人番号利用事務実施者は内閣総理大臣である [1]。"
             "市区町村は窓口で登録の支援を引き受けた [1]。"
             "マイナンバーカードのICチップに製造上の欠陥があり、全国で三百万件が誤って登録された [1]。"
             "共用端末でログアウトを忘れたため、次の利用者の口座が前の利用者の記録に登録された [2]。")
    ans = _llm(briefing, [reply]).ask("公金受取口座の誤登録は市の責任か")
    assert "ICチップ" not in ans.answer and "三百万" not in ans.answer and "ICチップ" not in ans.summary
    assert ans.composer.startswith("llm") and "dropped 1" in ans.composer
    assert ans.responsibility[0].actor == "prime_minister"  # never from the LLM
    assert ans.summary.startswith("一部です。")              # the verdict stays the map's


def test_llm_output_with_too_little_support_falls_back_to_extractive(briefing):
    reply = "すべては市のシステム会社の責任である [1]。市長は辞任すべきである [2]。"
    composer = _llm(briefing, [reply])
    ans = composer.ask("公金受取口座の誤登録は市の責任か")
    assert ans.composer.startswith("extractive") and "辞任" not in ans.answer
    assert ans.answer == composer.base.ask("公金受取口座の誤登録は市の責任か").answer


def test_llm_sentences_without_markers_are_dropped(briefing):
    reply = ("公金受取口座の登録事務の個人番号利用事務実施者は内閣総理大臣である。"
             "市区町村は窓口で登録の支援を引き受けた [1]。共用端末でログアウトを忘れた [2]。")
    ans = _llm(briefing, [reply]).ask("公金受取口座の誤登録は市の責任か")
    assert "内閣総理大臣である [" not in ans.answer


def test_parse_generated_attaches_leading_markers_to_the_previous_sentence():
    parsed = parse_generated("第一の文である。[1] 第二の文である［2、3］。")
    assert parsed == [("第一の文である。", [1]), ("第二の文である。", [2, 3])]


@pytest.fixture
def cross_affair(fixture_corpus):
    b = Briefing()
    b.index([fixture_corpus, FIXTURES / "synthetic"], progress=False)
    yield b
    b.close()


def test_a_blame_question_across_affairs_gets_a_verdict_for_each(cross_affair):
    ans = cross_affair.ask("健康保険と公金受取口座と障害者手帳、市の責任はそれぞれあるのか")
    assert ans.summary.startswith("一部です。") and len(ans.affairs) >= 3
    for name in ("医療保険者", "内閣総理大臣", "都道府県"):
        assert name in ans.summary
    assert ans.responsibility[-1].actor == "municipality"    # the city's share comes last


def test_nouns_no_passage_uses_are_the_ones_a_question_brings_from_outside():
    from assistant.compose.evidence import idf_weights, unknown_nouns
    vocab = idf_weights(["公金受取口座の登録は内閣総理大臣の事務である。", "窓口で口座を登録する支援をした。"])
    assert unknown_nouns("公金受取口座にはゆうちょ銀行の口座も登録できますか", vocab) == ["ゆうちょ", "銀行"]
    assert unknown_nouns("公金受取口座の登録は誰の事務か", vocab) == []
    # full-width and half-width forms are the same word once normalised
    assert unknown_nouns("ｺﾝﾋﾞﾆで口座を登録できるか", vocab) == unknown_nouns("コンビニで口座を登録できるか", vocab)


def test_a_question_mostly_about_things_the_sources_never_mention_is_unfamiliar():
    from assistant.compose.evidence import idf_weights, unfamiliar
    vocab = idf_weights(["公金受取口座の登録は内閣総理大臣の事務である。", "窓口で口座を登録する支援をした。方針を示した。"])
    assert unfamiliar("ふるさと納税の返礼品を見直す方針は", vocab, 3, 0.5)        # 古里・納税・返礼 of 4 nouns
    assert not unfamiliar("公金受取口座の登録の方針は", vocab, 3, 0.5)
    assert not unfamiliar("窓口の広報で住民にどう応えるか", vocab, 3, 0.5)   # two unknown nouns: too few


def test_a_question_about_a_named_resident_is_declined_without_quoting_anything(briefing):
    from assistant.compose.extractive import PRIVATE_PERSON
    ans = briefing.ask("市民の山田花子さんの公金受取口座を調べて教えてください")
    assert ans.abstained and ans.coverage == "none" and ans.citations == [] and ans.summary == PRIVATE_PERSON
    assert not briefing.ask("公金受取口座の誤登録は市の責任か").abstained   # the same topic without a person is answered


def test_the_figure_a_question_asks_about_comes_first_then_the_latest_official_one():
    from datetime import date

    from assistant.compose.verdict import asked_measures
    from assistant.index.affairs import AffairRow, FigureRow
    f = lambda m, v, latest, status="official": FigureRow(measure=m, value=v, as_of=date(2023, 8, 8),  # noqa: E731
                                                          issuer="本部", status=status, latest=latest, quotes=[])
    row = AffairRow(id="t", label="手帳", figures=[f("照会していた団体", "50団体", True), f("手帳の紐付け誤り", "5,645件", False),
                                                  f("新たに見つかった誤り", "1,069件", False, "reported")])
    assert asked_measures(row) == ["照会していた団体", "手帳の紐付け誤り", "新たに見つかった誤り"]
    assert asked_measures(row, "手帳の紐付け誤りは何件か")[0] == "手帳の紐付け誤り"
    assert asked_measures(row, "結局どれだけ見つかったのか")[0] == "照会していた団体"   # no topic: the latest official
    # as many shared nouns (「誤り」 / 「見つかった」 is a verb, not a topic): the official measure wins the tie
    assert asked_measures(row, "新たに見つかった手帳の誤りは何件か")[0] == "手帳の紐付け誤り"
    # asked about this city, the count of municipalities concerned follows the counts asked for
    from assistant.compose.verdict import figures
    from assistant.index.affairs import Quote
    q = [Quote(chunk_id="c", start=0, end=1)]
    row = AffairRow(id="o", label="総点検", figures=[
        f("確認された紐付け誤り", "8,351件", True), f("紐付け誤りの合計", "8,395件", True, "reported"),
        f("誤りに関わる機関", "332自治体", True), f("点検した機関", "2,000機関", True)])
    for x in row.figures:
        x.quotes = q
    asked = "本市では紐付け誤りが何件あったのか"
    assert [c.text[:6] for c in figures(row, limit=1, question=asked)] == ["確認された紐", "紐付け誤りの"]
    local = [c.text for c in figures(row, limit=1, question=asked, local=True)]
    assert len(local) == 3 and "332自治体" in local[2]


def test_once_the_affair_is_known_its_own_terms_do_not_decide_which_sentences_support_the_answer():
    import datetime as dt

    from assistant.compose.evidence import Candidate, _tokens, content_tokens, overlap
    from assistant.values import Chunk, DocMeta, Hit
    meta = DocMeta(id="d", kind="analysis", title="t", issuer="i", date=dt.date(2024, 1, 1), source="https://x")

    def cand(text: str) -> Candidate:
        chunk = Chunk(id=text[:4], doc_id="d", text=text, heading_path=(), meta=meta)
        return Candidate(text, 0, Hit(chunk=chunk, score=1.0), 0, len(text), _tokens(text))
    about = cand("公金受取口座の登録は公金受取口座登録法に基づく。")
    answers = cand("国より先に市が謝罪することは、委託元が謝らないのと似ている。")
    q = "公金受取口座の件で、国より先に市が謝罪すべきか"
    overlap([about, answers], q, {}, settled=frozenset())
    assert about.overlap > 0
    overlap([about, answers], q, {}, settled=content_tokens("公金受取口座"))
    assert about.overlap == 0 and answers.overlap > 0.5


def test_who_acts_for_the_city_is_answered_in_full_but_how_many_it_had_is_partial(briefing):
    who = briefing.ask("本市の窓口で公金受取口座の誤登録が見つかったら、その登録事務の責任は誰が負うのか")
    assert who.coverage == "full" and not who.summary.startswith(NO_LOCAL_DATA)
    count = briefing.ask("本市の窓口で公金受取口座の誤登録は何件見つかったのか")
    assert count.coverage == "partial" and count.summary.startswith(NO_LOCAL_DATA)


def test_a_what_about_follow_up_asks_the_earlier_question_again(briefing):
    turns = ["保険証の紐付け誤りは誰の責任か", "公金受取口座のほうはどうか"]
    second = briefing.ask(turns[1], history=turns[:1])
    assert second.intents[0] == "who" and second.responsibility[0].actor == "prime_minister"
    assert "の責任は" in second.summary and "内閣総理大臣" in second.summary   # the who-answer, composed from the map
    third = briefing.ask("障害者手帳だと？", history=turns)
    assert third.intents[0] == "who" and third.responsibility[0].actor == "prefecture"


def test_whether_another_affair_gets_the_same_answer_is_judged_from_the_map(briefing):
    first = ["障害者手帳の紐付け誤りは誰の責任か"]
    other = briefing.ask("健康保険の紐付け誤りも同じなんですか", history=first)   # 都道府県 vs 医療保険者
    assert other.verdict == "no" and other.summary.startswith("いいえ。")
    assert other.responsibility[0].actor == "health_insurer"
    differs = briefing.ask("健康保険の紐付け誤りは違うんですか", history=first)   # whether it differs: it does
    assert differs.verdict == "yes" and differs.summary.startswith("はい。")
    asked_why = ["障害者手帳の紐付け誤りはなぜ起きたのか"]
    cause = briefing.ask("健康保険の紐付け誤りも同じなんですか", history=asked_why)   # both operational
    assert cause.verdict == "yes" and cause.summary.startswith("はい。")


def test_a_question_with_a_local_part_is_partial_and_still_says_who(briefing):
    mixed = briefing.ask("公金受取口座の登録事務の責任は誰が負うのか。また、本市の窓口で誤登録は見つかったのか。")
    assert mixed.coverage == "partial" and mixed.summary.startswith(NO_LOCAL_DATA)
    assert "内閣総理大臣" in mixed.summary and mixed.responsibility[0].actor == "prime_minister"
    single = briefing.ask("公金受取口座の登録事務の責任は誰が負うのか。また、窓口ではどう防ぐべきか。")
    assert single.coverage == "full"


def test_a_local_count_of_an_affair_the_city_does_not_carry_says_who_does(briefing):
    """「本市の住民で…何人いるのか」 of an affair another party carries: the count is theirs because the
    affair is theirs, so the answer says who carries it before where to ask."""
    ans = briefing.ask("本市の住民で、健康保険の紐付け誤りに巻き込まれた人は何人いるのか。")
    assert ans.coverage == "partial" and ans.summary.startswith(NO_LOCAL_DATA)
    carried = ans.summary.find("の責任は")
    assert carried > 0 and "医療保険者" in ans.summary[carried:ans.summary.find("。", carried)]
    assert carried < ans.summary.find("に確かめる必要があります")
    who = briefing.ask("健康保険の紐付け誤りは誰の責任か。あわせて、本市の住民で該当した人は何人いるのか。")
    said = [s for s in re.split(r"(?<=。)", who.summary) if s]
    assert who.coverage == "partial" and len(said) == len(set(said))   # who carries it, said once
    national = briefing.ask("健康保険の紐付け誤りは全国で何件か。")
    assert "の責任は" not in national.summary          # a national count is not answered with the carrier


def test_a_why_beside_a_local_count_still_gives_the_cause(briefing):
    """「なぜ起きたのか。あわせて、本市で該当した人は何人か」: the count is this city's, the why is not."""
    ans = briefing.ask("健康保険の紐付け誤りはなぜ起きたのか。あわせて、本市の住民で該当した人は何人いるのか。")
    assert ans.coverage == "partial" and ans.intents[0] == "why"
    assert "運用の問題" in ans.summary and "J-LISに照会" in ans.summary


def test_each_sub_question_of_a_council_question_is_answered_in_the_summary(briefing):
    q = "健康保険の紐付け誤りについて伺う。第一に、その責任は誰にあるのか。第二に、なぜそのような誤りが起きたのか。"
    ans = briefing.ask(q)
    assert ans.intents[0] == "who" and "医療保険者" in ans.summary
    assert "運用の問題" in ans.summary and "J-LISに照会" in ans.summary   # the second part's answer: cause and mechanism
    briefing.composer.params = replace(briefing.composer.params, further_parts=0)
    assert "運用の問題" not in briefing.ask(q).summary


def test_a_local_yes_no_that_asks_leave_to_conclude_is_answered_in_part(briefing):
    """「…なかった、と言えるのか」 asks whether a conclusion may be drawn: in part (一部) — the
    sources speak to it nationally, this city's records are not in them. 「…起きていたのか」 asks a
    fact of this city the sources cannot settle either way: no verdict."""
    may = briefing.ask("本市の窓口で公金受取口座の誤登録はなかった、と言えるのか。")
    assert may.coverage == "partial" and may.verdict == "partial"
    assert may.summary.startswith("一部です。" + NO_LOCAL_DATA)
    fact = briefing.ask("本市の窓口でも、公金受取口座の誤登録は起きていたのか。")
    assert fact.coverage == "partial" and fact.verdict is None and fact.summary.startswith(NO_LOCAL_DATA)


def test_a_conclusion_put_for_approval_is_this_citys_fact_only_as_the_examples_read_it(briefing, monkeypatch):
    """「本市は…登録事務そのものを委託されたと理解してよいのか」 names the city but puts a claim about its
    legal role, which the sources settle: it is this city's own fact only when the learned reading says so."""
    from dataclasses import replace
    c = briefing.composer
    q = "本市は公金受取口座の登録事務そのものを国から委託されたと理解してよいのか。"
    learned = c.classifier.classify
    for local, coverage in ((False, "full"), (True, "partial")):
        monkeypatch.setattr(c.classifier, "classify", lambda *a, local=local: replace(learned(*a), ask="basis", yesno=True, local=local))
        ans = briefing.ask(q)
        assert ans.coverage == coverage and ans.summary.startswith(NO_LOCAL_DATA, 5) is local, local
        assert ans.verdict is not None


def test_what_the_city_should_do_if_it_happened_here_is_advice_not_this_citys_facts(briefing):
    """「もしうちの窓口で見つかったら、市が先に謝るべきか」 names the city, but what to say or do is the
    same in every city: the sources answer it in full."""
    ans = briefing.ask("もしうちの窓口で公金受取口座の誤登録が見つかったら、国より先に市が謝るべきでしょうか。")
    assert ans.coverage == "full" and not ans.summary.startswith(NO_LOCAL_DATA)


def test_the_words_of_the_parties_and_of_labelled_questions_are_not_unfamiliar(briefing):
    vocab = briefing.composer.vocabulary
    assert "役所" in vocab and "見解" in vocab    # 「市役所」 names the city; 「見解を伺う」 is how council asks
    assert "返礼" not in vocab


def test_a_rate_about_the_city_that_no_source_states_is_declined_but_a_count_is_partial(briefing):
    rate = briefing.ask("来年度末までに本市の公金受取口座の登録率は何パーセントになると見込まれるか")
    assert rate.abstained and rate.coverage == "none"
    count = briefing.ask("本市の窓口で公金受取口座の誤登録は何件あったのか")
    assert count.coverage == "partial" and not count.abstained
    # when the city's linkage stopped: a document of the affair gives the national date (even one no
    # sentence close to the question states), so in part
    briefing.composer.params = replace(briefing.composer.params, answer_type_window=0)
    when = briefing.ask("本市の障害者手帳の情報連携はいつから止まっているのか")
    assert when.coverage == "partial" and not when.abstained


OVERVIEW_DOC = """---
id: fx-overview
kind: incident
title: 紐付け誤りの一斉点検の結果（架空・テスト用）
issuer: テスト本部
date: 2024-03-01
source: https://example.invalid/overview
topics: [total_inspection]
actors: [national_government]
affair:
  id: fx_overview
  label: 一斉点検の結果（架空）
  terms: [一斉点検, 点検本部]
  overview: true
  mechanism_evidence: [不完全な情報で照会したことに由来する]
roles:
  - actor: national_government
    role: 一斉点検の実施主体
    scope: 点検の指示と結果の公表
    evidence: [点検の結果の公表の責任は国にある]
figures:
  - measure: 一斉点検で確認された紐付け誤り
    value: 4,321件
    as_of: 2024-03-01
    issuer: テスト本部
    status: official
    evidence: ["一斉点検で確認された紐付け誤りは4,321件であった"]
cause: operational
---

## 概要
一斉点検で確認された紐付け誤りは4,321件であった。
誤りの多くは、不完全な情報で照会したことに由来する。
点検の結果の公表の責任は国にある。
"""


@contextmanager
def indexed_with(fixture_corpus, tmp_path, doc: str, name: str = "fx-overview"):
    """A Briefing over the fixture corpus plus one more document, closed afterwards."""
    (tmp_path / f"{name}.md").write_text(doc, encoding="utf-8")
    b = Briefing()
    try:
        b.index([fixture_corpus, tmp_path], progress=False)
        yield b
    finally:
        b.close()


def test_a_local_count_of_the_errors_as_a_whole_gives_the_overviews_figure(fixture_corpus, tmp_path):
    with indexed_with(fixture_corpus, tmp_path, OVERVIEW_DOC) as b:
        ans = b.ask("一斉点検で、本市が関わる紐付け誤りは何件見つかったのか")
        assert ans.coverage == "partial" and ans.summary.startswith(NO_LOCAL_DATA)
        assert "4,321件" in ans.summary               # the figure of the errors as a whole, not one affair's


def test_a_count_the_map_holds_for_the_named_affair_is_answered_though_no_close_sentence_states_it(
        fixture_corpus, tmp_path):
    from dataclasses import replace as with_
    doc = (OVERVIEW_DOC.replace("fx-overview", "fx-counts").replace("fx_overview", "fx_counts")
           .replace("  overview: true\n", "").replace("一斉点検の結果（架空）", "架空手当の誤登録")
           .replace("[一斉点検, 点検本部]", "[架空手当]"))
    with indexed_with(fixture_corpus, tmp_path, doc, "fx-counts") as b:
        b.composer.params = with_(b.composer.params, answer_type_window=0)   # no sentence is close enough
        ans = b.ask("架空手当の誤登録は何件か")
        assert not ans.abstained and "4,321件" in ans.summary    # the map's figure for the named affair
        assert b.ask("障害者手帳の誤登録は何件か").abstained      # no figure in the map for that one


def test_a_when_question_is_answered_by_the_sentence_that_states_the_date(fixture_corpus, tmp_path):
    doc = OVERVIEW_DOC.replace("点検の結果の公表の責任は国にある。\n",
                               "点検の結果の公表の責任は国にある。\n一斉点検の結果は2024年3月1日に公表された。\n")
    with indexed_with(fixture_corpus, tmp_path, doc) as b:
        ans = b.ask("一斉点検で確認された紐付け誤りの結果は、いつ公表されたのか")
        assert ans.summary.startswith("一斉点検の結果は2024年3月1日に公表された")   # not the map's count
        assert "4,321件" in b.ask("一斉点検で確認された紐付け誤りは何件か").summary


def test_what_to_say_when_the_city_is_blamed_in_general_names_who_carries_each_affair(briefing):
    ans = briefing.ask("健康保険や公金受取口座や障害者手帳の件で「市のミスだろう」と詰められたら、どう返せばいいか")
    assert len(re.findall(r"の責任は[^。]+にある（", ans.summary)) >= 2   # one sentence per affair, with the city's share
    assert "（市区町村ではない）" in ans.summary or "の範囲のみ" in ans.summary


def test_a_yes_no_on_fault_beside_a_local_count_keeps_its_verdict_first(briefing):
    from assistant.evaluate.metrics import read_verdict
    ans = briefing.ask("公金受取口座の誤登録は本市の責任なのか。あわせて、本市の窓口で誤登録は何件見つかったのか。")
    assert ans.coverage == "partial" and NO_LOCAL_DATA in ans.summary
    assert ans.verdict == "partial" and read_verdict(ans.summary) == "partial"   # 一部です。 opens the summary


def test_a_council_question_about_this_city_also_answers_its_parts_not_about_the_city(briefing):
    q = "障害者手帳について伺う。(1) 本市で手帳の紐付け誤りは何件あったのか。(2) 責任は誰にあるのか。(3) 誤りはなぜ起きたのか。"
    ans = briefing.ask(q)
    assert ans.coverage == "partial" and ans.summary.startswith(NO_LOCAL_DATA)
    # the parts not about the city are answered too, whichever of them the summary led with: why and who
    assert "生年月日だけでJ-LISに照会" in ans.summary
    assert re.search(r"責任は、?[^。]*都道府県にあ(る|ります)", ans.summary)   # the sources' sentence or the cell's


def test_a_council_question_wanting_nothing_in_particular_is_led_by_its_first_part_that_asks(briefing):
    q = ("障害者手帳の問題について伺う。(1) 紐付け誤りはなぜ起きたのか。(2) 手帳に番号が入っているのか。"
         "(3) 市民から相談があった場合、市はどのように案内するのか。")
    assert briefing.composer._leading_ask(q, "what") == "why"
    assert briefing.composer._leading_ask("手帳に番号が入っているのか。", "what") == "what"   # one part: as classified


def test_a_who_reading_that_asks_for_no_party_names_none_and_blames_none_gives_way(briefing, monkeypatch):
    from assistant.compose.question import QuestionType
    composer = briefing.composer
    learned = QuestionType(ask="who", yesno=True, scores={"who": 0.4, "why": 0.35, "what": 0.25})
    monkeypatch.setattr(composer.classifier, "classify", lambda q, v: learned)
    assert composer.understand("これまでの給付も間違っていた可能性があるのか", None, None).ask == "why"
    # a party named, a fault spoken of, or 誰 asked: the who reading stands
    for q in ("県が間違っていた可能性があるのか", "市のミスだった可能性があるのか", "誰が間違えたのか"):
        assert composer.understand(q, None, None).ask == "who", q


def test_a_follow_up_asking_whether_the_citys_own_case_is_fine_asks_of_its_own(briefing):
    """「で、うちの窓口のほうは大丈夫なの？」 is not the earlier who-question again: it asks whether a
    conclusion may be drawn, and keeps its own type and proposition."""
    from assistant.compose.params import DEFAULT
    from assistant.compose.question import QuestionType
    from assistant.compose.turn import Turn
    prev = briefing.composer.understand("公金受取口座の誤登録は誰の責任か", None, None)
    unsure = QuestionType(ask="what", yesno=True, confidence=0.3)
    fine = Turn.start("で、うちの窓口のほうは大丈夫なの？", unsure, None, prev, False, DEFAULT)
    assert fine.followup and fine.ask == "what" and fine.prop_text == "で、うちの窓口のほうは大丈夫なの？"
    again = Turn.start("障害者手帳の場合は？", unsure, None, prev, False, DEFAULT)   # a what-about: the who-question again
    assert again.ask == prev.ask == "who"
    # 「根拠は？」 names what it asks, as a wh-word would: its own type, however unsure the classifier
    basis = Turn.start("根拠は？", QuestionType(ask="basis", confidence=0.3), None, prev, False, DEFAULT)
    assert basis.followup and basis.ask == "basis" and basis.prop_text == "根拠は？"


def test_a_council_questions_opening_sentence_sets_the_place_of_the_parts_that_follow(briefing, monkeypatch):
    from assistant.compose.question import QuestionType, names_this_city
    composer = briefing.composer

    def classify(text: str) -> QuestionType:   # the learned reading: an opening request is advice-like
        return QuestionType(ask="explain" if text.endswith("伺う。") else "what", local=names_this_city(text))
    monkeypatch.setattr(composer, "_classify", classify)
    plain = QuestionType(ask="what")
    assert composer._asks_this_citys_facts("本市の国保について伺う。番号を取り違えた例はないのか。", plain)
    assert not composer._asks_this_citys_facts("国保について伺う。番号を取り違えた例はないのか。", plain)
    # an opening sentence that asks something itself sets no place for the rest
    assert not composer._asks_this_citys_facts("本市の国保の責任はあるのか。番号を取り違えた例はないのか。", plain)


def test_a_count_of_something_no_counted_sentence_is_about_is_declined(fixture_corpus, tmp_path):
    from dataclasses import replace as with_
    doc = OVERVIEW_DOC.replace("点検の結果の公表の責任は国にある。\n",
                               "点検の結果の公表の責任は国にある。\n報道を受けて、カードの自主返納を考える住民もいた。\n")
    with indexed_with(fixture_corpus, tmp_path, doc) as b:
        b.composer.params = with_(b.composer.params, answer_type_window=50)   # every sentence is close enough
        asked = "カードを自主返納した人は全国で何件あったのか"
        assert b.ask(asked).abstained          # the one count in the sources is of linking errors
        assert "4,321件" in b.ask("一斉点検で確認された紐付け誤りは何件か").summary
        b.composer.params = with_(b.composer.params, answer_type_focus=0.0)
        wrong = b.ask(asked)                   # any count would do without the focus
        assert not wrong.abstained and "4,321件" in wrong.summary


def test_what_to_say_about_an_apology_ranks_support_by_who_apologises(briefing, monkeypatch):
    # 「公表や謝罪をどう考えるか」 asks no yes/no, but like 「市が先に謝るべきか」 it is about an apology: the
    # support ranker gets the proposition, so sentences on who apologises count as on the question
    import assistant.compose.extractive as extractive
    seen = []
    real = extractive.select
    monkeypatch.setattr(extractive, "select", lambda *a, **kw: seen.append(kw.get("prop")) or real(*a, **kw))
    ans = briefing.ask("窓口で口座の誤登録が分かったとき、市民への公表や謝罪を市長としてどう考えればよいか")
    assert ans.verdict is None and seen[-1] is not None and seen[-1].frame == "apology"
    briefing.ask("公金受取口座の誤登録はなぜ起きたのか")
    assert seen[-1] is None   # nothing to judge: no proposition


def test_whether_the_city_needs_to_do_something_is_advice_not_this_citys_fact(briefing):
    """「本市の…は…する必要はない、と考えてよいか」 asks what is needed — the same in every city — while
    「本市でも…起きていたのか」 asks what happened here."""
    from assistant.compose.question import normative
    for need in ("本市の窓口は住民票で本人を確かめられるので、J-LISへの照会に頼る必要はほとんどない、と考えてよいか。",
                 "本市でも障害者手帳の番号を本人から取り直すべきなのか。",
                 "本市の窓口では、公金受取口座の登録のたびに本人確認をやり直す必要があるのか。"):
        assert normative(need) and briefing.ask(need).coverage == "full", need
    happened = "本市の窓口でも、公金受取口座の誤登録は起きていたのですか"
    assert not normative(happened) and briefing.ask(happened).coverage == "partial"


def test_a_follow_up_asking_only_for_the_citys_share_leads_with_it(briefing):
    # the who-answer already gave the city's share; 「市の分は？」 asks for that share and nothing else,
    # so it leads (alone, not the whole earlier summary again) and new material follows
    first = "公金受取口座の窓口での誤登録は誰の責任か"
    who = briefing.ask(first)
    share = briefing.ask("では市の分は？", history=[first])
    assert share.summary != who.summary
    assert share.summary.startswith("市区町村")
    assert "支援" in share.summary.split("。")[0]


def test_a_follow_up_asking_for_a_thing_of_its_own_is_not_the_earlier_yes_no_again(briefing):
    # 「障害者手帳の場合は？」 asks the earlier yes/no again of another affair; 「その場合の根拠は？」 asks
    # for the basis: no はい／いいえ／一部 in front of it
    asked = "公金受取口座の窓口での誤登録は市の責任ですか"
    assert briefing.ask(asked).verdict is not None
    basis = briefing.ask("その場合の根拠は？", history=[asked])
    assert basis.verdict is None
    assert not basis.summary.startswith(("はい", "いいえ", "一部"))



def test_a_premise_of_figures_does_not_turn_a_technical_fault_question_into_a_count(briefing, monkeypatch):
    # learned as a figures question (the premise's count), the yes/no still asserts a fault of the card
    # (a count question naming the card still gets a count: test_a_count_of_something_no_counted_…)
    from dataclasses import replace as with_
    real = briefing.composer.classifier.classify
    monkeypatch.setattr(briefing.composer.classifier, "classify", lambda q, v: with_(real(q, v), ask="figures"))
    q = "保険証の誤りが7,000件を超えた。それだけ出たのは、カードの仕組みに欠陥があったからではないですか。"
    turn = briefing.composer.understand(q, None, None)
    assert turn.ask != "figures" and turn.yesno and turn.prop.frame == "technical"   # the count is the premise
    assert briefing.ask(q).verdict == "no"



def test_a_council_question_asking_also_for_the_legal_basis_gets_it_in_the_summary(fixture_corpus, tmp_path):
    # 「…はなぜ起きたのか。その法令上の根拠もあわせて示されたい」: the second part has no wh-word, yet it
    # asks for the basis of the role, which the map holds
    import shutil
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    kokin = corpus / "fx-kokin.md"
    kokin.write_text(kokin.read_text(encoding="utf-8").replace(
        "    scope: 公金受取口座の登録事務\n", "    scope: 公金受取口座の登録事務\n    basis: 公金受取口座登録法第1条\n", 1),
        encoding="utf-8")
    b = Briefing()
    try:
        b.index([corpus], progress=False)
        ans = b.ask("公金受取口座の窓口での誤登録はなぜ起きたのか。その法令上の根拠もあわせて示されたい。")
        assert "根拠は公金受取口座登録法第1条" in ans.summary
    finally:
        b.close()


TECHO_WITH_CITY_CHECK = """---
id: fx-techo
kind: incident
title: 障害者手帳の紐付け誤り（テスト用）
issuer: テスト
date: 2023-06-20
source: https://example.invalid/techo
topics: [disability_certificate]
actors: [prefecture]
affair:
  id: fx-techo
  label: 障害者手帳の紐付け誤り
  terms: [障害者手帳, 手帳]
  city_share: none
  city_share_evidence: [一般の市町村は手帳の交付者ではない]
  local_evidence: [申請を受け付ける市町村の窓口でも]
roles:
  - actor: prefecture
    role: 個人番号利用事務実施者
    scope: 手帳の交付事務
    evidence: [紐付け誤りの責任は都道府県にある]
cause: operational
---

## 概要
障害者手帳の紐付け誤りは、都道府県が氏名と生年月日だけでJ-LISに照会した結果として生じた。

## 責任の所在
障害者手帳の事務の実施者は都道府県であり、紐付け誤りの責任は都道府県にある。
一般の市町村は手帳の交付者ではない。
申請を受け付ける市町村の窓口でも、生年月日だけで番号を探していなかったかを点検するとよい。
"""


def test_asked_about_the_city_in_an_affair_it_does_not_carry_the_summary_says_what_it_still_checks(fixture_corpus, tmp_path):
    # the map's row says the city has no share; its front matter names the sentence on what the city
    # still checks (`local_evidence`), and a question about the city's part gets it after the verdict
    import shutil
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    (corpus / "fx-techo.md").write_text(TECHO_WITH_CITY_CHECK, encoding="utf-8")
    b = Briefing()
    try:
        b.index([corpus], progress=False)
        first = "障害者手帳の紐付け誤りは誰の責任か"
        for ans in (b.ask("障害者手帳の紐付け誤りは市の責任なのか"), b.ask("じゃあ市は？", history=[first])):
            assert ans.affairs == ["fx-techo"]
            assert "生年月日だけで番号を探していなかったかを点検" in ans.summary
        assert "点検" not in b.ask(first).summary   # asked who, not about the city
    finally:
        b.close()


def test_a_yes_no_blaming_a_party_that_carries_no_affair_names_that_party_first(cross_affair):
    # J-LIS carries none of the map's affairs: the list of each affair's party alone never answers
    # 「それはJ-LISの責任でしょう？」; the sources' sentence naming J-LIS does, after the verdict
    ans = cross_affair.ask("J-LISに照会して誤った番号が登録されたのなら、それはJ-LISの責任でしょう？")
    first = ans.sections[0].sentences[0].text
    assert ans.verdict and first.startswith(("はい。", "いいえ。", "一部です。")) and "J-LIS" in first
    assert first.count("。") == 2 and "事務ごとに異なります" not in first   # one verdict, then the one sentence
    assert any(name in ans.summary for name in ("医療保険者", "都道府県"))     # each affair's party follows
    assert ans.sections[0].sentences[0].citations                                 # and the sentence is cited


def test_across_affairs_the_cause_is_the_kind_most_of_them_share():
    from assistant.compose.question import QuestionType
    from assistant.compose.scope import Scope
    from assistant.compose.turn import Turn, cause_for
    from assistant.index.affairs import AffairRow

    def cause(kind, *causes):
        rows = [AffairRow(id=f"r{i}", label=f"l{i}", cause=c) for i, c in enumerate(causes)]
        turn = Turn(q="", qtype=QuestionType(ask="why"), rq="", ask="why", yesno=False, local=False,
                    followup=False, prop_text="", scope=Scope(kind, rows))
        return cause_for(turn, None, {}, str).type

    assert cause("several", "operational", "operational", "mixed") == "operational"   # 保険証・手帳 and the counter
    assert cause("several", "operational", "mixed") == "mixed"                         # no majority: both kinds
    assert cause("general", "operational", "mixed", "institutional") == "operational"  # the errors as a whole
    assert cause("one", "institutional") == "institutional"


def test_numbered_parts_the_map_answers_follow_a_lead_sentence_on_the_named_affair(briefing, monkeypatch):
    """「(1) 誤りが起きた理由、(2) 窓口でどう案内すべきか」: the advice the map has no cell for leads with
    the best sentence, and the cause the map does have follows it in the summary — once."""
    from assistant.compose.question import QuestionType
    composer = briefing.composer
    advice = QuestionType(ask="remedy", scores={"remedy": 0.6, "why": 0.4})
    monkeypatch.setattr(composer.classifier, "classify", lambda q, v: advice)
    monkeypatch.setattr(composer, "_classify", lambda t: QuestionType(ask="why" if "理由" in t else "remedy"))
    q = "障害者手帳の件で、(1) 誤りが起きた理由、(2) 窓口で住民にどう案内すべきかについて伺う。"
    ans = briefing.ask(q)
    concl = [s.text for s in ans.sections[0].sentences]
    assert len(concl) >= 2 and "運用の問題" in "".join(concl[1:]) and "運用の問題" not in concl[0]
    shown = [s.text for sec in ans.sections[1:] for s in sec.sentences]
    assert not set(concl) & set(shown)   # no sentence twice
    # without the numbered cause the summary is the lead sentence alone
    alone = briefing.ask("障害者手帳の件で、窓口で住民にどう案内すべきかについて伺う。")
    assert [s.text for s in alone.sections[0].sentences] == concl[:1]


def test_a_cause_named_answers_why_and_technical_or_operational_alike(briefing, monkeypatch):
    from assistant.compose.question import QuestionType
    composer = briefing.composer
    monkeypatch.setattr(composer.classifier, "classify", lambda q, v: QuestionType(ask="tech_ops", scores={"tech_ops": 0.6}))
    monkeypatch.setattr(composer, "_classify", lambda t: QuestionType(ask="why" if "原因" in t else "tech_ops"))
    ans = briefing.ask("障害者手帳の誤りは技術の問題だったのか。また、その原因を伺う。")
    concl = "".join(s.text for s in ans.sections[0].sentences)
    assert concl.count("運用の問題") == 1, concl   # the why part adds no second wording of the same cause


def test_naming_the_overview_in_a_follow_up_stays_on_the_affair(fixture_corpus, tmp_path):
    # 「一斉点検」 is the overview row's term, not an affair: 「一斉点検では何件？」 after a question on
    # 障害者手帳 still asks about 障害者手帳, while a question naming another affair moves to it
    with indexed_with(fixture_corpus, tmp_path, OVERVIEW_DOC) as b:
        first = ["障害者手帳の紐付け誤りは誰の責任か"]
        follow = b.ask("一斉点検では何件？", history=first)
        assert "followup" in follow.intents and follow.affairs == ["fx-techo"]
        assert b.ask("公金受取口座の場合は？", history=first).affairs == ["fx-kokin"]


def test_a_count_of_the_errors_as_a_whole_is_answered_from_the_overviews_figures(fixture_corpus, tmp_path):
    from dataclasses import replace as with_
    with indexed_with(fixture_corpus, tmp_path, OVERVIEW_DOC) as b:
        b.composer.params = with_(b.composer.params, answer_type_window=0)   # no sentence is close enough
        ans = b.ask("一斉点検では全部で何件の誤りが見つかったのか")   # names the overview, no affair
        assert not ans.abstained and "4,321件" in ans.summary
        assert b.ask("架空手当の誤登録は何件か").abstained   # the overview's figure answers only the overview


def test_the_citys_course_of_action_across_all_affairs_is_not_judged_as_fault(briefing, monkeypatch):
    from assistant.compose.scope import Scope
    real, classify = briefing.composer.scope.match, briefing.composer.classifier.classify
    monkeypatch.setattr(briefing.composer.scope, "match", lambda question, *a, **k: Scope(
        "general", briefing.composer.scope.affair_rows(), real(question, *a, **k).scores))
    # read (as the real model reads such council questions) as asking the city's view, about every affair
    monkeypatch.setattr(briefing.composer.classifier, "classify",
                        lambda q, v: replace(classify(q, v), ask="explain", yesno=True))
    policy = briefing.ask("市としても、カードの返納を市民に勧めるべきではないか。")
    # no word of fault: who carries each affair does not answer it, so the map gives no verdict
    assert not policy.abstained and policy.verdict_basis != "map"
    assert not re.search(r"の責任は[^。]+にある（", policy.summary)
    fault = briefing.ask("市にも責任があるのではないか。")
    assert fault.verdict_basis == "map" and len(re.findall(r"の責任は[^。]+にある（", fault.summary)) >= 2


def test_a_count_in_the_premise_does_not_make_a_yes_no_a_figures_question(briefing, monkeypatch):
    classify = briefing.composer.classifier.classify
    monkeypatch.setattr(briefing.composer.classifier, "classify",
                        lambda q, v: replace(classify(q, v), ask="figures", yesno=True))
    premise = briefing.composer.understand("紐付け誤りは累計8,441件に増えた。これは市には関係のない話だと言い切れるか。", None, None)
    assert premise.ask != "figures"
    # a count in the asking sentence keeps the figures reading
    assert briefing.composer.understand("8,441件というのは多いのですか。", None, None).ask == "figures"


def test_a_sentence_restating_the_questions_premise_does_not_lead_a_wh_answer(briefing, monkeypatch):
    from assistant.compose.evidence import echoes
    q = "政府は6月21日、総点検本部の初会合を開きました。市長ご自身は何を確かめるおつもりですか。"
    assert echoes("総点検本部は、2023年6月21日に初会合を開いた。", q)
    assert not echoes("市長は、総点検の中身と市の責任の範囲を確かめておく必要がある。", q)
    assert not echoes("初会合が開かれた。", q)   # too little said to tell
    # of the candidates the composer holds, the premise's restatement is passed over — unless it is all there is
    premise, answer = (_candidate("総点検本部は、2023年6月21日に初会合を開いた。", 0.9),
                       _candidate("市長は、総点検の中身と市の責任の範囲を確かめておく必要がある。", 0.5))
    turn = briefing.composer.understand(q, None, None)
    turn.yesno = False
    assert briefing.composer._lead_sentence([premise, answer], turn) is answer
    assert briefing.composer._lead_sentence([premise], turn) is premise
    turn.yesno = True   # a yes/no is answered by restating its claim
    assert briefing.composer._lead_sentence([premise, answer], turn) is premise


def _candidate(text: str, score: float):
    from types import SimpleNamespace
    return SimpleNamespace(text=text, score=score)


def test_two_unknown_things_decline_a_question_only_if_the_scope_model_doubts_it(briefing, monkeypatch):
    import assistant.compose.extractive as ex
    classify = briefing.composer.classifier.classify
    q = "公金受取口座について、給与計算や福利厚生が問題になるのではないか。"
    # two things it asks about that no source names, each with a word the sources do use
    monkeypatch.setattr(ex, "wholly_new_topics", lambda *a, **k: [])
    monkeypatch.setattr(ex, "unknown_topics", lambda *a, **k: ["給与計算", "福利厚生"])
    for outside, declined in ((0.95, True), (0.5, True), (0.01, False)):
        monkeypatch.setattr(briefing.composer.classifier, "classify",
                            lambda text, v, o=outside: replace(classify(text, v), out_of_scope=o))
        turn = briefing.composer.understand(q, None, None)
        turn.scope = replace(turn.scope, named=True)   # the fixture's rows carry no terms of their own
        assert briefing.composer._asks_about_the_unknown(turn) is declined
        # naming no affair too (「…なんでこうもボタンの掛け違いが起きたの？」: a figure of speech the scope model
        # reads as in scope), though a question naming none is doubted at a lower score
        turn.scope = replace(turn.scope, named=False)
        assert briefing.composer._asks_about_the_unknown(turn) is declined


def test_a_wholly_new_compound_declines_a_question_only_if_the_scope_model_doubts_it(briefing, monkeypatch):
    import assistant.compose.extractive as ex
    classify = briefing.composer.classifier.classify
    q = "保険証に公金口座にと不祥事が立て続けだったけど、結局どこが悪いの？"
    monkeypatch.setattr(ex, "wholly_new_topics", lambda *a, **k: ["不祥事"])   # how it is told, in words no source uses
    monkeypatch.setattr(ex, "unknown_topics", lambda *a, **k: [])
    for outside, declined in ((0.8, True), (0.5, True), (0.05, False)):
        monkeypatch.setattr(briefing.composer.classifier, "classify",
                            lambda text, v, o=outside: replace(classify(text, v), out_of_scope=o))
        turn = briefing.composer.understand(q, None, None)
        for named in (True, False):   # naming an affair or not (「…専門家はこの案をどう見ているのか」 names none)
            turn.scope = replace(turn.scope, named=named)
            assert briefing.composer._asks_about_the_unknown(turn) is declined


def test_a_who_question_naming_the_city_only_in_its_story_leads_with_the_party(briefing, monkeypatch):
    classify = briefing.composer.classifier.classify
    monkeypatch.setattr(briefing.composer.classifier, "classify",
                        lambda q, v: replace(classify(q, v), ask="who", yesno=False))
    story = briefing.ask("市役所の窓口の端末で公金受取口座が別人に登録された。あれはどこが受け持つ事務なのか。")
    assert story.summary.startswith("公金受取口座") and "内閣総理大臣" in story.summary.split("。")[0]
    # asked about the city itself, the city's share comes first
    city = briefing.ask("公金受取口座の窓口での誤登録で、市の責任はどこまでか。")
    assert not city.summary.startswith("公金受取口座") and "内閣総理大臣" in city.summary
