"""One entry point for the CLI, the app, evals and benchmarks: settings → store → searcher → composer."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.audit import AuditLog, entry_for
from assistant.chunk import Chunker
from assistant.embed import make_embedder
from assistant.errors import BriefingError, DocumentError, NoIndexError
from assistant.index.store import Store
from assistant.load import load_corpus
from assistant.retrieve import Searcher
from assistant.settings import Settings, get_settings
from assistant.superseded import note_superseded
from assistant.values import Filters, Hit, IndexReport

log = logging.getLogger(__name__)


class Briefing:
    """Holds the models and the store for the life of a process (load once, query many)."""

    def __init__(self, settings: Settings | None = None, store_dir: Path | str | None = None, embedder=None):
        self.settings = settings or get_settings()
        self.embedder = embedder or make_embedder(self.settings)
        self.store = Store(store_dir or self.settings.store, self.embedder,
                           chroma_url=self.settings.chroma_url, lock_timeout=self.settings.lock_timeout)
        self._searcher: Searcher | None = None
        self._composer = None
        self._audit: AuditLog | None = None
        self._loading = threading.RLock()   # threads (Streamlit sessions) share one Briefing

    # ---- indexing
    def index(self, corpus_dirs: list[Path] | None = None, progress: bool = True) -> IndexReport:
        dirs = [Path(d) for d in (corpus_dirs or self.settings.corpus_folders())]
        loaded = load_corpus(dirs)
        if loaded.errors:
            raise loaded.errors[0] if len(loaded.errors) == 1 else DocumentError(
                loaded.errors[0].path, loaded.errors[0].field,
                f"{loaded.errors[0].problem} (and {len(loaded.errors) - 1} more malformed file(s))",
                "run `briefing corpus check` to list them all")
        chunker = Chunker(self.settings.chunk_max_chars, self.settings.chunk_overlap_chars)
        with self._loading:
            report = self.store.build(loaded.documents, chunker, progress=progress)
            self._searcher = self._composer = None   # both hold the old index (records, IDF)
        return report

    def ensure_index(self, corpus_dirs: list[Path] | None = None) -> "Briefing":
        """Load the index, building it from the corpus first when the store has none."""
        try:
            self.searcher
        except NoIndexError:
            log.warning("no index in %s yet: building it from the corpus", self.store.folder)
            self.index(corpus_dirs, progress=False)
            self.searcher
        return self

    # ---- querying
    @property
    def searcher(self) -> Searcher:
        with self._loading:
            if self._searcher is None:
                if self.store.lexical is None:
                    self.store.load()
                    if self.store.corpus_changed():
                        log.warning("the corpus changed since the index was built: run `briefing index`")
                self._searcher = Searcher.from_settings(self.store, self.settings)
            return self._searcher

    @property
    def composer(self):
        with self._loading:
            if self._composer is None:
                from assistant.compose import make_composer
                self._composer = make_composer(self.searcher, self.settings)
            return self._composer

    def follow_new_builds(self) -> None:
        """With a shared (server-mode) store, pick up a build another process has completed."""
        if self._searcher is not None and self.store.switched():
            with self._loading:
                if self.store.switched():
                    log.info("a new index build is available: switching to it")
                    self.store.reopen()
                    self._searcher = self._composer = None

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        self.follow_new_builds()
        return self.searcher.search(query, k or self.settings.k, filters)

    def ask(self, question: str, history: list | None = None, filters: Filters | None = None, *,
            channel: str = "api", user: str | None = None, audit: bool = True):
        """One answer. Every ask (and every refused question) is appended to the audit log;
        only the eval harness passes audit=False."""
        self.follow_new_builds()
        try:
            answer = self.composer.ask(question, history=history or [], filters=filters)
            answer = note_superseded(answer, self.searcher.successors)   # cites an old version? name the new one
        except BriefingError as err:
            if audit:
                self.audit.append(entry_for(question=question, channel=channel, user=user, error=str(err)))
            raise
        if audit:
            self.audit.append(entry_for(answer, question=question, channel=channel, user=user))
        return answer

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            self._audit = AuditLog(self.settings.audit_log)
        return self._audit

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
