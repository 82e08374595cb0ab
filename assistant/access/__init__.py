"""Who may use the app and what they may do: roles, the loopback rule, login throttling.

Plain Python (no Streamlit), so each rule is tested on its own; the app's gate
(`assistant/present/app/auth.py`) puts them together.
"""
from .exposure import is_loopback
from .roles import AccessDenied, Actor, Role, RoleMap
from .throttle import LoginThrottle

__all__ = ["AccessDenied", "Actor", "LoginThrottle", "Role", "RoleMap", "is_loopback"]
