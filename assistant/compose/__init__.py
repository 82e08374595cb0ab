"""Compose stage: retrieved chunks → the answer JSON of contract §2."""
from __future__ import annotations

from .answer import Answer
from .extractive import ExtractiveComposer


def make_composer(searcher, settings):
    """The extractive composer, optionally wrapped by an LLM rewrite behind a faithfulness gate."""
    composer = ExtractiveComposer(searcher, settings)
    if settings.llm:
        from .llm import LLMComposer, make_chat_model
        return LLMComposer(composer, make_chat_model(settings.llm))
    return composer


__all__ = ["Answer", "ExtractiveComposer", "make_composer"]
