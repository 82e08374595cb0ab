"""Optional access control, off by default.

- `[auth]` in .streamlit/secrets.toml (OIDC: client_id, client_secret, server_metadata_url,
  redirect_uri, cookie_secret) → Streamlit's own login (`st.login`).
- `password` in secrets, or the BRIEFING_APP_PASSWORD environment variable → a shared password.
"""
from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

import streamlit as st


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all (the default): nothing configured
        return None


def configured_password() -> str:
    return str(_secret("password") or os.environ.get("BRIEFING_APP_PASSWORD", "") or "")


def oidc_configured() -> bool:
    auth = _secret("auth")
    # [auth] with client_id (one provider) or [auth.<provider>] tables (several)
    if not isinstance(auth, Mapping):
        return False
    return bool(auth.get("client_id") or any(isinstance(v, Mapping) for v in auth.values()))


def gate() -> bool:
    """True when the visitor may use the app; otherwise renders a login form and returns False."""
    if oidc_configured():
        if not st.user.get("is_logged_in", False):
            st.title("ブリーフィング支援")
            st.info("このアプリを使うにはログインが必要です。")
            st.button("ログイン", on_click=st.login, type="primary")
            return False
        with st.sidebar:
            st.caption(f"ログイン中：{st.user.get('name') or st.user.get('email') or ''}")
            st.button("ログアウト", on_click=st.logout)
    password = configured_password()
    if not password or st.session_state.get("auth_ok"):
        return True
    st.title("ブリーフィング支援")
    with st.form("login"):
        typed = st.text_input("パスワード", type="password", help="管理者から伝えられたパスワードを入力してください。")
        sent = st.form_submit_button("入る", type="primary")
    if sent:
        if hmac.compare_digest(typed.encode("utf-8"), password.encode("utf-8")):
            st.session_state["auth_ok"] = True
            st.rerun()
        st.error("パスワードが違います。もう一度入力してください。")
    return False


def current_user() -> str | None:
    """Who is asking, for the audit log: the OIDC name or e-mail, a note for the shared password,
    None when access control is off."""
    if oidc_configured() and st.user.get("is_logged_in", False):
        return str(st.user.get("name") or st.user.get("email") or "（ログイン済み）")
    if configured_password() and st.session_state.get("auth_ok"):
        return "（共有パスワードでログイン）"
    return None
