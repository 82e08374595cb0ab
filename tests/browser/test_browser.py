"""The real app in a real browser: `streamlit run app.py` driven by headless Chromium over the DevTools protocol.

Screenshots of every page go to docs/screenshots/ when BRIEFING_SCREENSHOTS=1 (else to the test's tmp folder).
Needs /usr/bin/chromium (`bash scripts/setup_browser.sh` installs it with the Japanese fonts).
"""
from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "公金受取口座の誤登録は市の責任ですか？"
# Read at import: the suite's autouse fixture clears BRIEFING_* variables before each test.
SAVE_SHOTS = os.environ.get("BRIEFING_SCREENSHOTS") == "1"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--no-proxy-server", "--hide-scrollbars", "--window-size=1280,1700"]

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing: run `bash scripts/setup_browser.sh` (as root) to install "
                "chromium and fonts-noto-cjk", allow_module_level=True)
websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, timeout: float = 2.0) -> str:
    with _direct.open(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: process exited ({proc.returncode})\n"
                                 + (log.read_text(errors="replace")[-3000:] if log else ""))
        try:
            value = predicate()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.25)
    tail = f"\n{log.read_text(errors='replace')[-3000:]}" if log else ""
    raise AssertionError(f"timed out waiting for {what}{tail}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process group this test started (by its id)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class CDP:
    """Just enough of the Chrome DevTools protocol: call a method, evaluate JS, wait, screenshot."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True,
                                              http_no_proxy=["127.0.0.1", "localhost"])
        self.n = 0

    def call(self, method: str, **params) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression: str):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def text(self) -> str:
        return self.js("document.body ? document.body.innerText : ''") or ""

    def wait_text(self, *needles: str, timeout: float = 60) -> str:
        def ready():
            t = self.text()
            idle = not self.js("!!document.querySelector('[data-testid=\"stStatusWidget\"] button')"
                               "|| !!document.querySelector('[data-testid=\"stSpinner\"]')")
            return t if idle and all(n in t for n in needles) else None
        try:
            return _wait(ready, timeout, f"page text {needles!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- page text ---\n{self.text()[:3000]}") from None

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        _wait(lambda: self.js("document.readyState") == "complete", 30, f"load of {url}")

    def screenshot(self, path: Path) -> None:
        time.sleep(0.8)  # let the last paint (fonts, expander animation) settle
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def prepared_store():
    """Index the corpus and leave a press draft in the store, then release it for the app."""
    from assistant.present.press import PressBook
    from assistant.service import Briefing
    from assistant.settings import get_settings
    with Briefing() as b:
        b.index([ROOT / "corpus"], progress=False)
        book = PressBook()
        did = book.create_draft("12月定例記者会見 想定問答")
        items = book.add_questions(did, [QUESTION, "保険証の紐付け誤りはなぜ起きたのか", "記者会見でどう説明すべきか"])
        book.draft_answers(did, b)
        book.approve(items[0], "広報課 山田")
    return get_settings().store


@pytest.fixture
def app_url(prepared_store, tmp_path):
    port = _free_port()
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "BRIEFING_STORE": str(prepared_store), "BRIEFING_EMBEDDER": "fake",
           "BRIEFING_CORPUS": json.dumps([str(ROOT / "corpus")]), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN / "streamlit"), "run", "app.py", "--server.headless", "true",
                                 "--server.address", "127.0.0.1", "--server.port", str(port),
                                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                                 "--client.toolbarMode", "viewer"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(lambda: _get(f"{url}/_stcore/health") == "ok", 90, "streamlit /_stcore/health", proc, log)
        yield url
    finally:
        _stop(proc)


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
        port = _wait(lambda: active.is_file() and active.read_text().split()[0], 60, "the DevTools port", proc, log)
        targets = _wait(lambda: [t for t in json.loads(_get(f"http://127.0.0.1:{port}/json/list"))
                                 if t.get("type") == "page"], 30, "a Chromium page target", proc, log)
        cdp = CDP(targets[0]["webSocketDebuggerUrl"])
        cdp.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)
        yield cdp
        cdp.close()
    finally:
        _stop(proc)


def test_every_page_in_a_real_browser(app_url, browser, tmp_path):
    shots = ROOT / "docs" / "screenshots" if SAVE_SHOTS else tmp_path / "shots"

    # チャット: type a Japanese question into the chat input and send it with Enter
    browser.open(app_url)
    _wait(lambda: browser.js("!!document.querySelector('[data-testid=\"stChatInputTextArea\"]')"), 60, "the chat input")
    browser.wait_text("政策ブリーフィング", "公金受取口座の誤登録は市の責任か")
    browser.js("document.querySelector('[data-testid=\"stChatInputTextArea\"]').focus()")
    browser.call("Input.insertText", text=QUESTION)
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                     **({"text": "\r"} if kind == "keyDown" else {}))
    text = browser.wait_text(QUESTION, "責任の所在", "出典", "[1]", "原因の型", "結論：")
    assert "内閣総理大臣（デジタル庁）" in text and "一部です。" in text
    browser.js("document.querySelector('[data-testid=\"stExpander\"] summary').click()")  # open citation [1]
    browser.wait_text("種別：")
    assert browser.js("document.querySelectorAll('[data-testid=\"stExpander\"]').length") >= 1
    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=2400, deviceScaleFactor=1, mobile=False)
    browser.screenshot(shots / "chat.png")  # tall, so the question, the card and an open citation all show
    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)

    # 責任の整理: the map as a table, with its sources and the handout download
    browser.open(f"{app_url}/responsibility")
    browser.wait_text("責任の整理", "個人番号利用事務実施者", "市の分担", "Word で保存", "出典")
    assert "健康保険" in browser.text() and "公金受取口座" in browser.text()   # one expander per affair (the table is a canvas)
    browser.screenshot(shots / "responsibility.png")

    browser.open(f"{app_url}/press")
    browser.wait_text("想定問答", "問1　公金受取口座", "承認済み：広報課 山田", "Word（.docx）をダウンロード")
    browser.screenshot(shots / "press.png")

    browser.open(f"{app_url}/library")
    browser.wait_text("索引の状態", "文書の一覧", "fake-bigram", "読む文書")
    browser.screenshot(shots / "library.png")

    browser.open(f"{app_url}/evaluation")
    text = browser.wait_text("評価")
    _wait(lambda: any(s in browser.text() for s in ("指標と基準", "評価の結果がまだありません")), 30, "the eval page body")
    browser.screenshot(shots / "evaluation.png")

    for name in ("chat", "responsibility", "press", "library", "evaluation"):
        png = (shots / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, name
