"""The store: Chroma vectors + BM25 + chunk records + manifest in one folder (default .briefing/).

One process at a time holds a local store (a second Chroma PersistentClient on the same folder
can hang), guarded by a file lock with a clear message. With a Chroma server
(BRIEFING_CHROMA_URL) readers take no lock; only a build locks the folder while it writes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sys
import time
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import NoIndexError, StoreBusyError, StoreError, StoreMismatchError
from assistant.values import Chunk, Document, IndexReport

from . import records
from .dense import DenseIndex, collection_name, make_client
from .lexical import LexicalIndex, tokenize
from .sentences import SentenceIndex

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


def dense_text(c: Chunk) -> str:
    return f"{c.context}\n{c.text}"


def lexical_text(c: Chunk) -> str:
    return f"{c.context} {c.locator or ''}\n{c.text}"


def corpus_files_fingerprint(paths: list[str]) -> str:
    h = hashlib.sha1()
    for p in sorted(paths):
        try:
            h.update(p.encode("utf-8") + Path(p).read_bytes())
        except OSError:
            h.update(p.encode("utf-8") + b"<missing>")
    return h.hexdigest()[:16]


class Store:
    def __init__(self, folder: Path | str, embedder, *, chroma_url: str = "", lock_timeout: float = 10.0):
        self.folder = Path(folder)
        self.embedder = embedder
        self.chroma_url = chroma_url
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.folder / ".lock"))
        self._lock_timeout = lock_timeout
        if not chroma_url:   # a local PersistentClient must be this process's alone
            self._acquire(lock_timeout)
        self.chunks: dict[str, Chunk] = {}
        self.lexical: LexicalIndex | None = None
        self.sentences: SentenceIndex | None = None
        self.manifest: dict | None = records.read_manifest(self.manifest_path)
        try:
            key = hashlib.sha1(str(self.folder.resolve()).encode()).hexdigest()[:8] if chroma_url else "local"
            self.client = make_client(self.folder / "chroma", chroma_url)
            self.dense = DenseIndex(self.client, collection_name(embedder.name, embedder.dim, key))
        except StoreError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise StoreError(f"cannot open the vector store in {self.folder}: {exc}",
                             f"delete {self.folder} and run `briefing index` again") from exc

    # ---- paths
    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def chunks_path(self) -> Path:
        return self.folder / "chunks.jsonl"

    @property
    def sentences_path(self) -> Path:
        return self.folder / "sentences.npz"

    # ---- locking
    def _acquire(self, timeout: float) -> None:
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            owner = (self.folder / ".lock.pid")
            pid = owner.read_text().strip() if owner.is_file() else "?"
            raise StoreBusyError(
                f"the store {self.folder} is in use by another process (pid {pid})",
                "wait for it to finish or stop it (e.g. the running app); to share one index between "
                "processes run a Chroma server and set BRIEFING_CHROMA_URL") from None
        (self.folder / ".lock.pid").write_text(str(os.getpid()))

    def close(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- building
    def build(self, documents: list[Document], chunker, corpus_paths: list[str] | None = None,
              progress: bool = True) -> IndexReport:
        if not self._lock.is_locked:   # server mode: lock only while writing
            self._acquire(self._lock_timeout)
            try:
                return self.build(documents, chunker, corpus_paths, progress)
            finally:
                self.close()
        t0 = time.perf_counter()
        chunks = [c for d in documents for c in chunker(d)]
        ids = [c.id for c in chunks]
        if len(set(ids)) != len(ids):
            raise StoreError("two chunks share an id (duplicate document ids?)", "run `briefing corpus check`")
        old = self.manifest or {}
        if old and (old.get("embedder"), old.get("dim")) != (self.embedder.name, self.embedder.dim):
            log.warning("embedder changed (%s → %s): rebuilding the vectors", old.get("embedder"), self.embedder.name)
            self._drop_other_collections()
        existing = self.dense.ids()
        new = [c for c in chunks if c.id not in existing]
        stale = sorted(existing - set(ids))
        self._embed_and_add(new, progress)
        if stale:
            self.dense.delete(stale)
        previous = None
        if old and (old.get("embedder"), old.get("dim")) == (self.embedder.name, self.embedder.dim):
            try:
                previous = SentenceIndex.load(self.sentences_path)
            except (OSError, ValueError, KeyError):
                previous = None   # rebuilt below
        sentences = SentenceIndex.build(chunks, self.embedder, previous, progress)
        sentences.save(self.sentences_path)
        records.save_chunks(self.chunks_path, chunks)
        lexical = LexicalIndex.build(ids, [lexical_text(c) for c in chunks], tokenize)
        lexical.save(self.folder / "bm25")
        self.manifest = {
            "format": FORMAT_VERSION, "embedder": self.embedder.name, "dim": self.embedder.dim,
            "collection": self.dense.name, "documents": len(documents), "chunks": len(chunks),
            "fingerprint": records.fingerprint(chunks),
            "corpus_files": sorted(corpus_paths or [d.path for d in documents if d.path]),
            "corpus_files_fingerprint": corpus_files_fingerprint(corpus_paths or [d.path for d in documents if d.path]),
            "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "kinds": _count(c.meta.kind for c in chunks),
        }
        records.write_manifest(self.manifest_path, self.manifest)
        self.chunks = {c.id: c for c in chunks}
        self.lexical = lexical
        self.sentences = sentences
        return IndexReport(documents=len(documents), chunks=len(chunks), added=len(new), removed=len(stale),
                           unchanged=len(chunks) - len(new), embedder=self.embedder.name,
                           seconds=round(time.perf_counter() - t0, 2))

    def _embed_and_add(self, chunks: list[Chunk], progress: bool) -> None:
        from tqdm import tqdm
        batch = 32
        bar = tqdm(total=len(chunks), desc="embedding", unit="chunk", file=sys.stderr,
                   disable=not progress or not chunks)
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            self.dense.add(part, self.embedder.embed_documents([dense_text(c) for c in part]))
            bar.update(len(part))
        bar.close()

    def _drop_other_collections(self) -> None:
        for col in self.client.list_collections():
            name = getattr(col, "name", col)
            if name != self.dense.name and str(name).startswith("chunks-"):
                self.client.delete_collection(name)

    # ---- reading
    def load(self) -> "Store":
        """Load records and BM25 for querying; refuses an index built with another embedder."""
        m = self.manifest
        if not m or not self.chunks_path.is_file():
            raise NoIndexError(f"no index in {self.folder}", f"run `briefing index --store {self.folder}` first")
        if (m.get("embedder"), m.get("dim")) != (self.embedder.name, self.embedder.dim):
            raise StoreMismatchError(
                f"the index in {self.folder} was built with {m.get('embedder')} (dim {m.get('dim')}), "
                f"but the current embedder is {self.embedder.name} (dim {self.embedder.dim})",
                f"re-index with `briefing index --store {self.folder}` or set BRIEFING_EMBEDDER back")
        try:
            chunks = records.load_chunks(self.chunks_path)
            self.lexical = LexicalIndex.load(self.folder / "bm25")
            self.sentences = SentenceIndex.load(self.sentences_path)
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"the index in {self.folder} is damaged ({exc})",
                             f"run `briefing index --store {self.folder}` to rebuild it") from exc
        if records.fingerprint(chunks) != m.get("fingerprint") or self.dense.col.count() != len(chunks):
            raise StoreError(f"the index in {self.folder} is incomplete (an interrupted build?)",
                             f"run `briefing index --store {self.folder}` to finish it")
        self.chunks = {c.id: c for c in chunks}
        return self

    def corpus_changed(self) -> bool:
        """True when the files the index was built from have changed since."""
        m = self.manifest or {}
        files = m.get("corpus_files") or []
        return bool(files) and corpus_files_fingerprint(files) != m.get("corpus_files_fingerprint")

    def ordered_chunks(self) -> list[Chunk]:
        return [self.chunks[i] for i in self.lexical.ids]


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out
