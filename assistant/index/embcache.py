"""Persistent passage-vector cache: (embedder id, sha256 of the exact text) → vector.

It lives in the store folder (`<store>/cache/`), outside the index generations, so every
rebuild reuses what earlier builds embedded: adding one document embeds only that document's
chunks and sentences. One SQLite file per embedder id and dimension, so a change of embedder
never mixes vectors; a file that cannot be read is set aside and rebuilt, with a message.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
SCHEMA = 1


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    def __init__(self, folder: Path, embedder_name: str, dim: int):
        self.dim = dim
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", embedder_name)
        self.path = Path(folder) / f"passages-{safe}-{dim}.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.embedder_name = embedder_name
        self.hits = self.misses = 0
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            broken = self.path.with_name(self.path.name + ".broken")
            print(f"埋め込みキャッシュ {self.path} が読めません（{exc}）。作り直します（元のファイルは {broken.name}）。",
                  file=sys.stderr)
            log.warning("embedding cache %s unreadable (%s): rebuilt", self.path, exc)
            self.path.replace(broken)
            self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")
            row = db.execute("SELECT v FROM meta WHERE k='owner'").fetchone()
            owner = f"{SCHEMA}:{self.embedder_name}:{self.dim}"
            if row is None:
                db.execute("INSERT INTO meta VALUES ('owner', ?)", (owner,))
                db.commit()
            elif row[0] != owner:
                raise sqlite3.DatabaseError(f"written for {row[0]}, not {owner}")
            db.execute("SELECT count(*) FROM vec").fetchone()   # a damaged file fails here
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, texts: list[str]) -> list[np.ndarray | None]:
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(part))})"
            for k, v in self._db.execute(q, part):
                vec = np.frombuffer(v, dtype=np.float32)
                if vec.shape == (self.dim,):
                    found[bytes(k)] = vec
        out = [found.get(k) for k in keys]
        hit = sum(v is not None for v in out)
        self.hits += hit
        self.misses += len(out) - hit
        return out

    def put(self, texts: list[str], vectors) -> None:
        rows = [(text_key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)]
        self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", rows)
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM vec").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def embed_cached(embedder, cache: EmbeddingCache | None, texts: list[str], progress: bool = True,
                 desc: str = "embedding", step: int = 256) -> np.ndarray:
    """Passage vectors for `texts`: each distinct text not in the cache is embedded once, in
    batches of `step` (so the embedder can group similar lengths), and stored."""
    from tqdm import tqdm
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    got = cache.get(texts) if cache is not None else [None] * len(texts)
    todo: dict[str, list[int]] = {}
    for i, (t, v) in enumerate(zip(texts, got)):
        if v is None:
            todo.setdefault(t, []).append(i)
        else:
            out[i] = v
    missing = list(todo)
    bar = tqdm(total=len(missing), desc=desc, unit="text", file=sys.stderr, disable=not progress or not missing)
    for j in range(0, len(missing), step):
        part = missing[j:j + step]
        vecs = np.asarray(embedder.embed_documents(part), dtype=np.float32)
        if cache is not None:
            cache.put(part, vecs)
        for t, v in zip(part, vecs):
            out[todo[t]] = v
        bar.update(len(part))
    bar.close()
    return out
