"""Staff's own records outside the index folder: the data folder, migration from the old place, WAL,
`briefing press --save`, `briefing drafts list|export`, `briefing backup`, and surviving `make clean`."""
from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import zipfile

import pytest
from docx import Document

from assistant.access import Actor, Role
from assistant.audit import AuditLog, verify
from assistant.present.cli import main
from assistant.present.draft_trail import history
from assistant.present.feedback import FeedbackStore
from assistant.present.localdb import LocalDBError
from assistant.present.press_book import PressBook
from assistant.settings import get_settings
from tests.conftest import ROOT

QUESTIONS = ["公金受取口座の誤登録は市の責任ですか？", "保険証の紐付け誤りはなぜ起きたのか"]
EDITOR = Actor("広報課 佐藤", Role.EDIT, "cli")
APPROVER = Actor("広報課 山田", Role.APPROVE, "open")


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def questions_file(tmp_path):
    f = tmp_path / "questions.txt"
    f.write_text("\n".join(QUESTIONS) + "\n", encoding="utf-8")
    return f


@pytest.fixture
def cli_index(fixture_corpus):
    """The fixture corpus indexed into the test's store by `briefing index` (released afterwards)."""
    assert main(["index", "--corpus", str(fixture_corpus), "--quiet"]) == 0


