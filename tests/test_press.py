"""Press Q&A (想定問答): drafts in SQLite, edit/approve, .docx/.md export, and `briefing press`."""
import subprocess
import sys
import textwrap

import pytest
from docx import Document

from assistant.access import AccessDenied, Actor, Role
from assistant.present.localdb import LocalDBError
from assistant.present.press import PressDraft, item_from_answer, parse_questions
from assistant.present.press_book import PressBook, default_path
from assistant.present.press_export import export, to_docx, to_markdown
from tests.conftest import run_cli

QUESTIONS = ["公金受取口座の誤登録は市の責任ですか？", "保険証の紐付け誤りはなぜ起きたのか"]
EDITOR = Actor("広報課 佐藤", Role.EDIT, "oidc", "sato@city.example.lg.jp")
READER = Actor("総務課 鈴木", Role.VIEW, "oidc", "suzuki@city.example.lg.jp")


def approver(name: str = "広報課 山田") -> Actor:
    return Actor(name, Role.APPROVE, "open")


def docx_text(data_or_path) -> str:
    import io
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else str(data_or_path)
    return "\n".join(p.text for p in Document(src).paragraphs)


@pytest.mark.parametrize("text, expected", [
    ("公金受取口座は？\n\n保険証は？\n", ["公金受取口座は？", "保険証は？"]),
    ("・一つ目\n- 二つ目\n1. 三つ目\n（4）四つ目\n問5 五つ目", ["一つ目", "二つ目", "三つ目", "四つ目", "五つ目"]),
    ("2.5万件の誤りは？", ["2.5万件の誤りは？"]),
    ("  \n\n", []),
], ids=["blank-lines", "list-markers", "decimal-kept", "empty"])
def test_parse_questions(text, expected):
    assert parse_questions(text) == expected


def test_default_path_is_in_the_data_folder_not_the_index_folder():
    from assistant.settings import get_settings
    assert default_path() == get_settings().data / "press.sqlite3"
    assert get_settings().store not in default_path().parents


def test_add_draft_edit_approve_and_persist(tmp_path, briefing):
    path = tmp_path / "press.sqlite3"
    book = PressBook(path)
    did = book.create_draft("12月定例記者会見", by=EDITOR)
    ids = book.add_questions(did, QUESTIONS + ["  "], by=EDITOR)
    assert len(ids) == 2
    assert book.draft_answers(did, briefing, by=EDITOR) == 2
    assert book.draft_answers(did, briefing, by=EDITOR) == 0  # only missing ones are drafted again

    d = book.get_draft(did)
    first = d.items[0]
    assert [it.question for it in d.items] == QUESTIONS
    assert first.answer and "[1]" in first.answer and first.citations and first.citations[0]["quote"]
    assert first.responsibility.startswith("責任の所在：内閣総理大臣")
    assert "### 出典" not in first.answer  # sources are kept apart, for footnotes

    book.edit(first.id, "市は窓口で登録を支援した立場です。[1]", by=EDITOR)
    when = book.approve(first.id, by=approver(" 広報課 山田 "))
    again = PressBook(path).get_draft(did)  # a new process would see the same: it is on disk
    it = again.items[0]
    assert it.final_answer == "市は窓口で登録を支援した立場です。[1]" and it.answer == first.answer
    assert it.status == "approved" and it.approver == "広報課 山田" and it.approved_at == when
    assert [x.title for x in PressBook(path).list_drafts()] == ["12月定例記者会見"]

    book.edit(first.id, "さらに直した回答。", by=EDITOR)  # an edit withdraws the approval
    assert book.get_draft(did).items[0].status == "draft"
    with pytest.raises(LocalDBError, match="承認者"):
        book.approve(first.id, by=approver("  "))
    book.delete_item(ids[1], by=EDITOR)
    assert len(book.get_draft(did).items) == 1
    book.delete_draft(did, by=EDITOR)
    assert book.list_drafts() == []


@pytest.mark.parametrize("actor, allowed", [
    (READER, set()),
    (EDITOR, {"create", "add", "edit", "delete"}),
    (approver(), {"create", "add", "edit", "delete", "approve", "withdraw"}),
], ids=["閲覧", "編集", "承認"])
def test_the_book_refuses_what_a_role_may_not_do(tmp_path, actor, allowed):
    """The pages disable these buttons; the book refuses them anyway (and records nothing)."""
    from assistant.audit import AuditLog
    from assistant.settings import get_settings
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=approver())
    [iid] = book.add_questions(did, ["公金受取口座の誤登録は市の責任ですか？"], by=approver())
    book.edit(iid, "回答。", by=approver())
    before = len(AuditLog(get_settings().audit_log).entries())
    steps = {"create": lambda: book.create_draft("別の会見", by=actor),
             "add": lambda: book.add_questions(did, ["追加の質問"], by=actor),
             "edit": lambda: book.edit(iid, f"{actor.name}が直した回答。", by=actor),
             "approve": lambda: book.approve(iid, by=actor),
             "withdraw": lambda: book.withdraw_approval(iid, by=actor),
             "delete": lambda: book.delete_item(iid, by=actor)}
    done = set()
    for name, step in steps.items():
        try:
            step()
            done.add(name)
        except AccessDenied as err:
            assert "権限" in str(err) and actor.role.label in str(err)
    assert done == allowed
    if not allowed:
        assert len(AuditLog(get_settings().audit_log).entries()) == before
        assert book.get_draft(did).items[0].final_answer == "回答。"


