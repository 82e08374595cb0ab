"""The chat conversation as Word (.docx) or Markdown, for the mayor's briefing folder.

Each answered question becomes one 問 with its answer, who is responsible, the cause and the sources
with the passages quoted from them. The layout is the press draft's (`press_export`), without an
approval record: the file says the answers were never approved. Questions that got an error instead
of an answer are left out.
"""
from __future__ import annotations

import datetime as dt

from .press import PressDraft, item_from_answer
from .press_export import render

TITLE = "ブリーフィング記録"


def conversation(turns: list[dict], title: str = TITLE) -> PressDraft:
    """Chat turns ({"question", "answer", …}, as the chat page keeps them) → a draft to write out."""
    return PressDraft(title=title, items=[item_from_answer(t["question"], t["answer"])
                                          for t in turns if t.get("answer") is not None])


def export_bytes(turns: list[dict], fmt: str, title: str = TITLE) -> bytes:
    return render(conversation(turns, title), fmt, record=False)


def file_name(fmt: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"{TITLE}_{when:%Y%m%d_%H%M}.{fmt}"
