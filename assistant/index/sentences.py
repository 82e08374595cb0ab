"""Sentence vectors, built at index time, so the composer can rank quotable sentences by meaning
without embedding anything at question time."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.chunk.sentences import quotable_spans
from assistant.values import Chunk

Key = tuple[str, int, int]   # (chunk id, start, end) of a quotable sentence


class SentenceIndex:
    def __init__(self, keys: list[Key], vectors: np.ndarray):
        self.keys = keys
        self.vectors = vectors.astype(np.float32)
        self._row = {k: i for i, k in enumerate(keys)}

    @staticmethod
    def spans(chunks: list[Chunk]) -> tuple[list[Key], list[str]]:
        """Every quotable sentence of the chunks: its key and its text (embedded as a passage)."""
        keys, texts = [], []
        for c in chunks:
            for s, e in quotable_spans(c.text):
                keys.append((c.id, s, e))
                texts.append(c.text[s:e])
        return keys, texts

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, ids=np.array([k[0] for k in self.keys], dtype=object),
                 spans=np.array([(k[1], k[2]) for k in self.keys], dtype=np.int64).reshape(-1, 2),
                 vectors=self.vectors)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "SentenceIndex | None":
        if not path.is_file():
            return None
        data = np.load(path, allow_pickle=True)
        keys = [(str(i), int(s), int(e)) for i, (s, e) in zip(data["ids"], data["spans"])]
        return cls(keys, data["vectors"])

    def similarities(self, query_vector, keys: list[Key]) -> np.ndarray:
        """Cosine of the query with each sentence (vectors are unit length); 0 for unknown keys."""
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        rows = [self._row.get(k, -1) for k in keys]
        out = np.zeros(len(keys), dtype=np.float32)
        known = [i for i, r in enumerate(rows) if r >= 0]
        if known:
            m = self.vectors[[rows[i] for i in known]]
            norms = np.linalg.norm(m, axis=1)
            out[known] = (m @ q) / np.where(norms > 0, norms, 1.0)
        return out

    def vectors_for(self, keys: list[Key]) -> np.ndarray | None:
        """Unit vectors of the given sentences (None when any is unknown to the index)."""
        rows = [self._row.get(k, -1) for k in keys]
        if not rows or min(rows) < 0:
            return None
        m = self.vectors[rows]
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