# 123456789018 and 987654321093 pass the check digit (worked out in tests/test_privacy.py); ...012 does not.
def test_questions_titles_edits_and_names_are_masked(tmp_path):
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見 9876 5432 1093 の件", by=EDITOR)
    [iid] = book.add_questions(did, ["1234-5678-9018 の人の口座は？"], by=EDITOR)
    book.edit(iid, "番号 １２３４５６７８９０１８ は答えない", by=EDITOR)
    book.approve(iid, by=approver("山田 987654321093"))
    from assistant.settings import get_settings
    for raw in ((tmp_path / "p.sqlite3").read_bytes(), get_settings().audit_log.read_bytes()):  # the trail too
        for digits in ("123456789018", "1234-5678-9018", "１２３４５６７８９０１８", "987654321093", "9876 5432 1093"):
            assert digits.encode("utf-8") not in raw, digits
    draft = book.get_draft(did)
    [it] = draft.items
    assert draft.title == "会見 ************ の件" and it.question == "************ の人の口座は？"
    assert it.final_answer == "番号 ************ は答えない" and it.approver == "山田 ************"


def test_numbers_failing_the_check_digit_are_kept_as_written(tmp_path):
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=EDITOR)
    book.add_questions(did, ["問い合わせ番号 1234-5678-9012 の件数は？", "法人番号 1234567890123 の団体は？"], by=EDITOR)
    assert [it.question for it in book.get_draft(did).items] == [
        "問い合わせ番号 1234-5678-9012 の件数は？", "法人番号 1234567890123 の団体は？"]


def test_drafted_answers_and_exports_never_carry_a_my_number(briefing, tmp_path):
    it = item_from_answer("番号 123456789018 の人の保険証は", briefing.ask("番号 123456789018 の人の保険証は"))
    assert it.question == "番号 ************ の人の保険証は"
    draft = PressDraft(title="会見 123456789018", items=[it])
    assert draft.title == "会見 ************"
    it.edited_answer, it.status, it.approver = "123456789018 には触れない。", "approved", "987654321093"  # set late
    it.approved_at = "2026-01-05T10:30:00+09:00"
    md, docx = to_markdown(draft), docx_text(to_docx(draft))
    for text in (md, docx):
        assert "123456789018" not in text and "987654321093" not in text and "************" in text
    assert "# 会見 ************" in md and "問1　番号 ************ の人の保険証は" in docx


def _sample_draft(briefing) -> PressDraft:
    items = [item_from_answer(q, briefing.ask(q)) for q in QUESTIONS + ["今日の東京の天気は？"]]
    items[0].edited_answer, items[0].status, items[0].approver = "編集済みの回答。[1]", "approved", "山田"
    items[0].approved_at = "2026-01-05T10:30:00+09:00"
    return PressDraft(title="想定問答（テスト）", created="2026-01-05T09:00:00+09:00", items=items)


def test_docx_has_title_date_questions_answers_responsibility_and_sources(briefing):
    draft = _sample_draft(briefing)
    text = docx_text(to_docx(draft))
    assert "想定問答（テスト）" in text and "2026年1月5日" in text
    assert "問1　公金受取口座の誤登録は市の責任ですか？" in text and "問2　保険証の紐付け誤りはなぜ起きたのか" in text
    assert "編集済みの回答。[1]" in text and "承認済み：山田（2026年1月5日 10:30）" in text
    assert "責任の所在：内閣総理大臣" in text and "出典" in text
    assert f"[1] {draft.items[0].citations[0]['title']}" in text
    assert "未承認（下書き）" in text  # the other items are marked as such
    assert draft.items[2].abstained and "回答を控えます" in text


