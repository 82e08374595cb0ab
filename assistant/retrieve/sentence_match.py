"""Best-sentence similarity: a chunk is as close to the question as its closest sentence.

Uses the sentence vectors the index already holds (SentenceIndex), so nothing is embedded at
question time beyond the query. A long chunk whose one sentence answers the question is no
longer diluted by the rest of the chunk.
"""
from __future__ import annotations

import numpy as np


class SentenceMatcher:
    def __init__(self, index):
        self.index = index
        if index is None or not len(index.keys):
            self._unit, self._chunk = np.zeros((0, 1), dtype=np.float32), np.array([], dtype=object)
            return
        norms = np.linalg.norm(index.vectors, axis=1, keepdims=True)
        unit = np.allclose(norms[norms > 0], 1.0, atol=1e-3)   # embedders mostly return unit vectors
        self._unit = index.vectors if unit else index.vectors / np.where(norms > 0, norms, 1.0)
        self._chunk = np.array([k[0] for k in index.keys], dtype=object)

    def best(self, query_vector, n: int) -> dict[str, float]:
        """Best sentence cosine per chunk, for the n chunks whose best sentences are closest."""
        if not len(self._chunk):
            return {}
        q = np.asarray(query_vector, dtype=np.float32)
        sims = self._unit @ (q / (np.linalg.norm(q) or 1.0))
        m = min(len(sims), 8 * n)   # enough sentences for n chunks unless chunks hold many close ones
        top = np.argpartition(-sims, m - 1)[:m] if m < len(sims) else np.arange(len(sims))
        out: dict[str, float] = {}
        for i in top[np.argsort(-sims[top], kind="stable")]:
            cid = self._chunk[i]
            if cid not in out:
                out[cid] = float(sims[i])
                if len(out) >= n:
                    break
        return out
