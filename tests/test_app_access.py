"""Access in the app (streamlit.testing): fail closed off loopback, roles on the 想定問答 page, the
approver under OIDC and under the shared password, throttled passwords, idle expiry and logout."""
from __future__ import annotations

import json
import logging

import pytest

from assistant.access import Actor, Role
from assistant.audit import AuditLog
from assistant.present.press import PressItem
from assistant.present.press_book import PressBook
from assistant.settings import get_settings
from tests.app_support import PAGE, QUESTION, app_environment, clear_caches, new_app, texts
from tests.conftest import run_cli

OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "id",
        "client_secret": "s", "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
ROLES = {"approve": ["yamada@city.example.lg.jp"], "edit": ["@koho.city.example.lg.jp"],
         "view": ["@city.example.lg.jp"]}
PEOPLE = {"閲覧": {"name": "総務課 鈴木", "email": "suzuki@city.example.lg.jp"},
          "編集": {"name": "広報課 佐藤", "email": "sato@koho.city.example.lg.jp"},
          "承認": {"name": "山田 花子", "email": "yamada@city.example.lg.jp"}}
ANSWER = "【結論】\n公金受取口座の登録事務の実施者は内閣総理大臣です。[1]"


@pytest.fixture(autouse=True)
def app_env(monkeypatch, tmp_path, server_address):
    server_address("0.0.0.0")      # reachable from the network: every test here is about who may come in
    app_environment(monkeypatch, tmp_path)
    yield
    clear_caches()


@pytest.fixture
def clock(monkeypatch):
    """Step the access clock (login waits, idle sessions) by hand."""
    now = [1000.0]
    monkeypatch.setattr("assistant.access.clock.now", lambda: now[0])
    return now


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def auth_log():
    """The gate's warnings, as logged (its once-per-process memory reset for the test)."""
    from assistant.present.app import auth
    auth._said.clear()
    handler, logger = _Lines(), logging.getLogger("assistant.present.app.auth")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def stored_draft() -> tuple[int, int]:
    """A draft with one drafted answer, made before the app starts."""
    by = Actor("広報課 佐藤", Role.EDIT, "cli")
    book = PressBook()
    did = book.create_draft("12月定例記者会見", by=by)
    [iid] = book.add_questions(did, [QUESTION], by=by)
    book.save_answer(iid, PressItem(question=QUESTION, answer=ANSWER), by=by)
    return did, iid


