"""Shared fixtures: no network, a temporary store per test, the fake embedder for unit tests."""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    return isinstance(host, str) and (host in ("localhost", "::1", "") or host.startswith("127.")
                                      or host.startswith("/"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection other than loopback fails the test (the product must work offline)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, a: 0 if _is_loopback(a) else 111)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own store and the fake embedder unless it asks for a real one."""
    for key in list(os.environ):
        if key.startswith("BRIEFING_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIEFING_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("BRIEFING_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_EMBEDDER", "fake")
    monkeypatch.setenv("BRIEFING_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    monkeypatch.setenv("BRIEFING_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("BRIEFING_SITE_CORPUS", str(tmp_path / "corpus-local"))   # never the project's own
    from assistant.settings import get_settings
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fixture_corpus() -> Path:
    return FIXTURES / "corpus"


@pytest.fixture
def briefing(fixture_corpus):
    """A Briefing over the small fixture corpus with the fake embedder, indexed in a temp store."""
    from assistant.service import Briefing
    b = Briefing()
    b.index([fixture_corpus], progress=False)
    yield b
    b.close()


@pytest.fixture
def indexed_store(tmp_path, fixture_corpus):
    """The fixture corpus indexed by the `briefing index` command into a temporary store."""
    store = tmp_path / "cli-store"
    r = run_cli("index", "--corpus", str(fixture_corpus), "--store", str(store), "--quiet")
    assert r.returncode == 0, r.stderr
    return store


@pytest.fixture
def server_address():
    """Set Streamlit's `server.address` for in-process AppTests (what `--server.address` sets), then restore it."""
    from streamlit import config
    before = config.get_option("server.address")

    def set_to(address: str | None) -> None:
        config.set_option("server.address", address)
    yield set_to
    config.set_option("server.address", before)


def run_cli(*args, env_extra: dict | None = None, stdin: str | None = None, timeout: int = 300):
    """Run the installed `briefing` console script as a subprocess."""
    import subprocess
    env = {k: v for k, v in os.environ.items()}
    env.update(env_extra or {})
    return subprocess.run([str(BIN / "briefing"), *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)
