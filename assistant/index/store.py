"""The store: Chroma vectors + BM25 + chunk records + manifest in one folder (default .briefing/),
built as generations that are switched atomically (see generations.py).

One process at a time holds a local store (a second Chroma PersistentClient on the same folder
can hang), guarded by a file lock with a clear message. With a Chroma server
(BRIEFING_CHROMA_URL) readers take no lock; only a build locks the folder while it writes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import NoIndexError, StoreBusyError, StoreError, StoreMismatchError
from assistant.values import Chunk, Document, IndexReport

from . import generations, records
from .affairs import ResponsibilityMap, build_map
from .dense import DenseIndex, collection_name, make_client
from .embcache import EmbeddingCache, embed_cached
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
        # not thread-local: the app's threads share one Store, and a rebuild or close may run in any of them
        self._lock = FileLock(str(self.folder / ".lock"), thread_local=False)
        self._lock_timeout = lock_timeout
        if not chroma_url:   # a local PersistentClient must be this process's alone
            self._acquire(lock_timeout)
        self._server = None
        self._key = hashlib.sha1(str(self.folder.resolve()).encode()).hexdigest()[:8]
        try:
            if chroma_url:
                self._client("")   # fail early, with the URL, when the server is down
            self._open(generations.current(self.folder))
        except StoreError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise StoreError(f"cannot open the vector store in {self.folder}: {exc}",
                             f"delete {self.folder} and run `briefing index` again") from exc

    def _open(self, generation: str | None) -> None:
        """Point at one generation (None = no completed build); records load lazily in load()."""
        self.generation = generation
        self.chunks: dict[str, Chunk] = {}
        self.lexical: LexicalIndex | None = None
        self.sentences: SentenceIndex | None = None
        self.affairs = ResponsibilityMap()
        self.manifest: dict | None = records.read_manifest(self.manifest_path) if generation else None
        self.dense: DenseIndex | None = self._dense(generation) if generation else None

    def _client(self, generation: str):
        if self.chroma_url:
            if self._server is None:
                self._server = make_client(self.folder, self.chroma_url)
            return self._server
        return make_client(self.folder / generation / "chroma")

    def _dense(self, generation: str) -> DenseIndex:
        key = f"{self._key}-{generation}" if self.chroma_url else "local"
        return DenseIndex(self._client(generation), collection_name(self.embedder.name, self.embedder.dim, key))

    # ---- paths (inside the current generation)
    @property
    def index_dir(self) -> Path:
        return self.folder / (self.generation or "")

    @property
    def manifest_path(self) -> Path:
        return self.index_dir / "manifest.json"

    @property
    def chunks_path(self) -> Path:
        return self.index_dir / "chunks.jsonl"

    @property
    def sentences_path(self) -> Path:
        return self.index_dir / "sentences.npz"

    def switched(self) -> bool:
        """True when another process has completed a build since this store was opened."""
        return generations.current(self.folder) != self.generation

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
        """Build a complete new generation beside the current one, then switch atomically."""
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
        affairs = build_map(documents, chunks)   # before any embedding: a bad evidence phrase fails fast
        if self.switched():   # another builder finished while we were open
            self._open(generations.current(self.folder))
        old = self.manifest or {}
        same = bool(old) and (old.get("embedder"), old.get("dim")) == (self.embedder.name, self.embedder.dim)
        if old and not same:
            log.warning("embedder changed (%s → %s): embedding everything again", old.get("embedder"),
                        self.embedder.name)
        self._remove_unused({self.generation} - {None}, legacy=False)   # leftovers of killed builds
        gen = generations.new_name()
        (self.folder / gen).mkdir()
        dense = self._dense(gen)
        old_ids = self.dense.ids() if same and self.dense else set()
        new = [c for c in chunks if c.id not in old_ids]
        # Chunks and their sentences in one stream: texts embedded by any earlier build come from
        # the cache, the rest are embedded once, length-sorted in large batches.
        sent_keys, sent_texts = SentenceIndex.spans(chunks)
        cache = self.embedding_cache()
        try:
            vectors = embed_cached(self.embedder, cache, [dense_text(c) for c in chunks] + sent_texts, progress)
        finally:
            if cache is not None:
                cache.close()
        dense.add(chunks, vectors[:len(chunks)])   # numpy rows: a list of 100k×384 floats costs GBs
        folder = self.folder / gen
        sentences = SentenceIndex(sent_keys, vectors[len(chunks):])
        sentences.save(folder / "sentences.npz")
        records.save_chunks(folder / "chunks.jsonl", chunks)
        affairs.save(folder / "affairs.json")
        lexical = LexicalIndex.build(ids, [lexical_text(c) for c in chunks], tokenize)
        lexical.save(folder / "bm25")
        files = sorted(corpus_paths or [d.path for d in documents if d.path])
        manifest = {
            "format": FORMAT_VERSION, "generation": gen, "embedder": self.embedder.name,
            "dim": self.embedder.dim, "collection": dense.name, "documents": len(documents),
            "chunks": len(chunks), "fingerprint": records.fingerprint(chunks),
            "corpus_files": files, "corpus_files_fingerprint": corpus_files_fingerprint(files),
            "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "kinds": _count(c.meta.kind for c in chunks), "affairs": len(affairs.rows),
        }
        records.write_manifest(folder / "manifest.json", manifest)
        generations.switch(self.folder, gen)   # the only step readers see
        previous_gen = self.generation
        self.generation, self.dense, self.manifest = gen, dense, manifest
        self.chunks, self.lexical, self.sentences = {c.id: c for c in chunks}, lexical, sentences
        self.affairs = affairs
        # Keep the previous generation for readers still on it (server mode); drop older ones.
        self._remove_unused({gen, previous_gen} - {None}, legacy=True)
        return IndexReport(documents=len(documents), chunks=len(chunks), added=len(new),
                           removed=len(old_ids - set(ids)), unchanged=len(chunks) - len(new),
                           embedder=self.embedder.name, seconds=round(time.perf_counter() - t0, 2))

    def embedding_cache(self) -> EmbeddingCache | None:
        """The store's passage-vector cache for this embedder (None: the embedder opts out)."""
        if getattr(self.embedder, "cacheable", True) is False:
            return None
        return EmbeddingCache(self.folder / "cache", self.embedder.name, self.embedder.dim)

    def _remove_unused(self, keep: set[str], legacy: bool) -> None:
        generations.remove_unused(self.folder, keep, legacy=legacy)
        if self.chroma_url:   # this store's collections on the server belong to generations too
            client = self._client("")
            for col in client.list_collections():
                name = str(getattr(col, "name", col))
                if f"-{self._key}-{generations.PREFIX}" in name and not any(name.endswith(k) for k in keep):
                    client.delete_collection(name)

    # ---- reading
    def load(self) -> "Store":
        """Load records and BM25 for querying; refuses an index built with another embedder."""
        m = self.manifest
        if not self.generation or not m:
            hint = ("the index was built by an older version: run `briefing index` to rebuild it"
                    if generations.is_legacy(self.folder) else f"run `briefing index --store {self.folder}` first")
            raise NoIndexError(f"no index in {self.folder}", hint)
        if (m.get("embedder"), m.get("dim")) != (self.embedder.name, self.embedder.dim):
            raise StoreMismatchError(
                f"the index in {self.folder} was built with {m.get('embedder')} (dim {m.get('dim')}), "
                f"but the current embedder is {self.embedder.name} (dim {self.embedder.dim})",
                f"re-index with `briefing index --store {self.folder}` or set BRIEFING_EMBEDDER back")
        try:
            chunks = records.load_chunks(self.chunks_path)
            self.lexical = LexicalIndex.load(self.index_dir / "bm25")
            self.sentences = SentenceIndex.load(self.sentences_path)
            self.affairs = ResponsibilityMap.load(self.index_dir / "affairs.json")
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"the index in {self.folder} is damaged ({exc})",
                             f"run `briefing index --store {self.folder}` to rebuild it") from exc
        if records.fingerprint(chunks) != m.get("fingerprint") or self.dense.count() != len(chunks):
            raise StoreError(f"the index in {self.folder} is incomplete or damaged",
                             f"run `briefing index --store {self.folder}` to rebuild it")
        self.chunks = {c.id: c for c in chunks}
        return self

    def reopen(self) -> "Store":
        """Follow the CURRENT pointer to the newest completed build and load it."""
        self._open(generations.current(self.folder))
        return self.load()

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
