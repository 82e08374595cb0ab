"""Deterministic embedder for unit tests: hashed character bigrams of the normalised text.

Texts that share wording get similar vectors, so retrieval tests still mean something.
"""
from __future__ import annotations

import hashlib

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.normalize import normalize


class FakeEmbeddings(Embeddings):
    name = "fake-bigram"

    def __init__(self, dim: int = 256):
        self.dim = dim

    def _vec(self, text: str) -> list[float]:
        t = normalize(text)
        v = np.zeros(self.dim, dtype=np.float64)
        for a, b in zip(t, t[1:]):
            h = int.from_bytes(hashlib.blake2b((a + b).encode("utf-8"), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)
