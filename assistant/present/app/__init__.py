"""The Streamlit app: five pages behind the access gate (auth.py). `app.py` at the project root calls `main()`.

Pages are files in this folder (Streamlit runs them as scripts; each also imports as a module).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
PAGES = [  # (file, title, icon, url path)
    ("chat.py", "チャット", ":material/chat:", "chat"),
    ("responsibility.py", "責任の整理", ":material/account_tree:", "responsibility"),
    ("press_page.py", "想定問答", ":material/description:", "press"),
    ("library.py", "資料", ":material/library_books:", "library"),
    ("evaluation.py", "評価", ":material/fact_check:", "evaluation"),
]


def _masked_logging() -> None:
    """The app's own log lines go to stderr through the My Number mask (once per process)."""
    import logging
    import sys
    from assistant.privacy import MaskingFilter
    log = logging.getLogger("assistant")
    if not any(isinstance(f, MaskingFilter) for h in log.handlers for f in h.filters):
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(MaskingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def main() -> None:
    from .auth import gate
    _masked_logging()
    if not gate():
        st.stop()
    pages = [st.Page(HERE / f, title=t, icon=i, url_path=u, default=(n == 0))
             for n, (f, t, i, u) in enumerate(PAGES)]
    st.navigation(pages).run()
