"""資料 page: staff upload the city's own documents (Word and PDF here) with their metadata; a
question then cites them; replacing and removing work; errors are explained in Japanese; 閲覧 may
not upload. Also the superseded-notice notice on the chat page and the version line on 資料."""
from __future__ import annotations

import pytest

from assistant.settings import get_settings
from tests.app_support import PAGE, app_environment, clear_caches, new_app, run_app, texts
from tests.documents import japanese_pdf, word_file

DOCX = word_file("窓口ダブルチェック票の運用", [
    ("第1条 目的", ["本市の窓口では、公金受取口座の登録支援の前に、職員二名がダブルチェック票で利用者の画面を確認する。"]),
    ("第2条 記録", ["ダブルチェック票は、確認した職員二名の押印をして市民課で一年間保管する。"])])
PDF = japanese_pdf(["本市の証明書コンビニ交付は、毎月第三水曜日の夜間に保守のため停止する。",
                    "停止の予定は、市の広報誌とウェブサイトで前月の末日までに知らせる。"])
DOCX_TITLE, PDF_TITLE = "窓口ダブルチェック票の運用要領", "証明書コンビニ交付の定期保守について"
ASK_DOCX, ASK_PDF = "窓口のダブルチェック票は誰が押印してどこで保管するのか", "証明書コンビニ交付が夜間に停止するのはいつか"


@pytest.fixture(autouse=True)
def app_env(monkeypatch, tmp_path, server_address):
    server_address("127.0.0.1")
    app_environment(monkeypatch, tmp_path)
    yield
    clear_caches()


