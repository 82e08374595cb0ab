"""One Briefing per process: models and the store load once (st.cache_resource), never per rerun.

A first-time user can ask at once: when the store has no index yet, the corpus is indexed here.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from assistant.errors import BriefingError
from assistant.service import Briefing
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[3]  # the project folder (app.py, corpus/)


def _located(p: Path) -> Path:
    """A relative folder that is not under the working directory is taken from the project folder,
    so `streamlit run /path/to/app.py` works from anywhere."""
    p = Path(p)
    return p if p.is_absolute() or p.exists() or not (ROOT / p).exists() else ROOT / p


def site_dir() -> Path:
    """The site corpus folder (BRIEFING_SITE_CORPUS): staff's uploads go here; it may not exist yet."""
    return _located(get_settings().site_corpus)


def corpus_dirs() -> list[Path]:
    """Configured corpus folders, then the site folder when it exists."""
    out = [_located(p) for p in get_settings().corpus]
    site = site_dir()
    return out + ([site] if site.is_dir() and site not in out else [])


def _close(b: Briefing) -> None:
    b.close()  # releases the store's lock so a re-created Briefing (or the CLI) can open it


@st.cache_resource(show_spinner="資料と検索モデルを読み込んでいます。初めての起動では索引も作るため、少しお待ちください…",
                   on_release=_close)
def _load(store: str, embedder: str, corpus: tuple[str, ...], site: str) -> Briefing:
    b = Briefing()
    try:
        b.ensure_index(corpus_dirs())  # records and BM25 load now: the first question is quick
        b.composer   # … and the labelled questions' vectors (embedded once per embedder, then cached in the store)
    except BaseException:
        b.close()
        raise
    return b


def get_briefing() -> Briefing:
    """The process-wide Briefing; raises BriefingError (pages show it with components.show_error)."""
    s = get_settings()
    # keyed on the configured folders, not on whether the site folder exists yet: its first upload
    # must not open a second Briefing on the same store
    return _load(str(Path(s.store).resolve()), s.embedder, tuple(str(_located(p)) for p in s.corpus),
                 str(site_dir()))


def briefing_or_stop() -> Briefing:
    from .components import show_error
    try:
        return get_briefing()
    except BriefingError as err:
        show_error(err)
        st.stop()


def reload_briefing() -> None:
    """Drop the cached Briefing (closing it); the next page run loads a fresh one."""
    _load.clear()
