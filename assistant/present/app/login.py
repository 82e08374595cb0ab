"""Password forms: the shared password (everyone who knows it is 編集) and the approver password
(unlocks 承認 under the shared password, in the name the approver gives).

Wrong passwords are throttled per session and per client (assistant/access/throttle.py): after
five within the window an attempt waits, and an attempt made during the wait is refused without
being compared. Every failure and every refusal is an audit entry; the typed text never is.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from assistant.access import LoginThrottle
from assistant.audit import AuditError, AuditLog, event_entry
from assistant.privacy import mask_my_number
from assistant.settings import get_settings

from .access_config import configured_approver_password, configured_password

log = logging.getLogger(__name__)
APPROVER_KEY = "approver_name"   # session state: the approver's name once the approver password matched
ENDED = "_auth_ended"            # session state: why the last session ended ("logout" or "idle")


@st.cache_resource(show_spinner=False)
def _throttle(max_failures: int, window: float, backoff: float) -> LoginThrottle:
    return LoginThrottle(max_failures, window, backoff)


def throttle() -> LoginThrottle:
    s = get_settings()
    return _throttle(s.login_max_failures, s.login_window_minutes * 60, s.login_backoff_seconds)


def _session_tag() -> str:
    ctx = get_script_run_ctx()
    return hashlib.sha256((ctx.session_id if ctx else "").encode()).hexdigest()[:12]


def _client() -> str | None:
    """The visitor's address, when the connection gives one (None on localhost and in tests)."""
    try:
        ip = st.context.ip_address
    except Exception:   # no client context (bare runs)
        return None
    return ip if isinstance(ip, str) else None


def _keys() -> list[str]:
    client = _client()
    return [f"session:{_session_tag()}"] + ([f"client:{client}"] if client else [])


def matches(typed: str, expected: str) -> bool:
    """Constant-time comparison (one function, so tests can see whether a password was compared)."""
    return bool(expected) and hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def _record(event: str, target: str, **fields) -> None:
    """An audit entry for a failed or refused attempt; raises AuditError when it cannot be written."""
    AuditLog(get_settings().audit_log).append(event_entry(
        event, channel="app", target=target, client=_client(), session=_session_tag(), **fields))


def attempt(typed: str, expected: str, target: str) -> str | None:
    """Check one password attempt. Returns None when it matched, else the Japanese message to show."""
    keys, t = _keys(), throttle()
    wait = t.wait(keys)
    try:
        if wait > 0:   # refused without comparing: guessing stays slow
            _record("login_refused", target, wait_seconds=math.ceil(wait))
            log.warning("%s attempt refused during the wait (%d s left), client %s", target, math.ceil(wait), _client())
            return (f"パスワードの誤りが続いたため、受け付けを止めています。{math.ceil(wait)} 秒たってから、"
                    "もう一度入力してください（この入力は確認していません）。")
        if matches(typed, expected):
            t.succeeded(keys)
            return None
        failures = t.failed(keys)
        _record("login_failed", target, failures=failures)
    except AuditError:
        return "監査の記録に書き込めないため、ログインを受け付けられません。管理者に連絡してください。"
    log.warning("wrong %s (%d within the window), client %s", target, failures, _client())
    later = t.wait(keys)
    if later > 0:
        return (f"パスワードが違います。誤りが {failures} 回続いたため、{math.ceil(later)} 秒たってから"
                "もう一度入力してください。")
    return "パスワードが違います。もう一度入力してください。"


def ended_notice() -> None:
    """Why the person was signed out, once, on the page that signs them in again."""
    reason = st.session_state.pop(ENDED, None)
    if reason == "idle":
        minutes = get_settings().session_idle_minutes
        st.info(f"{minutes:g} 分間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
    elif reason == "logout":
        st.info("ログアウトしました。")


def password_gate() -> bool:
    """The shared-password form; True once this session has entered it."""
    if st.session_state.get("auth_ok"):
        return True
    st.title("ブリーフィング支援")
    ended_notice()
    with st.form("login", clear_on_submit=True):
        typed = st.text_input("パスワード", type="password", help="管理者から伝えられたパスワードを入力してください。")
        sent = st.form_submit_button("入る", type="primary")
    if sent:
        problem = attempt(typed, configured_password(), "password")
        if problem is None:
            st.session_state["auth_ok"] = True
            st.rerun()
        st.error(problem)
    return False


def approver_form() -> None:
    """Under the shared password: the approver gives their name and the approver password."""
    expected = configured_approver_password()
    if not expected:
        st.caption("承認者パスワード（approver_password または BRIEFING_APPROVER_PASSWORD）が設定されていないため、"
                   "この設定では誰も承認できません。管理者に設定を依頼してください。")
        return
    with st.expander("承認者として確認する", icon=":material/verified_user:"):
        st.caption("承認するには、承認者の氏名と承認者パスワードを入力してください。承認にはこの氏名と時刻が記録されます。")
        with st.form("approver_login", clear_on_submit=True):
            name = st.text_input("承認者の氏名", placeholder="例：広報課長 山田")
            typed = st.text_input("承認者パスワード", type="password")
            sent = st.form_submit_button("確認する", type="primary")
    if not sent:
        return
    if not name.strip():
        st.warning("承認者の氏名を入力してください。")
        return
    problem = attempt(typed, expected, "approver")
    if problem is not None:
        st.error(problem)
        return
    st.session_state[APPROVER_KEY] = mask_my_number(name.strip())
    st.rerun()


def leave_approver() -> None:
    st.session_state.pop(APPROVER_KEY, None)
