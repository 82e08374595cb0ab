"""The draft trail: every change to a press draft in the audit chain, readable per draft with
`briefing audit show --draft ID`, checked by `briefing audit verify`, and tied to exports by hash."""
from __future__ import annotations

import hashlib
import io
import json
import shutil

import pytest
from docx import Document

from assistant.access import Actor, Role
from assistant.audit import AuditError, AuditLog
from assistant.present.draft_trail import AUTO_WITHDRAW, history
from assistant.present.press import PressItem
from assistant.present.press_book import PressBook
from assistant.settings import get_settings
from tests.app_support import PAGE, QUESTION, app_environment, capture_downloads, clear_caches, new_app
from tests.conftest import run_cli

OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "id",
        "client_secret": "s", "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
ROLES = {"approve": ["yamada@city.example.lg.jp"], "edit": ["@koho.city.example.lg.jp"]}
APPROVER = {"name": "山田 花子", "email": "yamada@city.example.lg.jp"}
EDITOR = {"name": "広報課 佐藤", "email": "sato@koho.city.example.lg.jp"}
FIRST_EDIT = "市は窓口での登録支援を担いました。[1]"
SECOND_EDIT = "市は窓口での登録支援を担い、共用端末の運用を見直します。[1]"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def app_env(monkeypatch, tmp_path, server_address):
    server_address("0.0.0.0")
    app_environment(monkeypatch, tmp_path)
    yield
    clear_caches()