def library():
    at = run_app()
    at.switch_page(PAGE["library"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill(at, name: str, data: bytes, *, kind="guidance", title="", issuer="本市市民課", date="2024-04-01",
         source="市民課 内部資料", locator="", supersedes="", target="new"):
    version = at.session_state["site_form_version"] if "site_form_version" in at.session_state else 0
    key = f"site_{target}" + (f"_{version}" if version else "")
    if target == "new":
        assert not at.text_input(key=f"{key}_title").value   # each new form starts empty
    at.file_uploader(key=f"{key}_file").upload(name, data)
    at.selectbox(key=f"{key}_kind").set_value(kind)
    for field, value in (("title", title), ("issuer", issuer), ("date", date), ("source", source),
                         ("locator", locator)):
        at.text_input(key=f"{key}_{field}").set_value(value)
    if supersedes:
        at.selectbox(key=f"{key}_supersedes").set_value(supersedes)
    label = "置き換えて索引を更新" if target != "new" else "保存して索引に追加"
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def site_table(at):
    """The list of documents staff added (the table with a 保存日時 column)."""
    return next(d.value for d in at.dataframe if "保存日時" in d.value.columns)


def cited_titles(question: str) -> list[str]:
    at = run_app()
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return [e.label.split(" ", 1)[1] for e in at.expander if e.label.startswith("[")]


def test_uploaded_word_and_pdf_are_cited_and_removing_one_removes_it_from_answers():
    at = fill(library(), "ダブルチェック票.docx", DOCX, title=DOCX_TITLE)
    assert any("を追加しました" in s.value and DOCX_TITLE in s.value for s in at.success), texts(at)
    at = fill(at, "コンビニ交付.pdf", PDF, kind="notice", title=PDF_TITLE)
    assert any(PDF_TITLE in s.value for s in at.success)
    folder = get_settings().site_corpus
    files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("_"))
    assert len(files) == 4 and sum(n.endswith(".meta.yaml") for n in files) == 2
    assert {n.rsplit(".", 1)[-1] for n in files} == {"docx", "pdf", "yaml"}
    listed = site_table(at)
    assert set(listed["表題"]) == {DOCX_TITLE, PDF_TITLE}

    assert DOCX_TITLE in " ".join(cited_titles(ASK_DOCX))
    assert PDF_TITLE in " ".join(cited_titles(ASK_PDF))

    at = library()
    docx_id = listed.loc[listed["表題"] == DOCX_TITLE, "id"].iloc[0]
    at.selectbox(key="site_remove_pick").set_value(docx_id).run()
    at.checkbox(key="site_remove_sure").check().run()
    at.button(key="site_remove").click().run()
    assert not at.exception and any("を削除しました" in s.value for s in at.success)
    assert set(site_table(at)["表題"]) == {PDF_TITLE}
    at.run()    # a rerun of its own (the browser sends one when the chosen document has gone)
    assert any("を削除しました" in s.value for s in at.success)       # the confirmation stays
    assert not at.checkbox(key="site_remove_1_sure").value            # and the next removal starts unticked
    assert DOCX_TITLE not in " ".join(cited_titles(ASK_DOCX))
    assert PDF_TITLE in " ".join(cited_titles(ASK_PDF))

    from assistant.audit import AuditLog
    changes = [(e["action"], e["doc_id"]) for e in AuditLog(get_settings().audit_log).entries()
               if e.get("event") == "document"]
    pdf_id = listed.loc[listed["表題"] == PDF_TITLE, "id"].iloc[0]
    assert changes == [("add", docx_id), ("add", pdf_id), ("remove", docx_id)]


def test_replacing_keeps_the_id_and_a_superseding_upload_shows_the_chain_and_the_notice():
    at = fill(library(), "旧.docx", DOCX, kind="notice", title="窓口確認の通知（旧）", date="2023-04-01")
    old_id = site_table(at)["id"].iloc[0]
    at.selectbox(key="site_target").set_value(old_id).run()
    at = fill(at, "旧_改.docx", DOCX, kind="notice", title="窓口確認の通知（旧・訂正）", date="2023-04-01",
              target=old_id)
    assert any("を置き換えました" in s.value for s in at.success)
    assert list(site_table(at)["id"]) == [old_id]
    newer = word_file("窓口確認の新通知", [("第1条", ["本市の窓口では、ダブルチェック票に代えて、登録画面の写しを"
                                                        "二名で確認し市民課で三年間保管する。"])])
    at.selectbox(key="site_target").set_value("（新しい資料として追加）").run()
    at = fill(at, "新.docx", newer, kind="notice", title="窓口確認の通知（新）", date="2024-06-01", supersedes=old_id)
    assert len(site_table(at)) == 2

    at.selectbox(key="lib_doc").set_value(old_id).run()
    body = texts(at) + "\n".join(w.value for w in at.warning)
    assert "『窓口確認の通知（新）』" in body and "に置き換えられています" in body
    assert "**版の系列**（古い順）：**窓口確認の通知（旧・訂正）**（2023-04-01）　→　窓口確認の通知（新）（2024-06-01）" in body

    at = run_app()
    at.chat_input[0].set_value(ASK_DOCX).run()
    cited = [e.label for e in at.expander if e.label.startswith("[")]
    notices = [w.value for w in at.warning if "に置き換えられています" in w.value]
    assert any("（旧・訂正）" in c for c in cited)          # the old notice's own words answer the question…
    assert len(notices) == 1 and "（2023-04-01）は、『窓口確認の通知（新）』（2024-06-01" in notices[0]   # …so the answer says it was replaced


def test_form_errors_are_listed_in_japanese_and_nothing_is_saved():
    at = fill(library(), "memo.docx", DOCX, title="", issuer="", date="令和6年4月1日", source="")
    err = "\n".join(e.value for e in at.error)
    for words in ("**表題**：表題を入力してください", "**発出者**：", "**日付**：日付は YYYY-MM-DD", "**出典**："):
        assert words in err
    assert not get_settings().site_corpus.exists() or not list(get_settings().site_corpus.glob("site-*"))

    at = fill(at, "protected.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, title="保護された文書")
    assert any("パスワードで保護された Word" in e.value for e in at.error)
    assert not list(get_settings().site_corpus.glob("site-*"))


def test_only_editors_may_upload():
    oidc = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "id",
            "client_secret": "s", "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
    at = new_app(secrets={"auth": oidc, "roles": {"view": ["@city.example.lg.jp"]}},
                 user={"is_logged_in": True, "name": "総務課 鈴木", "email": "suzuki@city.example.lg.jp"}).run()
    at.switch_page(PAGE["library"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "資料の追加・置き換え・削除には「編集」以上の権限が必要です。" in texts(at)
    assert not at.file_uploader and not [b for b in at.button if b.label == "保存して索引に追加"]
