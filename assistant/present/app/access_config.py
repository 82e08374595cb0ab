"""What the administrator configured for access: the shared password, the approver password, OIDC
and the role map, read from Streamlit secrets or the settings (environment / .env)."""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from assistant.access import RoleMap
from assistant.settings import get_settings


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all (the default): nothing configured
        return None


def configured_password() -> str:
    return str(_secret("password") or get_settings().app_password.get_secret_value() or "")


def configured_approver_password() -> str:
    return str(_secret("approver_password") or get_settings().approver_password.get_secret_value() or "")


def oidc_configured() -> bool:
    auth = _secret("auth")
    # [auth] with client_id (one provider) or [auth.<provider>] tables (several)
    if not isinstance(auth, Mapping):
        return False
    return bool(auth.get("client_id") or any(isinstance(v, Mapping) for v in auth.values()))


def role_map() -> RoleMap:
    return RoleMap.from_config(_secret("roles"))
