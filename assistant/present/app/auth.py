"""The gate every page passes: who is using the app, in which role, and whether the app may be
served at all.

- Bound to a non-loopback address (judged from `server.address`, not from the visitor) with neither
  a password nor OIDC configured, the app serves only the configuration page (`setup_page.py`);
  BRIEFING_ALLOW_OPEN=1 opts out, logged and shown as a banner.
- `[auth]` in .streamlit/secrets.toml (OIDC) → Streamlit's own login (`st.login`); the role comes
  from `[roles]` (assistant/access/roles.py) and the approver is the signed-in person.
- `password` in secrets, or BRIEFING_APP_PASSWORD → a shared password: everyone is 編集; the
  approver password (`approver_password` / BRIEFING_APPROVER_PASSWORD) unlocks 承認 (`login.py`).
- Neither, on loopback → one person at this computer: 承認, the approver's name typed.

A signed-in session ends after BRIEFING_SESSION_IDLE_MINUTES without use; logging out clears it.
"""
from __future__ import annotations

import logging
import threading

import streamlit as st

from assistant.access import Actor, Role, clock, is_loopback
from assistant.settings import get_settings

from . import login, setup_page
from .access_config import configured_password, oidc_configured, role_map

log = logging.getLogger(__name__)
OPEN_NAME = "（認証なし）"
PASSWORD_NAME = "（共有パスワードでログイン）"
_LAST_ACTIVE = "_auth_last_active"
_said: set[str] = set()
_said_lock = threading.Lock()


def server_address() -> str | None:
    return st.get_option("server.address")


def protected() -> bool:
    return bool(configured_password() or oidc_configured())


def _say_once(key: str, message: str, *args) -> None:
    """Log a warning once per process (every rerun passes the gate)."""
    with _said_lock:
        if key in _said:
            return
        _said.add(key)
    log.warning(message, *args)


# ---- sessions
def _signed_in() -> bool:
    return bool(st.session_state.get("auth_ok") or (oidc_configured() and st.user.get("is_logged_in", False)))


def _idle_expired() -> bool:
    last = st.session_state.get(_LAST_ACTIVE)
    return last is not None and clock.now() - last > get_settings().session_idle_minutes * 60


def clear_session() -> None:
    for key in list(st.session_state):
        del st.session_state[key]


def logout() -> None:
    """Sign out and forget everything this session held (a button callback)."""
    clear_session()
    st.session_state[login.ENDED] = "logout"
    if oidc_configured():
        st.logout()


def _expire() -> None:
    clear_session()
    st.session_state[login.ENDED] = "idle"
    if oidc_configured():
        st.logout()


# ---- who
def current_actor() -> Actor | None:
    """The person using this session and their role; None when no one may act (not signed in,
    the session has gone idle, or the app is closed)."""
    if _signed_in() and _idle_expired():
        return None
    if oidc_configured():
        if not st.user.get("is_logged_in", False):
            return None
        email = str(st.user.get("email") or "")
        role = role_map().role_for(email, st.user.get("email_verified"))
        if role is None or (configured_password() and not st.session_state.get("auth_ok")):
            return None
        return Actor(str(st.user.get("name") or email or "（名前のないアカウント）"), role, "oidc", email)
    if configured_password():
        if not st.session_state.get("auth_ok"):
            return None
        approver = st.session_state.get(login.APPROVER_KEY)
        return Actor(approver, Role.APPROVE, "approver") if approver else Actor(PASSWORD_NAME, Role.EDIT, "password")
    if not is_loopback(server_address()) and not get_settings().allow_open:
        return None
    return Actor(OPEN_NAME, Role.APPROVE, "open")


def current_user() -> str | None:
    """Who is asking, for the audit log: None when access control is off."""
    actor = current_actor()
    return None if actor is None or actor.auth == "open" else actor.name


# ---- the gate
def gate() -> bool:
    """True when the visitor may use the app; otherwise renders what they need and returns False."""
    s = get_settings()
    address = server_address()
    if not is_loopback(address) and not protected():
        if not s.allow_open:
            _say_once("closed", "serving only the configuration page: the app listens on %s (not loopback) "
                      "with no password and no OIDC configured", address or "every interface")
            setup_page.render(address)
            return False
        _say_once("open", "BRIEFING_ALLOW_OPEN=1: serving without access control on %s", address or "every interface")
        setup_page.open_banner(address)
    if _signed_in() and _idle_expired():
        _expire()
        st.rerun()
    if oidc_configured() and not _oidc_gate():
        return False
    if configured_password() and not login.password_gate():
        return False
    if _signed_in():
        st.session_state[_LAST_ACTIVE] = clock.now()
    _sidebar(current_actor())
    return True


def _oidc_gate() -> bool:
    if not st.user.get("is_logged_in", False):
        st.title("ブリーフィング支援")
        login.ended_notice()
        st.info("このアプリを使うにはログインが必要です。")
        st.button("ログイン", on_click=st.login, type="primary")
        return False
    email = str(st.user.get("email") or "")
    if role_map().role_for(email, st.user.get("email_verified")) is None:
        st.title("ブリーフィング支援")
        st.error(f"このアカウント（{email or '電子メールなし'}）には、このアプリを使う権限が割り当てられていません。"
                 "管理者に、secrets.toml の [roles] への登録を依頼してください。")
        st.button("ログアウト", on_click=logout)
        return False
    return True


def _sidebar(actor: Actor | None) -> None:
    if actor is None or actor.auth == "open":
        return
    with st.sidebar:
        who = {"oidc": f"ログイン中：{actor.name}", "password": "共有パスワードでログイン中",
               "approver": f"承認者：{actor.name}（承認者パスワードで確認済み）"}[actor.auth]
        st.caption(f"{who}（権限：{actor.role.label}）")
        st.button("ログアウト", key="logout", on_click=logout)
