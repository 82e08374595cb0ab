"""Three roles — 閲覧 (ask, read), 編集 (draft, edit), 承認 (approve, withdraw) — and who holds which.

Each role includes the ones below it. Under OIDC the role comes from `[roles]` in secrets.toml:

    [roles]
    approve = ["kacho@city.example.lg.jp"]      # 承認: these accounts (e-mail, as the provider gives it)
    edit = ["@koho.city.example.lg.jp"]         # 編集: or everyone at a domain (an entry starting with @)
    view = ["@city.example.lg.jp"]              # 閲覧
    default = "view"                            # optional: everyone else who signs in (else refused)

The highest matching role wins. An e-mail the provider marks unverified (email_verified = false) matches
nothing.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.errors import BriefingError
from assistant.privacy import mask_my_number


class Role(enum.IntEnum):
    VIEW = 1
    EDIT = 2
    APPROVE = 3

    @property
    def label(self) -> str:
        return {Role.VIEW: "閲覧", Role.EDIT: "編集", Role.APPROVE: "承認"}[self]

    @property
    def can_edit(self) -> bool:
        return self >= Role.EDIT

    @property
    def can_approve(self) -> bool:
        return self >= Role.APPROVE


CONFIG_KEYS = {"view": Role.VIEW, "edit": Role.EDIT, "approve": Role.APPROVE}
AUTH_LABELS = {"oidc": "組織アカウント", "password": "共有パスワード", "approver": "承認者パスワード",
               "open": "認証なし", "cli": "コマンド"}


@dataclass(frozen=True)
class Actor:
    """Who does something: the name recorded (masked), the role, and how that was established
    (`oidc`, `password`, `approver` = approver password, `open` = no access control, `cli`)."""
    name: str
    role: Role
    auth: str
    email: str = ""

    def __post_init__(self):
        object.__setattr__(self, "name", mask_my_number(self.name.strip()))
        if self.auth not in AUTH_LABELS:
            raise ValueError(f"unknown auth kind {self.auth!r}")

    @property
    def signature(self) -> str:
        """The approver as stored and printed: name, and the account when it differs."""
        if self.email and self.email != self.name:
            return f"{self.name} <{self.email}>"
        return self.name


class AccessDenied(BriefingError):
    """The role does not allow the action (the pages disable such buttons; this is the backstop)."""
    stage = "access"

    def __str__(self) -> str:
        return f"{self.args[0]}（{self.hint}）" if self.hint else self.args[0]


def require(actor: Actor, role: Role, action: str) -> None:
    if actor.role < role:
        raise AccessDenied(f"「{actor.role.label}」の権限では{action}できません",
                           f"{action}には「{role.label}」以上の権限が必要です。管理者に依頼してください")


@dataclass(frozen=True)
class RoleMap:
    entries: tuple[tuple[str, Role], ...] = ()
    default: Role | None = None
    configured: bool = False

    @classmethod
    def from_config(cls, section) -> "RoleMap":
        """From the `[roles]` table; None or an empty table means no roles are configured."""
        if not isinstance(section, Mapping) or not section:
            return cls()
        entries = []
        for key, role in CONFIG_KEYS.items():
            values = section.get(key) or []
            if isinstance(values, str):
                values = [values]
            entries += [(str(v).strip().lower(), role) for v in values if str(v).strip()]
        default = CONFIG_KEYS.get(str(section.get("default", "")).strip().lower())
        return cls(tuple(entries), default, True)

    def role_for(self, email: str | None, verified: bool | None = None) -> Role | None:
        """The highest role whose entry matches; `default` when none does; None = no access.
        With no `[roles]` at all a signed-in person may read only (閲覧)."""
        if not self.configured:
            return Role.VIEW
        email = (email or "").strip().lower()
        if not email or verified is False:   # a provider that says the address is unverified: no match
            return self.default
        found = [role for entry, role in self.entries
                 if email == entry or (entry.startswith("@") and email.endswith(entry))]
        return max(found) if found else self.default
