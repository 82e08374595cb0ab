"""Chunk stage: heading-aware, Japanese-sentence-aware splitting with content-hash ids."""
from .sentences import quotable_spans, split_sentences
from .splitter import Chunker, chunk_documents

__all__ = ["Chunker", "chunk_documents", "quotable_spans", "split_sentences"]
