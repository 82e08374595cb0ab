"""Lexical side: Sudachi SplitMode.A normalised forms, BM25 (bm25s), persisted beside Chroma.

Mode A keeps 健康保険証 as 健康/保険/証, so a question about 保険証 still matches.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from assistant.normalize import normalize

_DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_local = threading.local()


def _tokenizer():
    # Sudachi tokenizers are not thread-safe; Streamlit serves sessions from threads.
    tok = getattr(_local, "tok", None)
    if tok is None:
        from sudachipy import Dictionary
        tok = _local.tok = Dictionary().tokenizer()
    return tok


def tokenize(text: str) -> list[str]:
    """Content-word normalised forms of `text` (after 表記ゆれ folding)."""
    from sudachipy import SplitMode
    out = []
    for m in _tokenizer().tokenize(normalize(text), SplitMode.A):
        if m.part_of_speech()[0] in _DROP_POS:
            continue
        form = m.normalized_form().lower()
        if form.strip():
            out.append(form)
    return out


class LexicalIndex:
    """BM25 over token lists; ids kept in the same order as the bm25s corpus."""

    def __init__(self, ids: list[str], retriever=None):
        self.ids = ids
        self._bm25 = retriever

    @classmethod
    def build(cls, ids: list[str], texts: list[str], tokenizer=tokenize) -> "LexicalIndex":
        import bm25s
        tokens = [tokenizer(t) or ["<empty>"] for t in texts]
        retriever = bm25s.BM25()
        if ids:
            retriever.index(bm25s.tokenization.convert_tokenized_to_string_list(tokens)
                            if False else _to_bm25s(tokens), show_progress=False)
        return cls(ids, retriever)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")
        if self.ids:
            self._bm25.save(str(folder / "bm25"))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder / "bm25"), load_corpus=False) if ids else None
        return cls(ids, retriever)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every indexed chunk (zeros when no query token is known)."""
        if not self.ids or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        vocab = self._bm25.vocab_dict
        known = [vocab[t] for t in query_tokens if t in vocab]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


def _to_bm25s(tokens: list[list[str]]):
    """bm25s wants ids + vocab; build them ourselves so the tokenizer stays injectable."""
    import bm25s
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)
