"""Every page of the Streamlit app through streamlit.testing (fake embedder, a temporary store each)."""
from __future__ import annotations

import io
import json

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from assistant.settings import get_settings
from tests.app_support import (PAGE, QUESTION, app_environment, capture_downloads, clear_caches, everything,
                               run_app, texts)
from tests.conftest import ROOT

# Pass the check digit (worked out in tests/test_privacy.py): 12345678901 → 8, 98765432109 → 3.
MY_NUMBER, OTHER_NUMBER = "1234 5678 9018", "9876-5432-1093"
RAW_FORMS = ("1234 5678 9018", "123456789018", "9876-5432-1093", "987654321093", "１２３４５６７８９０１８")


@pytest.fixture(autouse=True)
def app_env(monkeypatch, tmp_path, server_address):
    server_address("127.0.0.1")   # as `make run` starts it: access control is off on loopback
    app_environment(monkeypatch, tmp_path)
    yield
    clear_caches()


def no_raw_number(at) -> bool:
    page = everything(at)
    return not [raw for raw in RAW_FORMS if raw in page]


def cached_briefing():
    from assistant.present.app.resources import get_briefing
    return get_briefing()


def record_asks(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    b = cached_briefing()
    real = b.ask

    def spy(question, history=None, filters=None, **audit):
        calls.append({"question": question, "history": list(history or []), "filters": filters, **audit})
        return real(question, history=history, filters=filters, **audit)

    monkeypatch.setattr(b, "ask", spy)
    return calls


# ---- チャット
def test_first_visit_indexes_the_corpus_and_offers_starters():
    assert not (get_settings().store / "CURRENT").exists()
    at = run_app()
    assert (get_settings().store / "CURRENT").is_file()
    assert at.chat_input[0].proto.placeholder == "例：公金受取口座の誤登録は市の責任ですか？"
    labels = [b.label for b in at.button]
    for q in ("公金受取口座の誤登録は市の責任か", "保険証の紐付け誤りはなぜ起きたのか", "障害者手帳の誤登録の責任は",
              "結局、市は悪くないと言い切れるのか", "新しい会話"):
        assert q in labels


def test_a_question_shows_answer_responsibility_card_cause_and_citations():
    at = run_app()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception
    body = texts(at)
    # the verdict comes first, in bold, with its passage numbers; the reasons follow
    assert QUESTION in body and "**一部です。" in body and "[1]" in body and "##### 理由" in body
    assert "判断の根拠：責任の整理" in body and "資料の基準日：" in body
    assert "**責任の所在**" in body and "**1. 内閣総理大臣（デジタル庁）**" in body and "法的な役割：" in body
    assert "原因の型：" in body and "**出典**" in body
    cites = [e.label for e in at.expander if e.label.startswith("[")]
    assert cites and cites[0].startswith("[1] ")
    assert any(m.value.startswith("> ") for m in at.markdown)  # the quoted passage
    assert "種別：" in body and "出典：" in body
    assert not [b for b in at.button if b.label in ("公金受取口座の誤登録は市の責任か",)]  # starters gone


def test_follow_up_questions_carry_the_history_and_filters(monkeypatch):
    at = run_app()
    calls = record_asks(monkeypatch)
    at.multiselect(key="f_kinds").set_value(["statute"])
    at.chat_input[0].set_value(QUESTION).run()
    at.chat_input[0].set_value("根拠となる条文は？").run()
    assert not at.exception
    assert [c["question"] for c in calls] == [QUESTION, "根拠となる条文は？"]
    assert calls[0]["history"] == [] and calls[1]["history"] == [QUESTION]
    assert calls[1]["filters"].kinds == ("statute",)
    assert len([m for m in at.chat_message if m.name == "user"]) == 2


def test_starter_button_asks_and_new_chat_clears():
    at = run_app()
    at.button(key="starter-0").click().run()
    assert "**責任の所在**" in texts(at)
    at.button[[b.label for b in at.button].index("新しい会話")].click().run()
    assert not at.chat_message and "マイナンバーの紐付け誤りについて" in texts(at)


def test_out_of_scope_question_is_declined_plainly():
    at = run_app()
    at.chat_input[0].set_value("明日の東京の天気を教えてください").run()
    assert at.info and "回答を控えます" in at.info[0].value
    assert "**責任の所在**" not in texts(at) and not [e for e in at.expander if e.label.startswith("[")]


def test_errors_are_shown_in_plain_japanese(monkeypatch):
    from assistant.errors import QueryError
    at = run_app()
    b = cached_briefing()

    def too_long(*a, **k):
        raise QueryError("the question is too long (3000 characters, limit 2000)", "shorten it")
    monkeypatch.setattr(b, "ask", too_long)
    at.chat_input[0].set_value("長い質問").run()
    assert not at.exception and "質問が長すぎます" in at.error[0].value


def test_a_busy_store_gives_a_japanese_message_not_a_traceback():
    from filelock import FileLock
    store = get_settings().store
    store.mkdir(parents=True)
    lock = FileLock(str(store / ".lock"))
    lock.acquire()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    finally:
        lock.release()
    assert not at.exception and "別の処理" in at.error[0].value


def test_feedback_is_stored_masked():
    from assistant.present.feedback import FeedbackStore
    at = run_app()
    at.chat_input[0].set_value(QUESTION).run()
    at.feedback(key="fb-0").set_value(0).run()
    at.text_input(key="fbc-0").input(f"番号 {MY_NUMBER} の件は根拠が弱い")
    at.button(key="fbs-0").click().run()
    assert not at.exception and "フィードバックを記録しました" in texts(at)
    assert any("コメントに個人番号" in w.value and "伏せ字" in w.value for w in at.warning)
    [row] = FeedbackStore().list()
    assert row.rating == "down" and row.question == QUESTION and row.summary
    assert row.comment == "番号 ************ の件は根拠が弱い"


def test_chat_page_asks_for_no_personal_numbers():
    at = run_app()
    assert "個人番号（マイナンバー）や氏名・住所などの個人情報は入力しないでください" in texts(at)
    at.chat_input[0].set_value(QUESTION).run()
    assert "個人情報は入力しないでください" in texts(at) and not at.warning  # still there; nothing was hidden


def test_a_my_number_in_a_question_is_hidden_before_anything_sees_it(monkeypatch):
    from assistant.present.feedback import FeedbackStore
    at = run_app()
    calls = record_asks(monkeypatch)
    asked = f"番号{MY_NUMBER}の人の公金受取口座の誤登録は市の責任ですか？"
    masked = "番号************の人の公金受取口座の誤登録は市の責任ですか？"
    at.chat_input[0].set_value(asked).run()
    assert not at.exception
    [user] = [m for m in at.chat_message if m.name == "user"]
    assert user.markdown[0].value == masked
    assert "伏せ字" in user.warning[0].value and "保存していません" in user.warning[0].value
    assert calls[0]["question"] == masked and at.session_state["turns"][0]["question"] == masked
    assert "**責任の所在**" in texts(at)  # answered all the same
    assert no_raw_number(at)

    at.chat_input[0].set_value("根拠となる条文は？").run()   # the turn is redrawn: still masked, still flagged
    assert calls[1]["question"] == "根拠となる条文は？" and calls[1]["history"] == [masked]
    first = [m for m in at.chat_message if m.name == "user"][0]
    assert first.markdown[0].value == masked and first.warning and no_raw_number(at)
    at.feedback(key="fb-0").set_value(1).run()
    at.button(key="fbs-0").click().run()
    assert FeedbackStore().list()[0].question == masked


def test_a_number_failing_the_check_digit_is_left_as_typed(monkeypatch):
    at = run_app()
    calls = record_asks(monkeypatch)
    asked = "問い合わせ番号 1234 5678 9012 の件で、公金受取口座の誤登録は市の責任ですか？"
    at.chat_input[0].set_value(asked).run()
    assert calls[0]["question"] == asked and not at.warning
    assert [m for m in at.chat_message if m.name == "user"][0].markdown[0].value == asked


def test_a_question_about_the_citys_own_data_says_what_the_sources_lack():
    at = run_app()
    at.chat_input[0].set_value("うちの市では公金受取口座の誤登録は何件あったのか").run()
    assert not at.exception
    assert any("本市の件数" in w.value for w in at.warning)          # the coverage note
    assert "内閣総理大臣" in texts(at)                                  # where the local figure would come from


# ---- 責任の整理
def test_responsibility_page_shows_the_map_with_sources_and_exports_a_handout(downloads):
    at = run_app()
    at.switch_page(PAGE["responsibility"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    holders = " ".join(table["個人番号利用事務実施者"])
    for party in ("医療保険者", "内閣総理大臣", "都道府県", "市区町村"):
        assert party in holders
    assert all("[" in cell for cell in table["市の分担"])             # every share cell cites passages
    assert any(e.label.startswith("[1]") for e in at.expander)        # the quoted sources, by document
    docx = [v for k, v in downloads.items() if k.endswith(".docx")]
    doc = Document(io.BytesIO(docx[0]))
    cells = " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "個人番号利用事務実施者" in cells and "医療保険者" in cells
    assert any(p.text.startswith("[1]「") for p in doc.paragraphs)     # the handout quotes its sources


# ---- 想定問答
@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    return capture_downloads(monkeypatch)


def test_press_flow_add_draft_edit_approve_download(downloads):
    from assistant.present.press_book import PressBook
    at = run_app()
    at.switch_page(PAGE["press_page"]).run()
    assert "まだ想定問答がありません" in texts(at)
    at.text_input(key="new_title").input("12月定例記者会見")
    at.button(key="create_draft").click().run()
    assert "想定問答を作成しました" in texts(at)

    at.text_input(key="q_one").input(QUESTION)
    at.button(key="add_one").click().run()
    at.text_area(key="q_paste").input("保険証の紐付け誤りはなぜ起きたのか\n\n障害者手帳の誤登録の責任は\n")
    at.button(key="add_paste").click().run()
    at.multiselect(key="sug-3").select("記者会見でどう説明すべきですか？")
    at.button(key="add_picked").click().run()
    assert not at.exception
    [draft] = PressBook().list_drafts()
    assert [it.question for it in PressBook().get_draft(draft.id).items] == [
        QUESTION, "保険証の紐付け誤りはなぜ起きたのか", "障害者手帳の誤登録の責任は", "記者会見でどう説明すべきですか？"]

    at.button(key="draft_all").click().run()
    assert not at.exception and "回答案を作成しました" in texts(at)
    items = PressBook().get_draft(draft.id).items
    assert all(it.drafted for it in items) and "[1]" in items[0].answer

    first = items[0]
    at.text_area(key=f"ans-{first.id}").input("市は窓口での登録支援を担った立場です。[1]")
    at.button(key=f"save-{first.id}").click().run()
    at.text_input(key="approver").input("広報課 山田")
    at.button(key=f"approve-{first.id}").click().run()
    assert not at.exception
    it = PressBook().get_draft(draft.id).items[0]
    assert it.final_answer == "市は窓口での登録支援を担った立場です。[1]"
    assert it.status == "approved" and it.approver == "広報課 山田" and it.approved_at
    assert any(s.value.startswith("承認済み：広報課 山田") for s in at.success)

    assert not downloads                      # nothing leaves the page until it is exported (and recorded)
    at.button(key="export-docx").click().run()
    at.button(key="export-md").click().run()
    assert {"12月定例記者会見.docx", "12月定例記者会見.md"} <= set(downloads)
    text = "\n".join(p.text for p in Document(io.BytesIO(downloads["12月定例記者会見.docx"])).paragraphs)
    assert "12月定例記者会見" in text and f"問1　{QUESTION}" in text and "問4　記者会見でどう説明すべきですか？" in text
    assert "市は窓口での登録支援を担った立場です。[1]" in text and "承認済み：広報課 山田" in text
    assert "出典" in text and f"[1] {it.citations[0]['title']}" in text
    assert "責任の所在：" in text
    assert f"## 問1　{QUESTION}" in downloads["12月定例記者会見.md"].decode("utf-8")


def test_press_page_hides_my_numbers_and_says_so():
    from assistant.present.press_book import PressBook
    at = run_app()
    at.switch_page(PAGE["press_page"]).run()
    assert "個人情報は入力しないでください" in texts(at)
    at.text_input(key="new_title").input(f"会見 {OTHER_NUMBER} 想定問答")
    at.button(key="create_draft").click().run()
    assert any(w.value.startswith("表題に個人番号") for w in at.warning)
    [draft] = PressBook().list_drafts()
    assert draft.title == "会見 ************ 想定問答"

    at.text_input(key="q_one").input(f"{MY_NUMBER} の人の公金受取口座の誤登録は市の責任ですか？")
    at.button(key="add_one").click().run()
    assert not at.exception and any(w.value.startswith("質問に個人番号") and "伏せ字" in w.value for w in at.warning)
    assert "**問1**　************ の人の公金受取口座の誤登録は市の責任ですか？" in texts(at) and no_raw_number(at)
    at.text_area(key="q_paste").input(f"保険証の紐付け誤りはなぜ起きたのか\n番号 {MY_NUMBER.replace(' ', '')} の件\n")
    at.button(key="add_paste").click().run()
    assert any(w.value.startswith("質問に個人番号") for w in at.warning)
    [first, _, third] = PressBook().get_draft(draft.id).items
    assert first.question == "************ の人の公金受取口座の誤登録は市の責任ですか？"
    assert third.question == "番号 ************ の件"

    at.button(key="draft_all").click().run()
    at.text_area(key=f"ans-{first.id}").input(f"{OTHER_NUMBER} の方には個別に連絡します。[1]")
    at.button(key=f"save-{first.id}").click().run()
    assert any(w.value.startswith("回答に個人番号") for w in at.warning)
    assert at.text_area(key=f"ans-{first.id}").value == "************ の方には個別に連絡します。[1]"
    at.text_input(key="approver").input(f"広報課 {MY_NUMBER}")
    at.button(key=f"approve-{first.id}").click().run()
    assert not at.exception
    it = PressBook().get_draft(draft.id).items[0]
    assert it.approved and it.approver == "広報課 ************"
    assert any(w.value.startswith("承認者名に個人番号") for w in at.warning)
    assert at.text_input(key="approver").value == "広報課 ************"
    assert any(s.value.startswith("承認済み：広報課 ************") for s in at.success)
    assert no_raw_number(at)


def _press_page_with_draft(title: str):
    """A draft holding QUESTION, made before the app starts, and the app on the 想定問答 page."""
    from assistant.access import Actor, Role
    from assistant.present.press_book import PressBook
    book = PressBook()
    by = Actor("広報課 佐藤", Role.EDIT, "cli")
    did = book.create_draft(title, by=by)
    book.add_questions(did, [QUESTION], by=by)
    at = run_app()
    at.switch_page(PAGE["press_page"]).run()
    return book, did, at


def test_press_drafts_survive_a_restart():
    _, did, at = _press_page_with_draft("再起動前の下書き")
    assert at.selectbox(key="press_draft").value == did
    assert QUESTION in texts(at) and "回答案はまだありません" in texts(at)


def test_press_approve_without_a_name_asks_for_one():
    book, did, at = _press_page_with_draft("会見")
    at.button(key="draft_all").click().run()
    iid = book.get_draft(did).items[0].id
    at.button(key=f"approve-{iid}").click().run()
    assert "承認者名を入力してから" in texts(at) and book.get_draft(did).items[0].status == "draft"


def test_press_page_shows_a_broken_database_plainly():
    from assistant.present.press_book import default_path
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not sqlite" * 200)
    at = run_app()
    at.switch_page(PAGE["press_page"]).run()
    assert not at.exception and "壊れて" in at.error[0].value


# ---- 資料
def test_library_lists_documents_filters_and_shows_index_stats():
    at = run_app()
    at.switch_page(PAGE["library"]).run()
    assert not at.exception
    store = get_settings().store
    manifest = json.loads((store / (store / "CURRENT").read_text().strip() / "manifest.json").read_text(encoding="utf-8"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文書"] == str(manifest["documents"]) and metrics["チャンク"] == str(manifest["chunks"])
    assert metrics["作成日"] == manifest["built_at"][:10] and "埋め込みモデル：fake-bigram" in texts(at)
    kinds = at.dataframe[0].value
    assert set(kinds["種別"]) >= {"法令", "通知", "事案", "分析"}
    docs = at.dataframe[1].value
    assert len(docs) == manifest["documents"]

    at.multiselect(key="lib_kinds").set_value(["statute"]).run()
    assert set(at.dataframe[1].value["種別"]) == {"法令"}
    at.text_input(key="lib_text").input("公金受取口座").run()
    shown = at.dataframe[1].value
    assert 0 < len(shown) < len(docs)
    pick = at.selectbox(key="lib_doc")
    assert "**種別**：法令" in texts(at) and "**出典**：" in texts(at)
    assert pick.value == shown["id"].iloc[0]

    at.text_input(key="lib_text").input("存在しない語句ゼロ件").run()
    assert "条件に合う文書がありません" in texts(at)


# ---- 評価
def test_evaluation_empty_state_says_what_to_run():
    at = run_app()
    at.switch_page(PAGE["evaluation"]).run()
    assert not at.exception and "make test" in at.info[0].value and "briefing eval" in at.info[0].value


def test_evaluation_shows_metrics_thresholds_and_cases(tmp_path):
    report = tmp_path / "reports" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({
        "generated_at": "2026-01-05T10:00:00+09:00", "passed": False,
        "metrics": {"primary_actor_accuracy": 0.95, "cause_accuracy": 0.8, "latency_p50_ms": 120},
        "thresholds": {"min": {"primary_actor_accuracy": 0.9, "cause_accuracy": 0.85}, "max": {"latency_p50_ms": 300}},
        "cases": [
            {"id": "kokin-01", "question": QUESTION, "passed": True, "reasons": [], "tags": ["kokin"]},
            {"id": "hoken-02", "question": "保険証の紐付け誤りの原因は", "passed": False,
             "reasons": ["cause technical ≠ expected operational"], "tags": ["hoken"]},
        ]}, ensure_ascii=False), encoding="utf-8")
    at = run_app()
    at.switch_page(PAGE["evaluation"]).run()
    assert not at.exception and "不合格" in at.error[0].value
    rows = at.dataframe[0].value.set_index("指標")
    assert rows.loc["primary_actor_accuracy", "判定"] == "○ 合格"
    assert rows.loc["cause_accuracy", "判定"] == "× 不合格" and rows.loc["cause_accuracy", "基準"] == "≥ 0.85"
    assert rows.loc["latency_p50_ms", "基準"] == "≤ 300"
    cases = at.dataframe[1].value
    assert list(cases["id"]) == ["hoken-02"] and "expected operational" in cases["理由"].iloc[0]
    at.toggle(key="eval_only_failed").set_value(False).run()
    assert list(at.dataframe[1].value["id"]) == ["kokin-01", "hoken-02"]


def test_evaluation_flat_thresholds_and_a_broken_report(tmp_path):
    report = tmp_path / "reports" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"generated_at": "x", "passed": True, "metrics": {"key_point_recall": 0.9},
                                  "thresholds": {"key_point_recall": 0.85}, "cases": []}), encoding="utf-8")
    at = run_app()
    at.switch_page(PAGE["evaluation"]).run()
    assert "合格" in at.success[0].value and at.dataframe[0].value["判定"].iloc[0] == "○ 合格"
    report.write_text("{ not json", encoding="utf-8")
    at.run()
    assert not at.exception and "読めませんでした" in at.error[0].value


# ---- access control
def test_password_gate_when_configured(monkeypatch):
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.chat_input and at.text_input[0].label == "パスワード"
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert "パスワードが違います" in at.error[0].value
    at.text_input[0].input("himitsu")
    at.button[0].click().run()
    assert at.chat_input and not at.exception
    at.chat_input[0].set_value(f"番号{MY_NUMBER}の公金受取口座の誤登録は市の責任ですか？").run()
    from assistant.audit import AuditLog, verify
    failure, entry = AuditLog(get_settings().audit_log).entries()  # the wrong password, then the ask
    assert failure["event"] == "login_failed" and failure["failures"] == 1
    assert "wrong" not in json.dumps(failure) and "himitsu" not in get_settings().audit_log.read_text("utf-8")
    assert entry["channel"] == "app" and entry["user"] == "（共有パスワードでログイン）"
    assert "************" in entry["question"] and entry["citations"] and verify(get_settings().audit_log).ok


def test_password_from_secrets():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["password"] = "s3cret"
    at.run()
    assert not at.chat_input and at.text_input[0].label == "パスワード"


def test_oidc_login_when_auth_secrets_exist():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x",
                          "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
    at.run()
    assert not at.exception and not at.chat_input
    assert [b.label for b in at.button] == ["ログイン"] and "ログインが必要です" in at.info[0].value
    at.user.update({"is_logged_in": True, "name": "山田 花子"})
    at.run()
    assert at.chat_input and "ログアウト" in [b.label for b in at.button]
    assert "ログイン中：山田 花子" in texts(at)


def test_no_login_by_default():
    at = run_app()
    assert at.chat_input and not [t for t in at.text_input if t.label == "パスワード"]
