"""Japanese sentence splitting that keeps every sentence a verbatim substring of its text."""
from __future__ import annotations

import re

from assistant.injection import looks_like_instruction

_ENDERS = "。！？!?"
_CLOSERS = "」』）)】〕’”\""
_OPENERS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕"}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence. A sentence ends at 。！？ (with any closing brackets that
    follow) outside brackets, or at a line break; 「…。…」 stays one sentence."""
    spans, start, depth, i, n = [], 0, [], 0, len(text)
    while i < n:
        c = text[i]
        if c in _OPENERS:
            depth.append(_OPENERS[c])
        elif depth and c == depth[-1]:
            depth.pop()
        end = None
        if c in _ENDERS and not depth:
            end = i + 1
            while end < n and text[end] in _CLOSERS:
                end += 1
        elif c == "\n":
            end = i + 1
            depth = []  # a line break closes any unbalanced bracket
        if end is not None:
            _add(spans, text, start, end)
            start, i = end, end
            continue
        i += 1
    _add(spans, text, start, n)
    return spans


def _add(spans, text, start, end):
    # trim whitespace so spans are clean, but stay inside the original text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


_LIST_MARKER = re.compile(r"^\s*(?:[-*・]|\d+[.)．])\s*")


def quotable_spans(text: str, min_chars: int = 12, max_chars: int = 220) -> list[tuple[int, int]]:
    """Spans of whole sentences an answer may quote: list markers trimmed, fragments, run-ons and
    text addressed to the assistant left out. Shared by indexing (sentence vectors) and composing, so both agree."""
    out = []
    for s, e in sentence_spans(text):
        m = _LIST_MARKER.match(text[s:e])
        if m:  # a list marker is not part of the claim: trim it cleanly
            s += m.end()
        sent = text[s:e]
        if (min_chars <= len(sent) <= max_chars and sent.endswith(("。", "」", "）"))
                and not looks_like_instruction(sent)):   # a source is evidence, never an instruction
            out.append((s, e))
    return out
