"""The access rules on their own: which addresses are loopback, who holds which role, how wrong
passwords are throttled."""
from __future__ import annotations

import pytest

from assistant.access import Actor, LoginThrottle, Role, RoleMap, is_loopback
from assistant.access.roles import AccessDenied, require


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("LOCALHOST", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("192.168.10.5", False),
    ("briefing.city.example.lg.jp", False), ("127.0.0.1.example.org", False),
], ids=lambda v: repr(v))
def test_only_loopback_addresses_count_as_this_computer(address, loopback):
    assert is_loopback(address) is loopback


ROLES = {"approve": ["Kacho@City.example.lg.jp"], "edit": ["@koho.city.example.lg.jp", "sato@city.example.lg.jp"],
         "view": ["@city.example.lg.jp"]}


@pytest.mark.parametrize("email, verified, role", [
    ("kacho@city.example.lg.jp", None, Role.APPROVE),       # a user, matched without regard to case
    ("tanaka@koho.city.example.lg.jp", True, Role.EDIT),    # a domain
    ("sato@city.example.lg.jp", None, Role.EDIT),           # a user above their domain's role
    ("suzuki@city.example.lg.jp", None, Role.VIEW),
    ("someone@evilcity.example.lg.jp", None, None),         # a domain matches only after the @
    ("kacho@city.example.lg.jp", False, None),              # the provider says the address is unverified
    ("", None, None),
], ids=["user", "domain", "user-over-domain", "view-domain", "look-alike-domain", "unverified", "no-email"])
def test_roles_come_from_users_and_domains(email, verified, role):
    assert RoleMap.from_config(ROLES).role_for(email, verified) == role


def test_a_default_role_for_everyone_else_and_view_only_without_roles():
    assert RoleMap.from_config({**ROLES, "default": "view"}).role_for("guest@example.org") == Role.VIEW
    assert RoleMap.from_config(None).role_for("anyone@example.org") == Role.VIEW   # no [roles]: read only
    assert RoleMap.from_config({"approve": "chief@city.example.lg.jp"}).role_for("chief@city.example.lg.jp") == Role.APPROVE


@pytest.mark.parametrize("role, edit, approve", [(Role.VIEW, False, False), (Role.EDIT, True, False),
                                                 (Role.APPROVE, True, True)], ids=["閲覧", "編集", "承認"])
def test_each_role_includes_the_ones_below(role, edit, approve):
    assert (role.can_edit, role.can_approve) == (edit, approve)
    actor = Actor("広報課 山田", role, "oidc")
    if not approve:
        with pytest.raises(AccessDenied, match=f"「{role.label}」の権限では承認できません"):
            require(actor, Role.APPROVE, "承認")
    else:
        require(actor, Role.APPROVE, "承認")


def test_an_actor_is_masked_and_signs_with_the_account():
    a = Actor(" 山田 123456789018 ", Role.APPROVE, "oidc", "yamada@city.example.lg.jp")
    assert a.name == "山田 ************" and a.signature == "山田 ************ <yamada@city.example.lg.jp>"
    with pytest.raises(ValueError):
        Actor("x", Role.VIEW, "guess")


def test_five_failures_then_a_wait_that_doubles_and_expires_with_the_window():
    t = LoginThrottle(max_failures=5, window=900, backoff=30)
    keys = ["session:a", "client:10.0.0.8"]
    for n in range(1, 5):
        assert t.failed(keys, now=float(n)) == n and t.wait(keys, now=float(n)) == 0
    assert t.failed(keys, now=5.0) == 5
    assert t.wait(keys, now=5.0) == 30 and t.wait(keys, now=20.0) == 15 and t.wait(keys, now=35.0) == 0
    assert t.failed(keys, now=36.0) == 6 and t.wait(keys, now=36.0) == 60       # doubled
    assert t.wait(keys, now=36.0 + 900 + 1) == 0                                # all outside the window


def test_a_client_is_throttled_across_sessions_and_success_clears_it():
    t = LoginThrottle(max_failures=2, window=600, backoff=10)
    t.failed(["session:a", "client:10.0.0.8"], now=0)
    t.failed(["session:b", "client:10.0.0.8"], now=1)
    assert t.wait(["session:c", "client:10.0.0.8"], now=2) == 9     # a new session from the same client waits
    assert t.wait(["session:c", "client:10.0.0.9"], now=2) == 0     # another client does not
    t.succeeded(["session:b", "client:10.0.0.8"])
    assert t.wait(["session:c", "client:10.0.0.8"], now=2) == 0


def test_throttle_settings_are_checked():
    with pytest.raises(ValueError):
        LoginThrottle(max_failures=0)