def test_docx_footer_carries_the_approval_record_and_each_answers_hash(briefing):
    import hashlib
    import io
    draft = _sample_draft(briefing)
    draft.id = 7
    doc = Document(io.BytesIO(to_docx(draft)))
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    digest = [hashlib.sha256(it.final_answer.encode("utf-8")).hexdigest()[:16] for it in draft.items]
    assert footer.startswith("想定問答 No.7　承認記録")
    assert f"問1 承認 山田 2026年1月5日 10:30 #{digest[0]}" in footer
    assert f"問2 未承認 #{digest[1]}" in footer and f"問3 未承認 #{digest[2]}" in footer
    body = docx_text(to_docx(draft))       # and under each answer, the same hash
    assert f"承認済み：山田（2026年1月5日 10:30）　本文 SHA-256：{digest[0]}" in body
    draft.items[0].edited_answer = "印刷の後で直した回答。"   # a changed answer prints a different hash
    assert digest[0] not in docx_text(to_docx(draft))


def test_markdown_export(briefing, tmp_path):
    draft = _sample_draft(briefing)
    md = to_markdown(draft)
    assert md.startswith("# 想定問答（テスト）\n") and "## 問2　保険証の紐付け誤りはなぜ起きたのか" in md
    assert "**出典**" in md and "- [1] " in md
    assert md.rstrip().endswith("*") and "承認記録" in md.splitlines()[-1]   # the record closes the file
    out = export(draft, tmp_path / "sub" / "qa.md")
    assert out.read_text(encoding="utf-8") == md
    with pytest.raises(LocalDBError, match=r"\.pdf"):
        export(draft, tmp_path / "qa.pdf")


def test_a_broken_database_gives_a_plain_japanese_message(tmp_path):
    bad = tmp_path / "press.sqlite3"
    bad.write_bytes(b"\x00garbage" * 500)
    with pytest.raises(LocalDBError) as e:
        PressBook(bad)
    assert "想定問答のデータベース" in str(e.value) and "壊れて" in str(e.value)


def test_a_database_held_by_another_process_gives_a_plain_japanese_message(tmp_path):
    path = tmp_path / "press.sqlite3"
    book = PressBook(path, timeout=0.3)
    did = book.create_draft("会見", by=EDITOR)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        con = sqlite3.connect({str(path)!r}, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LocalDBError) as e:
            book.add_questions(did, ["公金受取口座の誤登録は市の責任ですか？"], by=EDITOR)
        assert "別の処理が使用中" in str(e.value) and "しばらく待って" in str(e.value)
    finally:
        holder.kill()
        holder.wait()
    assert book.add_questions(did, ["公金受取口座の誤登録は市の責任ですか？"], by=EDITOR)  # works once released


# ---- `briefing press` through a subprocess
@pytest.fixture
def questions_file(tmp_path):
    f = tmp_path / "questions.txt"
    f.write_text("\n".join([QUESTIONS[0], "", QUESTIONS[1], ""]) + "\n", encoding="utf-8")
    return f


def test_cli_press_writes_docx(indexed_store, questions_file, tmp_path):
    out = tmp_path / "qa.docx"
    r = run_cli("press", "--questions", str(questions_file), "--out", str(out), "--store", str(indexed_store),
                "--title", "定例会見 想定問答")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "2 問の回答案を作成しました" in r.stderr and str(out) in r.stderr
    text = docx_text(out)
    assert "定例会見 想定問答" in text and all(q in text for q in QUESTIONS)
    assert "出典" in text and "[1] " in text and "責任の所在" in text


def test_cli_press_writes_markdown(indexed_store, questions_file, tmp_path):
    out = tmp_path / "qa.md"
    r = run_cli("press", "--questions", str(questions_file), "--out", str(out), "--store", str(indexed_store))
    assert r.returncode == 0, r.stderr
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# 想定問答\n") and f"## 問1　{QUESTIONS[0]}" in md and "**出典**" in md


def test_cli_press_indexes_a_fresh_store_first(questions_file, tmp_path, fixture_corpus):
    out = tmp_path / "qa.md"
    r = run_cli("press", "--questions", str(questions_file), "--out", str(out), "--store", str(tmp_path / "new"),
                env_extra={"BRIEFING_CORPUS": f'["{fixture_corpus}"]'})
    assert r.returncode == 0, r.stderr
    assert "building it from the corpus" in r.stderr and out.is_file()


@pytest.mark.parametrize("out, questions, message", [
    ("qa.pdf", None, "形式 .pdf には対応していません"),
    ("qa.docx", "missing.txt", "見つかりません"),
    ("qa.docx", "empty.txt", "質問がありません"),
], ids=["bad-suffix", "missing-questions", "no-questions"])
def test_cli_press_errors_are_plain(questions_file, tmp_path, out, questions, message):
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    qfile = tmp_path / questions if questions else questions_file
    r = run_cli("press", "--questions", str(qfile), "--out", str(tmp_path / out), "--store", str(tmp_path / "s"))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / out).exists()
