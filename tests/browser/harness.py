"""Helpers for the browser tests: start `streamlit run app.py` and headless Chromium as process
groups this test owns, and drive Chromium over the DevTools protocol (127.0.0.1 only)."""
from __future__ import annotations

import base64
import contextlib
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

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--no-proxy-server", "--hide-scrollbars", "--window-size=1280,1700"]
QUESTION = "公金受取口座の誤登録は市の責任ですか？"
MISSING = ("/usr/bin/chromium is missing: run `bash scripts/setup_browser.sh` (as root) to install "
           "chromium and fonts-noto-cjk")


def require_browser() -> None:
    """Skip the calling test module when Chromium or websocket-client is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING, allow_module_level=True)
    pytest.importorskip("websocket", reason="websocket-client is not installed")


_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, timeout: float = 2.0) -> str:
    with _direct.open(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
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


def stop(proc: subprocess.Popen) -> None:
    """Stop a process group this test started (by its id)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def streamlit_app(log: Path, address: str = "127.0.0.1", env_extra: dict | None = None):
    """`streamlit run app.py` bound to `address`; yields the URL to visit, always on 127.0.0.1
    (a server bound to 0.0.0.0 answers there too; tests never send traffic to another address)."""
    port = free_port()
    env = {**os.environ, "BRIEFING_EMBEDDER": "fake", "BRIEFING_CORPUS": json.dumps([str(ROOT / "corpus")]),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **(env_extra or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN / "streamlit"), "run", "app.py", "--server.headless", "true",
                                 "--server.address", address, "--server.port", str(port),
                                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                                 "--client.toolbarMode", "viewer"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(f"{url}/_stcore/health") == "ok", 90, "streamlit /_stcore/health", proc, log)
        yield url
    finally:
        stop(proc)


class CDP:
    """Just enough of the Chrome DevTools protocol: call a method, evaluate JS, wait, screenshot."""

    def __init__(self, ws_url: str):
        import websocket
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
            return wait_for(ready, timeout, f"page text {needles!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- page text ---\n{self.text()[:3000]}") from None

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        wait_for(lambda: self.js("document.readyState") == "complete", 30, f"load of {url}")

    def screenshot(self, path: Path) -> None:
        time.sleep(0.8)  # let the last paint (fonts, expander animation) settle
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        self.ws.close()
