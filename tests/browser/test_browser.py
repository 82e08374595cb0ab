"""The real app in a real browser: `streamlit run app.py` driven by headless Chromium over the DevTools protocol.

Screenshots of every page go to docs/screenshots/ when BRIEFING_SCREENSHOTS=1 (else to the test's tmp folder).
Needs /usr/bin/chromium (`bash scripts/setup_browser.sh` installs it with the Japanese fonts).
"""
from __future__ import annotations

import os

import pytest

from tests.browser.harness import QUESTION, require_browser, wait_for
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
require_browser()
# Read at import: the suite's autouse fixture clears BRIEFING_* variables before each test.
SAVE_SHOTS = os.environ.get("BRIEFING_SCREENSHOTS") == "1"


def test_every_page_in_a_real_browser(app_url, browser, tmp_path):
    shots = ROOT / "docs" / "screenshots" if SAVE_SHOTS else tmp_path / "shots"

    # チャット: type a Japanese question into the chat input and send it with Enter
    browser.open(app_url)
    wait_for(lambda: browser.js("!!document.querySelector('[data-testid=\"stChatInputTextArea\"]')"), 60, "the chat input")
    browser.wait_text("政策ブリーフィング", "公金受取口座の誤登録は市の責任か")
    browser.js("document.querySelector('[data-testid=\"stChatInputTextArea\"]').focus()")
    browser.call("Input.insertText", text=QUESTION)
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                     **({"text": "\r"} if kind == "keyDown" else {}))
    text = browser.wait_text(QUESTION, "責任の所在", "出典", "[1]", "原因の型", "結論：")
    assert "内閣総理大臣（デジタル庁）" in text and "一部です。" in text
    browser.wait_text("会話を保存", "Word で保存", "Markdown で保存")   # the conversation can be saved
    browser.js("document.querySelector('[data-testid=\"stExpander\"] summary').click()")  # open citation [1]
    browser.wait_text("種別：")
    assert browser.js("document.querySelectorAll('[data-testid=\"stExpander\"]').length") >= 1
    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=2400, deviceScaleFactor=1, mobile=False)
    browser.screenshot(shots / "chat.png")  # tall, so the question, the card and an open citation all show
    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)

    # 責任の整理: the map as a table, with its sources and the handout download
    browser.open(f"{app_url}/responsibility")
    # one expander per affair (the table is a canvas); waited for by name, since the intro's own
    # 「…下の出典の番号です」 shows before the expanders do
    browser.wait_text("責任の整理", "個人番号利用事務実施者", "市の分担", "Word で保存", "健康保険", "公金受取口座", "[1]")
    browser.screenshot(shots / "responsibility.png")

    browser.open(f"{app_url}/press")
    browser.wait_text("想定問答", "問1　公金受取口座", "承認済み：広報課 山田", "Word（.docx）を書き出す")
    browser.screenshot(shots / "press.png")

    browser.open(f"{app_url}/library")
    browser.wait_text("索引の状態", "文書の一覧", "fake-bigram", "読む文書")
    browser.screenshot(shots / "library.png")

    browser.open(f"{app_url}/evaluation")
    text = browser.wait_text("評価")
    wait_for(lambda: any(s in browser.text() for s in ("指標と基準", "評価の結果がまだありません")), 30, "the eval page body")
    browser.screenshot(shots / "evaluation.png")

    for name in ("chat", "responsibility", "press", "library", "evaluation"):
        png = (shots / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, name
