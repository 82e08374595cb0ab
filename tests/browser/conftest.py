"""Fixtures for the browser tests: a prepared store, the app on 127.0.0.1, and headless Chromium."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.browser.harness import CDP, CHROMIUM, CHROMIUM_FLAGS, QUESTION, get, stop, streamlit_app, wait_for
from tests.conftest import ROOT


@pytest.fixture
def prepared_store():
    """Index the corpus and leave a press draft in the store, then release it for the app."""
    from assistant.access import Actor, Role
    from assistant.present.press_book import PressBook
    from assistant.service import Briefing
    from assistant.settings import get_settings
    by = Actor("広報課 山田", Role.APPROVE, "open")
    with Briefing() as b:
        b.index([ROOT / "corpus"], progress=False)
        book = PressBook()
        did = book.create_draft("12月定例記者会見 想定問答", by=by)
        items = book.add_questions(did, [QUESTION, "保険証の紐付け誤りはなぜ起きたのか", "記者会見でどう説明すべきか"],
                                   by=by)
        book.draft_answers(did, b, by=by)
        book.approve(items[0], by=by)
    return get_settings().store


@pytest.fixture
def app_url(prepared_store, tmp_path):
    with streamlit_app(tmp_path / "streamlit.log", env_extra={"BRIEFING_STORE": str(prepared_store)}) as url:
        yield url


@pytest.fixture
def browser(tmp_path):
    profile = tmp_path / "chromium-profile"
    log = tmp_path / "chromium.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                 "--remote-debugging-port=0", "about:blank"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"
        port = wait_for(lambda: active.is_file() and active.read_text().split()[0], 60, "the DevTools port", proc, log)
        targets = wait_for(lambda: [t for t in json.loads(get(f"http://127.0.0.1:{port}/json/list"))
                                    if t.get("type") == "page"], 30, "a Chromium page target", proc, log)
        cdp = CDP(targets[0]["webSocketDebuggerUrl"])
        cdp.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)
        yield cdp
        cdp.close()
    finally:
        stop(proc)
