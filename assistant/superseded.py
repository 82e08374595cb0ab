"""An answer that cites a superseded document says so and names the document that replaced it.

The answer JSON gains `superseded`: one entry per cited document that a newer document supersedes
(front matter `supersedes`), with the successor and, when the line goes on, the newest version.
The list is empty when every cited document is current. Added where the answer is finalised
(`Briefing.ask`); the field itself is part of the answer schema (compose/answer.py).
"""
from __future__ import annotations

from assistant.compose.answer import Answer, SupersededSource
from assistant.retrieve.currency import Successors


def note_superseded(answer: Answer, successors: Successors) -> Answer:
    notes: dict[str, SupersededSource] = {}
    for c in answer.citations:
        if c.doc_id in notes:
            notes[c.doc_id].citations.append(c.n)
            continue
        later = successors.later(c.doc_id)
        if later:
            nxt, newest = later[0], later[-1]
            notes[c.doc_id] = SupersededSource(
                doc_id=c.doc_id, title=c.title, date=c.date, citations=[c.n], successor_id=nxt.id,
                successor_title=nxt.title, successor_date=nxt.date.isoformat(), current_id=newest.id,
                current_title=newest.title)
    # a copy of the same class: fields a subclass adds (the LLM's status) are kept
    return answer.model_copy(update={"superseded": list(notes.values())})


def notice(s: SupersededSource) -> str:
    """One line for staff and the mayor (app, text output)."""
    cites = "".join(f"[{n}]" for n in s.citations)
    line = (f"出典 {cites}『{s.title}』（{s.date}）は、『{s.successor_title}』（{s.successor_date}、"
            f"{s.successor_id}）に置き換えられています。")
    if s.current_id != s.successor_id:
        line += f"最新の版は『{s.current_title}』（{s.current_id}）です。"
    return line + "現在の取扱いは新しい資料で確かめてください。"
