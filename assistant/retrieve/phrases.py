"""Phrase overlap: how much of the question's wording a candidate holds verbatim.

Character n-grams (no tokenizer: 「有償の譲受けに類するもの」 matches across word boundaries),
each weighted by how few of the candidates hold it, so that wording every candidate shares
(「ものとして」) counts for little and a distinctive phrase counts for much.
"""
from __future__ import annotations

import math
import re

import numpy as np

from assistant.normalize import normalize

_PUNCT = re.compile(r"[\s、。，．,.・「」『』（）()［］\[\]]+")


def grams(text: str, n: int) -> set[str]:
    """The distinct character n-grams of `text` after normalisation, punctuation and spaces dropped."""
    t = _PUNCT.sub("", normalize(text or ""))
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def flat(text: str) -> str:
    """`text` as `grams` sees it (for substring tests)."""
    return _PUNCT.sub("", normalize(text or ""))


def phrase_overlap(query: str, texts: list[str], n: int = 5) -> np.ndarray:
    """0..1 per text: the IDF-weighted share of the query's n-grams found in it. IDF is taken
    over `texts` themselves (the candidates of one search), so no corpus-wide table is needed.
    `texts` must already be `flat`."""
    q = grams(query, n)
    if not q or not texts:
        return np.zeros(len(texts))
    held = [[g for g in q if g in t] for t in texts]
    df: dict[str, int] = {}
    for h in held:
        for g in h:
            df[g] = df.get(g, 0) + 1
    idf = {g: math.log(1 + len(texts) / (1 + df.get(g, 0))) for g in q}
    total = sum(idf.values()) or 1.0
    return np.array([sum(idf[g] for g in h) / total for h in held])