def signed_in(person: dict):
    at = new_app(secrets={"auth": OIDC, "roles": ROLES}, user={"is_logged_in": True, **person}).run()
    at.switch_page(PAGE["press_page"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def edit_and_save(at, iid: int, text: str):
    at.text_area(key=f"ans-{iid}").input(text)
    at.button(key=f"save-{iid}").click().run()
    assert not at.exception


@pytest.fixture
def trail(app_env, monkeypatch):
    """create → edit → approve → edit (approval withdrawn) → approve → export, in the app, by two people."""
    downloads = capture_downloads(monkeypatch)
    chief = signed_in(APPROVER)
    chief.text_input(key="new_title").input("12月定例記者会見")
    chief.button(key="create_draft").click().run()
    chief.text_input(key="q_one").input(QUESTION)
    chief.button(key="add_one").click().run()
    chief.button(key="draft_all").click().run()
    [draft] = PressBook().list_drafts()
    [item] = PressBook().get_draft(draft.id).items
    edit_and_save(chief, item.id, FIRST_EDIT)
    chief.button(key=f"approve-{item.id}").click().run()
    assert PressBook().get_draft(draft.id).items[0].approved

    staff = signed_in(EDITOR)                      # another person edits the approved answer
    edit_and_save(staff, item.id, SECOND_EDIT)
    assert not PressBook().get_draft(draft.id).items[0].approved
    assert any("承認は取り消され" in s.value for s in staff.success)

    chief.run()
    chief.button(key=f"approve-{item.id}").click().run()
    chief.button(key="export-docx").click().run()
    assert not chief.exception
    return draft.id, item.id, downloads["12月定例記者会見.docx"]


def test_every_step_is_on_the_record_in_order_with_who_and_the_text_hashes(trail):
    did, iid, _ = trail
    entries = history(AuditLog(get_settings().audit_log), did)
    steps = [(e["action"], e["user"]) for e in entries]
    chief, staff = "山田 花子 <yamada@city.example.lg.jp>", "広報課 佐藤 <sato@koho.city.example.lg.jp>"
    assert steps == [("create", chief), ("add", chief), ("draft", chief), ("edit", chief), ("approve", chief),
                     ("edit", staff), ("withdraw", staff), ("approve", chief), ("export", chief)]
    by_step = dict(zip(["create", "add", "draft", "edit1", "approve1", "edit2", "withdraw", "approve2", "export"],
                       entries))
    drafted = by_step["draft"]["after_sha256"]
    assert by_step["edit1"]["before_sha256"] == drafted and by_step["edit1"]["after_sha256"] == sha(FIRST_EDIT)
    assert by_step["approve1"]["after_sha256"] == sha(FIRST_EDIT) and by_step["approve1"]["role"] == "承認"
    assert (by_step["edit2"]["before_sha256"], by_step["edit2"]["after_sha256"]) == (sha(FIRST_EDIT), sha(SECOND_EDIT))
    assert by_step["edit2"]["role"] == "編集" and by_step["edit2"]["item"] == iid
    auto = by_step["withdraw"]
    assert auto["reason"] == AUTO_WITHDRAW and auto["approved_sha256"] == sha(FIRST_EDIT) and auto["approver"] == chief
    assert by_step["approve2"]["after_sha256"] == sha(SECOND_EDIT)
    assert by_step["export"]["items"] == [{"item": iid, "sha256": sha(SECOND_EDIT), "approver": chief,
                                           "approved_at": by_step["approve2"]["approved_at"]}]
    assert all(e["time"] and e["auth"] == "oidc" and e["channel"] == "press" for e in entries)


def test_audit_show_draft_lists_the_six_steps_and_verify_passes(trail):
    did, iid, _ = trail
    shown = run_cli("audit", "show", "--draft", str(did))
    assert shown.returncode == 0, shown.stderr
    heads = [ln for ln in shown.stdout.splitlines() if ln.startswith("#")]
    actions = [h.split(f"想定問答 No.{did}")[1].split(" — ")[0].split()[-1] for h in heads]
    assert actions == ["作成", "質問追加", "回答案作成", "編集", "承認", "編集", "承認取消", "承認", "書き出し"]
    assert f"本文 SHA-256: {sha(FIRST_EDIT)[:16]} → {sha(SECOND_EDIT)[:16]}" in shown.stdout
    assert f"理由: {AUTO_WITHDRAW}" in shown.stdout and "（編集・組織アカウント）" in shown.stdout
    assert "問: " + QUESTION in shown.stdout and "[press]" in heads[0]
    other = run_cli("audit", "show", "--draft", str(did + 1))
    assert other.returncode == 1 and f"想定問答 No.{did + 1} の記録はありません" in other.stderr
    jsonl = run_cli("audit", "show", "--draft", str(did), "--format", "jsonl")
    assert [json.loads(ln)["action"] for ln in jsonl.stdout.splitlines()][-1] == "export"
    ok = run_cli("audit", "verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout


def test_a_hand_edit_of_any_step_makes_verify_fail(trail, tmp_path):
    did, _, _ = trail
    log = get_settings().audit_log
    seqs = [e["seq"] for e in history(AuditLog(log), did) if e["action"] in ("create", "edit", "approve", "export")]
    assert len(seqs) == 6
    lines = log.read_text(encoding="utf-8").splitlines()
    for seq in seqs:
        copy = tmp_path / f"edited-{seq}.jsonl"
        shutil.copy(log.with_name(log.name + ".head"), copy.with_name(copy.name + ".head"))
        edited = list(lines)
        entry = json.loads(edited[seq - 1])
        entry["user"] = "広報課長（書き換え）"             # who approved, edited, … rewritten afterwards
        edited[seq - 1] = json.dumps(entry, ensure_ascii=False)
        copy.write_text("\n".join(edited) + "\n", encoding="utf-8")
        bad = run_cli("audit", "verify", "--log", str(copy))
        assert bad.returncode == 1 and f"seq {seq}): content does not match its hash (edited)" in bad.stderr


def test_the_exported_footer_matches_the_trail(trail):
    did, _, docx = trail
    doc = Document(io.BytesIO(docx))
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    approve = [e for e in history(AuditLog(get_settings().audit_log), did) if e["action"] == "approve"][-1]
    assert footer.startswith(f"想定問答 No.{did}　承認記録")
    assert f"問1 承認 山田 花子 <yamada@city.example.lg.jp>" in footer
    assert f"#{approve['after_sha256'][:16]}" in footer
    body = "\n".join(p.text for p in doc.paragraphs)
    assert SECOND_EDIT in body and f"本文 SHA-256：{approve['after_sha256'][:16]}" in body
    export = history(AuditLog(get_settings().audit_log), did)[-1]
    assert export["file_sha256"] == hashlib.sha256(docx).hexdigest()   # the very file handed out


def test_an_approver_never_approves_text_they_have_not_seen(app_env):
    by = Actor("広報課 佐藤", Role.EDIT, "cli")
    book = PressBook()
    did = book.create_draft("会見", by=by)
    [iid] = book.add_questions(did, [QUESTION], by=by)
    book.save_answer(iid, PressItem(question=QUESTION, answer="回答案。[1]"), by=by)
    chief, staff = signed_in(APPROVER), signed_in(EDITOR)     # both have the page open
    edit_and_save(staff, iid, SECOND_EDIT)
    chief.button(key=f"approve-{iid}").click().run()           # the chief still had the old text in front of them
    assert not book.get_draft(did).items[0].approved
    assert any("別の人（または別のタブ）が変更しました" in w.value for w in chief.warning)
    assert chief.text_area(key=f"ans-{iid}").value == SECOND_EDIT  # now they see the new text
    chief.button(key=f"approve-{iid}").click().run()
    it = book.get_draft(did).items[0]
    assert it.approved and it.final_answer == SECOND_EDIT


# ---- the book on its own
BY = Actor("広報課 山田", Role.APPROVE, "open")


def test_delete_and_manual_withdrawal_are_recorded(tmp_path):
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=BY)
    a, b = book.add_questions(did, ["一つ目の質問", "二つ目の質問"], by=BY)
    book.save_answer(a, PressItem(question="一つ目の質問", answer="回答A"), by=BY)
    book.approve(a, by=BY)
    book.withdraw_approval(a, by=BY)
    book.delete_item(b, by=BY)
    book.delete_draft(did, by=BY)
    entries = history(AuditLog(get_settings().audit_log), did)
    assert [(e["action"], e["item"]) for e in entries] == [
        ("create", None), ("add", a), ("add", b), ("draft", a), ("approve", a), ("withdraw", a), ("delete", b),
        ("delete", None)]
    assert entries[5]["approver"] == "広報課 山田" and "reason" not in entries[5]   # by hand, not automatic
    assert entries[7]["title"] == "会見"


def test_approval_of_a_text_other_than_the_one_shown_is_refused(tmp_path):
    from assistant.present.localdb import LocalDBError
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=BY)
    [a] = book.add_questions(did, ["質問"], by=BY)
    book.edit(a, "いまの回答。", by=BY)
    with pytest.raises(LocalDBError, match="別の人が変更しました"):
        book.approve(a, sha("前に見た回答。"), by=BY)
    assert not book.get_draft(did).items[0].approved
    book.approve(a, sha("いまの回答。"), by=BY)
    assert book.get_draft(did).items[0].approved


def test_an_edit_that_changes_nothing_leaves_no_entry(tmp_path):
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=BY)
    [a] = book.add_questions(did, ["質問"], by=BY)
    book.edit(a, "回答。", by=BY)
    before = len(AuditLog(get_settings().audit_log).entries())
    assert book.edit(a, "  回答。 ", by=BY) is False
    assert len(AuditLog(get_settings().audit_log).entries()) == before


def test_a_change_that_cannot_be_recorded_is_not_made(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    book = PressBook(tmp_path / "p.sqlite3")
    did = book.create_draft("会見", by=BY)
    [a] = book.add_questions(did, ["質問"], by=BY)
    book.edit(a, "記録された回答。", by=BY)
    unrecorded = PressBook(tmp_path / "p.sqlite3", audit_log=blocker / "audit.jsonl")
    with pytest.raises(AuditError):
        unrecorded.edit(a, "記録されない回答。", by=BY)
    with pytest.raises(AuditError):
        unrecorded.approve(a, by=BY)
    it = book.get_draft(did).items[0]
    assert it.final_answer == "記録された回答。" and not it.approved       # rolled back