def oidc_app(role: str):
    at = new_app(secrets={"auth": OIDC, "roles": ROLES}, user={"is_logged_in": True, **PEOPLE[role]}).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def press_page(at):
    at.switch_page(PAGE["press_page"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at, key: str):
    return at.button(key=key)


# ---- fail closed
@pytest.mark.parametrize("address", ["0.0.0.0", None, "192.168.10.5", "briefing.city.example.lg.jp"],
                         ids=["all-interfaces", "not-set", "lan-address", "host-name"])
def test_off_loopback_without_access_control_only_the_configuration_page_is_served(server_address, auth_log,
                                                                                   address):
    server_address(address)
    stored_draft()
    at = new_app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["アクセスの設定が必要です"]
    assert "パスワードも組織アカウントでのログイン（OIDC）も設定されていません" in at.error[0].value
    assert "BRIEFING_APP_PASSWORD" in texts(at) and "[roles]" in at.code[0].value and "127.0.0.1" in texts(at)
    # nothing else ran: no input, no pages, no draft, and the index was never even loaded
    assert not at.chat_input and not at.button and not at.text_input and not at.sidebar.children
    assert "12月定例記者会見" not in texts(at) and not (get_settings().store / "CURRENT").exists()
    assert [line for line in auth_log if "serving only the configuration page" in line]


def test_allow_open_serves_the_app_with_a_banner_on_every_page_and_logs_it(monkeypatch, auth_log):
    monkeypatch.setenv("BRIEFING_ALLOW_OPEN", "1")
    get_settings.cache_clear()
    at = new_app().run()
    assert not at.exception and at.chat_input
    assert "アクセス制御なしで公開中" in at.warning[0].value and "0.0.0.0" in at.warning[0].value
    press_page(at)
    assert "アクセス制御なしで公開中" in at.warning[0].value and at.text_input(key="new_title")
    assert auth_log == [
        "BRIEFING_ALLOW_OPEN=1: serving without access control on 0.0.0.0"]   # once, not per rerun


def test_on_loopback_the_app_opens_without_a_banner(server_address):
    server_address("127.0.0.1")
    at = new_app().run()
    assert at.chat_input and not at.warning


@pytest.mark.parametrize("secrets", [{"password": "himitsu"}, {"auth": OIDC}], ids=["password", "oidc"])
def test_with_access_control_a_reachable_app_asks_for_login(secrets):
    at = new_app(secrets=secrets).run()
    assert not at.exception and not at.chat_input and "アクセスの設定が必要です" not in texts(at)
    assert at.text_input or "ログインが必要です" in texts(at)


# ---- roles (OIDC)
def test_a_reader_can_read_but_not_edit_or_approve():
    _, iid = stored_draft()
    at = press_page(oidc_app("閲覧"))
    assert "ログイン中：総務課 鈴木（権限：閲覧）" in texts(at)
    assert "あなたの権限は「閲覧」です" in at.info[0].value
    box = at.text_area(key=f"ans-{iid}")
    assert box.value == ANSWER and box.disabled
    for key in (f"save-{iid}", f"approve-{iid}", f"redo-{iid}", f"del-{iid}", "draft_all"):
        assert button(at, key).disabled, key
    assert "「承認」の権限が必要" in button(at, f"approve-{iid}").help
    assert not [t for t in at.text_input if t.key in ("new_title", "q_one")]   # no creating, no adding
    # (a click on a disabled button cannot be sent; the book refuses it anyway: tests/test_press.py)


def test_an_editor_can_edit_but_not_approve():
    did, iid = stored_draft()
    at = press_page(oidc_app("編集"))
    assert "あなたの権限は「編集」です" in at.info[0].value and "承認は「承認」の権限を持つ人が行います" in at.info[0].value
    assert not at.text_area(key=f"ans-{iid}").disabled and not button(at, f"save-{iid}").disabled
    assert button(at, f"approve-{iid}").disabled
    at.text_area(key=f"ans-{iid}").input("市は窓口での登録支援を担いました。[1]")
    button(at, f"save-{iid}").click().run()
    it = PressBook().get_draft(did).items[0]
    assert it.final_answer == "市は窓口での登録支援を担いました。[1]" and not it.approved
    assert "「承認」の権限が必要" in button(at, f"approve-{iid}").help


def test_an_approver_approves_as_the_signed_in_person_with_no_name_field():
    did, iid = stored_draft()
    at = press_page(oidc_app("承認"))
    assert not [t for t in at.text_input if t.label == "承認者名" or t.key == "approver"]   # nothing to type
    assert "承認者：山田 花子 <yamada@city.example.lg.jp>（ログイン中のアカウント）" in texts(at)
    at.session_state["approver"] = "広報課長（なりすまし）"   # even a forged field value is ignored
    button(at, f"approve-{iid}").click().run()
    assert not at.exception
    it = PressBook().get_draft(did).items[0]
    assert it.approved and it.approver == "山田 花子 <yamada@city.example.lg.jp>"
    assert any(s.value.startswith("承認済み：山田 花子 <yamada@city.example.lg.jp>") for s in at.success)
    [entry] = [e for e in AuditLog(get_settings().audit_log).entries() if e.get("action") == "approve"]
    assert entry["user"] == "山田 花子 <yamada@city.example.lg.jp>" and entry["auth"] == "oidc"
    assert entry["role"] == "承認" and "なりすまし" not in json.dumps(entry, ensure_ascii=False)
    button(at, f"unapprove-{iid}").click().run()
    assert not PressBook().get_draft(did).items[0].approved


def test_an_account_matching_no_role_is_refused():
    at = new_app(secrets={"auth": OIDC, "roles": ROLES},
                 user={"is_logged_in": True, "name": "外部 太郎", "email": "taro@example.org"}).run()
    assert not at.chat_input and "権限が割り当てられていません" in at.error[0].value
    assert [b.label for b in at.button] == ["ログアウト"]


# ---- the shared password and the approver password
def login(at, password: str):
    at.text_input[0].input(password)
    at.button[0].click().run()
    return at


def test_under_the_shared_password_everyone_edits_and_approval_needs_the_approver_password(monkeypatch):
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    monkeypatch.setenv("BRIEFING_APPROVER_PASSWORD", "kessai")
    get_settings.cache_clear()
    did, iid = stored_draft()
    at = press_page(login(new_app().run(), "himitsu"))
    assert "共有パスワードでログイン中（権限：編集）" in texts(at)
    assert button(at, f"approve-{iid}").disabled and not at.text_area(key=f"ans-{iid}").disabled
    assert "承認者パスワードを入力すると承認できます" in at.info[0].value
    assert not [t for t in at.text_input if t.label == "承認者名"]
    name, password = [t for t in at.text_input if t.label in ("承認者の氏名", "承認者パスワード")]
    name.input("広報課長 山田")
    password.input("違う")
    at.button[[b.label for b in at.button].index("確認する")].click().run()
    assert "パスワードが違います" in texts(at) and button(at, f"approve-{iid}").disabled
    name, password = [t for t in at.text_input if t.label in ("承認者の氏名", "承認者パスワード")]
    name.input("広報課長 山田")
    password.input("kessai")
    at.button[[b.label for b in at.button].index("確認する")].click().run()
    assert "承認者：広報課長 山田（承認者パスワードで確認済み）" in texts(at)
    button(at, f"approve-{iid}").click().run()
    it = PressBook().get_draft(did).items[0]
    assert it.approved and it.approver == "広報課長 山田"
    entries = AuditLog(get_settings().audit_log).entries()
    assert [e["target"] for e in entries if e.get("event") == "login_failed"] == ["approver"]
    assert [(e["user"], e["auth"]) for e in entries if e.get("action") == "approve"] == [("広報課長 山田", "approver")]
    button(at, "leave_approver").click().run()
    assert button(at, f"unapprove-{iid}").disabled       # back to 編集


def test_without_an_approver_password_no_one_can_approve_under_the_shared_password(monkeypatch):
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    get_settings.cache_clear()
    _, iid = stored_draft()
    at = press_page(login(new_app().run(), "himitsu"))
    assert "誰も承認できません" in texts(at) and button(at, f"approve-{iid}").disabled


# ---- throttling
def test_the_sixth_wrong_password_is_refused_unchecked_and_every_failure_is_on_the_record(monkeypatch, clock):
    from assistant.present.app import login as login_module
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    get_settings.cache_clear()
    compared = []
    real = login_module.matches
    monkeypatch.setattr(login_module, "matches", lambda typed, expected: compared.append(typed) or real(typed, expected))
    at = new_app().run()
    for n in range(1, 6):
        login(at, f"guess-{n}")
        clock[0] += 1
    assert compared == [f"guess-{n}" for n in range(1, 6)]
    assert "誤りが 5 回続いたため" in at.error[0].value
    login(at, "guess-6")                                # within the wait: not compared at all
    assert compared == [f"guess-{n}" for n in range(1, 6)] and "この入力は確認していません" in at.error[0].value
    login(at, "himitsu")                                # nor is the right one, until the wait is over
    assert not at.chat_input and len(compared) == 5
    clock[0] += 31
    login(at, "himitsu")
    assert at.chat_input and compared[-1] == "himitsu"

    entries = AuditLog(get_settings().audit_log).entries()
    assert [e["event"] for e in entries] == ["login_failed"] * 5 + ["login_refused"] * 2
    assert [e["failures"] for e in entries[:5]] == [1, 2, 3, 4, 5] and entries[5]["wait_seconds"] == 29
    raw = get_settings().audit_log.read_text(encoding="utf-8")
    assert "guess" not in raw and "himitsu" not in raw            # never the typed text
    shown = run_cli("audit", "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("ログイン失敗（共有パスワード") == 5 and "5 回目" in shown.stdout
    assert shown.stdout.count("ログイン拒否：待機中のため照合せず") == 2
    assert run_cli("audit", "verify").returncode == 0


def test_a_new_session_does_not_reset_the_wait(monkeypatch, clock):
    """The throttle lives in the server process, so reloading the page (a new session) does not help.
    (AppTest runs share one session id, standing in for one client that keeps coming back.)"""
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    get_settings.cache_clear()
    at = new_app().run()
    for n in range(5):
        login(at, f"guess-{n}")
    again = login(new_app().run(), "himitsu")
    assert not again.chat_input and "この入力は確認していません" in again.error[0].value


# ---- sessions
def test_an_idle_session_expires_after_the_configured_time(monkeypatch, clock):
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    monkeypatch.setenv("BRIEFING_SESSION_IDLE_MINUTES", "5")
    get_settings.cache_clear()
    at = login(new_app().run(), "himitsu")
    at.session_state["turns"] = [{"question": QUESTION}]
    clock[0] += 4 * 60
    at.run()
    assert at.chat_input                                  # used within five minutes: still signed in
    clock[0] += 5 * 60 + 1
    at.run()
    assert not at.chat_input and at.text_input[0].label == "パスワード"
    assert "5 分間操作がなかったため、ログアウトしました" in at.info[0].value
    assert "turns" not in list(at.session_state) and "auth_ok" not in list(at.session_state)


def test_the_default_idle_time_is_thirty_minutes():
    assert get_settings().session_idle_minutes == 30


def test_an_action_from_an_expired_session_is_not_carried_out(clock):
    did, iid = stored_draft()
    at = press_page(oidc_app("編集"))
    clock[0] += 31 * 60
    button(at, f"del-{iid}").click().run()                 # the click's callback runs before the gate
    assert len(PressBook().get_draft(did).items) == 1
    assert at.user["is_logged_in"] is False               # and the session was signed out


def test_logout_clears_the_session(monkeypatch):
    monkeypatch.setenv("BRIEFING_APP_PASSWORD", "himitsu")
    get_settings.cache_clear()
    at = login(new_app().run(), "himitsu")
    at.session_state["turns"] = [{"question": QUESTION}]
    button(at, "logout").click().run()
    assert not at.chat_input and at.text_input[0].label == "パスワード" and "ログアウトしました" in texts(at)
    kept = [k for k in at.session_state if not str(k).startswith("FormSubmitter:")]   # the new login form's own
    assert kept == []


def test_oidc_logout_signs_out_and_clears_the_session():
    at = oidc_app("承認")
    at.session_state["turns"] = [{"question": QUESTION}]
    button(at, "logout").click().run()
    assert at.user["is_logged_in"] is False and "turns" not in list(at.session_state)
    assert "ログインが必要です" in texts(at)
