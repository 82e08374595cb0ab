import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.compose.extractive import ExtractiveComposer
from assistant.compose.intent import detect_intents, is_follow_up, retrieval_query
from assistant.compose.llm import LLMComposer, parse_generated
from assistant.settings import get_settings

MARKER = re.compile(r" \[\d+(?:, \d+)*\]$")


def _stored_texts(briefing):
    return [c.text for c in briefing.store.chunks.values()]


def test_every_sentence_is_quoted_from_a_cited_chunk(briefing):
    ans = briefing.ask("公金受取口座の誤登録は市の責任か")
    assert not ans.abstained and ans.citations
    by_n = {c.n: c for c in ans.citations}
    texts = _stored_texts(briefing)
    for sec in ans.sections:
        for s in sec.sentences:
            assert any(s.text in by_n[n].quote for n in s.citations), s.text
    for c in ans.citations:
        assert any(c.quote in t for t in texts)
    body = [ln for ln in ans.answer.splitlines() if ln and not ln.startswith(("###", "["))]
    assert body and all(MARKER.search(ln) for ln in body)


def test_responsibility_puts_the_legal_owner_first_and_the_helper_second(briefing):
    ans = briefing.ask("公金受取口座の誤登録は市の責任なのか")
    actors = [r.actor for r in ans.responsibility]
    assert actors[:2] == ["prime_minister", "municipality"]
    assert ans.responsibility[0].role == "個人番号利用事務実施者"
    assert ans.responsibility[1].scope == "窓口での登録支援"
    assert all(r.citations for r in ans.responsibility)
    assert ans.cause.type == "mixed" and re.search(r"\[\d+\]$", ans.cause.explanation)


def test_responsibility_follows_the_evidence_not_the_question_words(briefing):
    # Same question frame, different incident: the ranking changes with what was retrieved.
    assert briefing.ask("保険証の紐付け誤りは誰の責任か").responsibility[0].actor == "health_insurer"
    assert briefing.ask("障害者手帳の紐付け誤りは誰の責任か").responsibility[0].actor == "prefecture"


def test_no_responsibility_when_not_asked(briefing):
    ans = briefing.ask("番号法第14条は何を定めているか")
    assert ans.responsibility == [] and ans.citations[0].doc_id == "fx-bango-14"


def test_out_of_scope_questions_are_declined(briefing):
    ans = briefing.ask("ふるさと納税の返礼品の上限はいくらか")
    assert ans.abstained and ans.citations == [] and ans.responsibility == []
    assert "見つかりませんでした" in ans.answer


def test_follow_up_resolves_against_the_previous_turn(briefing):
    alone = briefing.ask("では市の責任は？")
    follow = briefing.ask("では市の責任は？", history=["公金受取口座の誤登録は何が原因か"])
    assert "公金受取口座" in follow.retrieval_query
    assert follow.citations[0].doc_id == "fx-kokin"
    assert alone.abstained or alone.retrieval_query == "では市の責任は？"


@pytest.mark.parametrize("q, intent", [
    ("誰の責任か", "who"), ("なぜ起きたのか", "why"), ("技術の問題か運用の問題か", "tech_ops"),
    ("記者会見でどう説明すればよいか", "explain"), ("法的な根拠は何か", "basis"), ("今後どうすればよいか", "next"),
])
def test_intents(q, intent):
    assert intent in detect_intents(q)


def test_follow_up_detection_and_chains():
    assert is_follow_up("では市の責任は？") and not is_follow_up("公金受取口座の誤登録は市の責任か")
    q = retrieval_query("原因は？", ["公金受取口座の誤登録について", "では市の責任は？"])
    assert q.startswith("公金受取口座の誤登録について") and q.endswith("原因は？")


def test_my_number_in_a_question_is_masked_in_the_answer(briefing):
    ans = briefing.ask("番号123456789018の人の保険証の紐付け誤りは誰の責任か")
    assert "123456789018" not in ans.model_dump_json()


def test_sections_lead_with_what_is_asked(briefing):
    basis = briefing.ask("公金受取口座の誤登録の法的な根拠は何か")
    headings = [s.heading for s in basis.sections]
    assert headings[0] == "結論"
    if "根拠（法令・通知）" in headings:
        assert headings.index("根拠（法令・通知）") == 1


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
