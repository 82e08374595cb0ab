"""A real server bound to every interface (`--server.address 0.0.0.0`) with no access control
serves only the configuration page; with BRIEFING_ALLOW_OPEN=1 it serves the app and a banner.
The browser visits http://127.0.0.1:<port> only: tests never send traffic to any other address."""
from __future__ import annotations

import pytest

from tests.browser.harness import require_browser, streamlit_app, wait_for

pytestmark = pytest.mark.browser
require_browser()
CHAT_INPUT = "!!document.querySelector('[data-testid=\"stChatInputTextArea\"]')"
SIDEBAR_NAV = "!!document.querySelector('[data-testid=\"stSidebarNav\"]')"


def test_open_network_with_no_access_control_serves_only_the_configuration_page(prepared_store, browser, tmp_path):
    with streamlit_app(tmp_path / "closed.log", address="0.0.0.0",
                       env_extra={"BRIEFING_STORE": str(prepared_store)}) as url:
        for path in ("", "/press", "/library"):
            browser.open(f"{url}{path}")
            text = browser.wait_text("アクセスの設定が必要です", "BRIEFING_APP_PASSWORD", "127.0.0.1")
            assert "パスワードも組織アカウントでのログイン（OIDC）も設定されていません" in text
            assert "問1　公金受取口座" not in text and "公金受取口座の誤登録は市の責任か" not in text   # no draft, no chat
            assert not browser.js(CHAT_INPUT) and not browser.js(SIDEBAR_NAV)
        log = (tmp_path / "closed.log").read_text(errors="replace")
        assert "serving only the configuration page: the app listens on 0.0.0.0" in log


def test_allow_open_serves_the_app_with_the_banner(prepared_store, browser, tmp_path):
    with streamlit_app(tmp_path / "open.log", address="0.0.0.0",
                       env_extra={"BRIEFING_STORE": str(prepared_store), "BRIEFING_ALLOW_OPEN": "1"}) as url:
        browser.open(url)
        wait_for(lambda: browser.js(CHAT_INPUT), 60, "the chat input")
        browser.wait_text("アクセス制御なしで公開中", "政策ブリーフィング")
        browser.open(f"{url}/press")
        browser.wait_text("アクセス制御なしで公開中", "想定問答", "問1　公金受取口座", "承認済み：広報課 山田")
        assert "BRIEFING_ALLOW_OPEN=1: serving without access control on 0.0.0.0" in (
            tmp_path / "open.log").read_text(errors="replace")
