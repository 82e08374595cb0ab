"""What the AppTest modules share: the app's environment, running it, and reading what it shows."""
from __future__ import annotations

import json

import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from assistant.settings import get_settings
from tests.conftest import ROOT

PAGE = {name: f"assistant/present/app/{name}.py"
        for name in ("chat", "responsibility", "press_page", "library", "evaluation")}
QUESTION = "公金受取口座の誤登録は市の責任ですか？"


def app_environment(monkeypatch, tmp_path):
    """The real corpus with the fake embedder, reports in a temp folder; call from a fixture, then
    `clear_caches()` after the test."""
    monkeypatch.setenv("BRIEFING_CORPUS", json.dumps([str(ROOT / "corpus")]))
    monkeypatch.setenv("BRIEFING_EVAL_REPORT", str(tmp_path / "reports" / "report.json"))
    monkeypatch.setenv("BRIEFING_LOCK_TIMEOUT", "0.5")
    # The fake embedder has no calibrated abstention floor; 0.25 is where its bigram cosine
    # separates evals/cases.yaml's out-of-scope questions from the rest on the real corpus.
    monkeypatch.setenv("BRIEFING_ABSTAIN_DENSE", "0.25")
    get_settings.cache_clear()


def clear_caches() -> None:
    st.cache_resource.clear()  # closes the cached Briefing (releases its store lock), forgets login failures
    st.cache_data.clear()


def new_app(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user.update(user)
    return at


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
                     + [e.value for e in at.error] + [w.value for w in at.warning] + [s.value for s in at.success])


def everything(at) -> str:
    """All that the page holds: every element's protobuf (labels, values, help texts), widget values and
    session state.
    Not the chat input's value: that is the message the browser just sent (the raw typing, cleared on the
    next run), not something the page shows or keeps."""
    from google.protobuf import text_format
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(text_format.MessageToString(proto, as_utf8=True))
        if getattr(node, "type", "") != "chat_input":
            try:
                out.append(str(node.value))
            except Exception:  # blocks and plain elements have no value
                pass
    out += [f"{k}={at.session_state[k]!r}" for k in at.session_state]   # what the session keeps
    return "\n".join(out)


def capture_downloads(monkeypatch) -> dict[str, bytes]:
    """What the page hands to st.download_button, by file name."""
    got: dict[str, bytes] = {}
    real = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name:
            got[file_name] = data
        return real(self, data, mimetype, coordinates, file_name=file_name,
                    is_for_static_download=is_for_static_download)
    monkeypatch.setattr(MediaFileManager, "add", add)
    return got
