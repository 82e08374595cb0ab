"""Chunk stage: heading-aware, Japanese-sentence-aware splitting with content-hash ids."""
from .sentences import split_sentences
from .splitter import Chunker, chunk_documents

__all__ = ["Chunker", "chunk_documents", "split_sentences"]