def drafts_json(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["drafts", "list", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


# ---- where the files are, and how they are opened
def test_drafts_and_feedback_live_in_the_data_folder_not_the_index_folder():
    s = get_settings()
    book, fb = PressBook(), FeedbackStore()
    assert book.path == s.data / "press.sqlite3" and fb.path == s.data / "feedback.sqlite3"
    assert not (s.store / "press.sqlite3").exists() and not (s.store / "app.sqlite3").exists()


def test_the_databases_use_wal_and_a_busy_timeout(tmp_path):
    book = PressBook(tmp_path / "p.sqlite3", timeout=2.5)
    did = book.create_draft("会見", by=EDITOR)
    with book.db.connect() as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
    # WAL: a writer holding the file does not stop staff from reading the drafts
    writer = sqlite3.connect(tmp_path / "p.sqlite3", isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO drafts (title, created) VALUES ('書きかけ', '2026-12-01')")
    try:
        assert [d.id for d in book.list_drafts()] == [did]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# ---- migration from the index folder
def _old_files(store):
    """Drafts and feedback where earlier versions kept them (inside the index folder)."""
    old = PressBook(store / "press.sqlite3")
    did = old.create_draft("11月定例記者会見", by=EDITOR)
    [iid] = old.add_questions(did, [QUESTIONS[0]], by=EDITOR)
    old.edit(iid, "市は窓口で登録を支援した立場です。[1]", by=EDITOR)
    old.approve(iid, by=APPROVER)
    FeedbackStore(store / "app.sqlite3").record("down", "保険証の質問", comment="根拠が足りない")
    return did


def test_old_drafts_and_feedback_are_migrated_on_first_open_and_the_old_files_kept():
    s = get_settings()
    did = _old_files(s.store)
    old_bytes = (s.store / "press.sqlite3").read_bytes()

    book = PressBook()
    [draft] = book.list_drafts()
    it = book.get_draft(draft.id).items[0]
    assert draft.id == did and draft.title == "11月定例記者会見"
    assert it.final_answer == "市は窓口で登録を支援した立場です。[1]" and it.approved and it.approver == "広報課 山田"
    assert [f.comment for f in FeedbackStore().list()] == ["根拠が足りない"]

    assert not (s.store / "press.sqlite3").exists() and not (s.store / "app.sqlite3").exists()
    kept = s.store / "press.sqlite3.migrated"
    assert kept.read_bytes() == old_bytes and (s.store / "app.sqlite3.migrated").is_file()   # nothing deleted
    assert (s.data / "press.sqlite3").is_file() and (s.data / "feedback.sqlite3").is_file()

    book.create_draft("12月定例記者会見", by=EDITOR)   # later opens use the new file only
    assert [d.title for d in PressBook().list_drafts()] == ["12月定例記者会見", "11月定例記者会見"]
    assert kept.read_bytes() == old_bytes


def test_migration_happens_through_the_command_line_too(capsys):
    _old_files(get_settings().store)
    assert [d["title"] for d in drafts_json(capsys)] == ["11月定例記者会見"]


def test_an_old_file_does_not_replace_drafts_already_in_the_data_folder():
    s = get_settings()
    PressBook().create_draft("新しい場所の下書き", by=EDITOR)
    _old_files(s.store)
    assert [d.title for d in PressBook().list_drafts()] == ["新しい場所の下書き"]
    assert (s.store / "press.sqlite3").is_file()   # left where it is, untouched, for someone to look at


def test_a_damaged_old_file_is_moved_as_it_is_and_explained():
    s = get_settings()
    s.store.mkdir(parents=True)
    (s.store / "press.sqlite3").write_bytes(b"not sqlite" * 300)
    with pytest.raises(LocalDBError, match="壊れて"):
        PressBook()
    assert (s.data / "press.sqlite3").read_bytes() == b"not sqlite" * 300
    assert (s.store / "press.sqlite3.migrated").is_file()


# ---- briefing press --save, drafts list / export
def test_press_save_keeps_a_draft_that_drafts_list_and_export_show(cli_index, questions_file, tmp_path, capsys):
    out = tmp_path / "qa.docx"
    assert main(["press", "--questions", str(questions_file), "--out", str(out), "--save", "--title", "定例会見"]) == 0
    assert "想定問答 No.1 として保存しました" in capsys.readouterr().err
    assert "想定問答 No.1" in "\n".join(p.text for p in Document(str(out)).sections[0].footer.paragraphs)

    book = PressBook()
    draft = book.get_draft(1)
    assert draft.title == "定例会見" and [it.question for it in draft.items] == QUESTIONS
    assert all(it.drafted and it.citations for it in draft.items) and not any(it.approved for it in draft.items)
    book.approve(draft.items[0].id, by=APPROVER)

    [row] = drafts_json(capsys)
    assert row == {"id": 1, "title": "定例会見", "created": draft.created, "questions": 2, "approved": 1}
    assert main(["drafts", "list"]) == 0
    assert "No.1" in (text := capsys.readouterr().out) and "定例会見" in text and "2 問（承認済み 1）" in text

    assert main(["drafts", "export", "1", "--out", str(tmp_path / "again.docx")]) == 0
    text = docx_text((tmp_path / "again.docx").read_bytes())
    assert all(q in text for q in QUESTIONS) and "承認済み：広報課 山田" in text and "出典" in text
    assert main(["drafts", "export", "1", "--out", str(tmp_path / "again.md")]) == 0
    assert f"## 問1　{QUESTIONS[0]}" in (tmp_path / "again.md").read_text(encoding="utf-8")

    trail = history(AuditLog(get_settings().audit_log), 1)
    assert [e["action"] for e in trail][:2] == ["create", "add"] and trail[-1]["action"] == "export"
    assert {e["auth"] for e in trail if e["action"] != "approve"} == {"cli"}


def test_drafts_commands_explain_bad_input(capsys, tmp_path):
    assert drafts_json(capsys) == []
    assert main(["drafts", "export", "7", "--out", str(tmp_path / "x.docx")]) == 2
    assert "想定問答（番号 7）が見つかりません" in capsys.readouterr().err
    assert main(["drafts", "export", "1", "--out", str(tmp_path / "x.pdf")]) == 2
    assert ".pdf には対応していません" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "x.pdf").exists()


def test_press_save_opened_in_the_app_press_page(cli_index, questions_file, tmp_path, monkeypatch):
    from tests.app_support import PAGE, app_environment, clear_caches, run_app, texts
    assert main(["press", "--questions", str(questions_file), "--out", str(tmp_path / "qa.md"), "--save",
                 "--title", "コマンドで作った想定問答"]) == 0
    app_environment(monkeypatch, tmp_path)
    try:
        at = run_app()
        at.switch_page(PAGE["press_page"]).run()
        assert not at.exception
        box = at.selectbox(key="press_draft")
        assert box.value == 1 and "No.1 コマンドで作った想定問答" in box.options[0]
        assert "質問と回答（2 問）" in [h.value for h in at.subheader]
    finally:
        clear_caches()


# ---- deleting the index, make clean, rebuilding
def test_a_saved_draft_survives_deleting_the_index_make_clean_and_a_rebuild(tmp_path, monkeypatch, capsys,
                                                                            questions_file, fixture_corpus):
    work = tmp_path / "install"   # a copy of the project's top folder, with the default relative folders
    work.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, work / name)
    monkeypatch.chdir(work)
    for key in ("BRIEFING_STORE", "BRIEFING_DATA", "BRIEFING_AUDIT_LOG"):
        monkeypatch.delenv(key)
    get_settings.cache_clear()
    assert main(["index", "--corpus", str(fixture_corpus), "--quiet"]) == 0
    assert main(["press", "--questions", str(questions_file), "--out", "qa.md", "--save"]) == 0
    assert (work / ".briefing" / "CURRENT").is_file() and (work / ".briefing-data" / "press.sqlite3").is_file()

    shutil.rmtree(work / ".briefing")                              # "the index can be deleted at any time"
    assert [d["questions"] for d in drafts_json(capsys)] == [2]
    assert main(["index", "--corpus", str(fixture_corpus), "--quiet"]) == 0
    r = subprocess.run(["make", "clean"], cwd=work, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not (work / ".briefing").exists()                       # make clean did remove the index

    assert [(d["id"], d["questions"]) for d in drafts_json(capsys)] == [(1, 2)]
    assert main(["drafts", "export", "1", "--out", "after.docx"]) == 0
    assert all(q in docx_text((work / "after.docx").read_bytes()) for q in QUESTIONS)
    assert main(["index", "--corpus", str(fixture_corpus), "--quiet"]) == 0    # a rebuild
    assert [d["id"] for d in drafts_json(capsys)] == [1]


# ---- backup
def _some_records(briefing):
    book = PressBook()
    did = book.create_draft("12月定例記者会見", by=EDITOR)
    book.add_questions(did, QUESTIONS, by=EDITOR)
    book.draft_answers(did, briefing, by=EDITOR)
    FeedbackStore().record("up", QUESTIONS[0], comment="わかりやすい")
    return did


def test_backup_to_a_zip_holds_drafts_feedback_and_the_audit_trail(briefing, tmp_path, capsys):
    did = _some_records(briefing)
    writer = sqlite3.connect(get_settings().data / "press.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")    # a change half-way when the backup runs: not copied, not waited for
    writer.execute("INSERT INTO drafts (title, created) VALUES ('書きかけ', '2026-12-01')")
    try:
        assert main(["backup", "--out", str(tmp_path / "b" / "backup.zip")]) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "backup.zip" in capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "b" / "backup.zip") as zf:
        assert set(zf.namelist()) == {"README.txt", "data/press.sqlite3", "data/feedback.sqlite3",
                                      "audit/audit.jsonl", "audit/audit.jsonl.head"}
        zf.extractall(tmp_path / "restored")
    r = tmp_path / "restored"
    assert [d.title for d in PressBook(r / "data" / "press.sqlite3").list_drafts()] == ["12月定例記者会見"]
    assert len(PressBook(r / "data" / "press.sqlite3").get_draft(did).items) == 2
    assert [f.comment for f in FeedbackStore(r / "data" / "feedback.sqlite3").list()] == ["わかりやすい"]
    assert verify(r / "audit" / "audit.jsonl").ok
    assert "BRIEFING_DATA" in (r / "README.txt").read_text(encoding="utf-8")


def test_backup_to_a_folder_and_never_over_an_existing_one(briefing, tmp_path, capsys):
    _some_records(briefing)
    assert main(["backup", "--out", str(tmp_path / "backup-1205")]) == 0
    assert (tmp_path / "backup-1205" / "data" / "press.sqlite3").is_file()
    before = (tmp_path / "backup-1205" / "data" / "press.sqlite3").read_bytes()
    assert main(["backup", "--out", str(tmp_path / "backup-1205")]) == 2
    assert "すでにあります" in capsys.readouterr().err
    assert (tmp_path / "backup-1205" / "data" / "press.sqlite3").read_bytes() == before
