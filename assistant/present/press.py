"""Press Q&A (想定問答): questions → drafted answers → staff edits → approval → .docx / .md.

This module holds the values (PressItem, PressDraft) and turns an Answer into an item; drafts are
stored by `press_book.PressBook` (every change on the audit record) and written out by `press_export`.
My Numbers are masked wherever staff text enters a draft (questions, edits, titles, approver names)
and again in every PressItem / PressDraft, so an export never carries one.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from assistant.privacy import mask_my_number
from assistant.superseded import notice as superseded_notice
from assistant.values import ACTORS, CAUSE_LABELS

KIND_LABELS = {"statute": "法令", "notice": "通知", "incident": "事案", "analysis": "分析",
               "guidance": "手引き", "faq": "FAQ"}

# Starter questions for staff, grouped by topic (the press page offers them as picks).
SUGGESTIONS: dict[str, list[str]] = {
    "公金受取口座": ["公金受取口座の誤登録は市の責任ですか？",
                "共用端末でのログアウト忘れはなぜ防げなかったのですか？",
                "窓口での登録支援を続けるのですか？"],
    "健康保険証": ["保険証の紐付け誤りはなぜ起きたのですか？",
              "健康保険の紐付け誤りの責任は誰にありますか？"],
    "障害者手帳": ["障害者手帳の誤登録の責任はどこにありますか？"],
    "説明・再発防止": ["記者会見でどう説明すべきですか？",
                 "市として再発防止に何をしますか？",
                 "マイナンバーカードそのものに問題があるのですか？"],
}

def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class PressItem:
    question: str
    answer: str = ""                 # drafted answer body (Markdown, sentences end with [n])
    responsibility: str = ""         # one line: who is responsible, in order
    cause: str = ""                  # 原因の型 label
    citations: list[dict] = field(default_factory=list)
    abstained: bool = False
    edited_answer: str | None = None
    status: str = "draft"
    approver: str | None = None
    approved_at: str | None = None
    id: int | None = None
    draft_id: int | None = None
    position: int = 0

    def __post_init__(self):
        self.question, self.answer = mask_my_number(self.question), mask_my_number(self.answer)
        if self.edited_answer is not None:
            self.edited_answer = mask_my_number(self.edited_answer)
        if self.approver is not None:
            self.approver = mask_my_number(self.approver)

    @property
    def final_answer(self) -> str:
        return self.edited_answer if self.edited_answer is not None else self.answer

    @property
    def drafted(self) -> bool:
        return bool(self.answer)

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass
class PressDraft:
    title: str
    created: str = field(default_factory=_now)
    items: list[PressItem] = field(default_factory=list)
    id: int | None = None

    def __post_init__(self):
        self.title = mask_my_number(self.title)


# ---- from an Answer to an item
def answer_markdown(ans, heading: str = "### {}", sep: str = "", skip_conclusion: bool = False) -> str:
    """The answer body without its trailing 出典 list (sources are rendered separately).
    Press items use 【結論】-style headings and one sentence per line, which staff edit easily.
    `skip_conclusion` leaves out the 結論 section (the chat shows it as the verdict box)."""
    if ans.abstained:
        return ans.summary
    if ans.sections:
        parts = []
        for sec in ans.sections[1 if skip_conclusion else 0:]:
            body = sep.join(f"{s.text}{''.join(f'[{n}]' for n in s.citations)}" for s in sec.sentences)
            parts.append(f"{heading.format(sec.heading)}\n{'' if sep else chr(10)}{body}")
        return "\n\n".join(parts)
    return ans.answer.split("### 出典")[0].strip()


def responsibility_line(ans) -> str:
    if not ans.responsibility:
        return ""
    parts = []
    for r in ans.responsibility:
        detail = "：".join(x for x in (r.role, r.scope) if x)
        parts.append(f"{ACTORS.get(r.actor, r.label or r.actor)}" + (f"（{detail}）" if detail else ""))
    return "責任の所在：" + " → ".join(parts)


def item_from_answer(question: str, ans) -> PressItem:
    cause = ans.cause.type if ans.cause else "none"
    return PressItem(
        question=mask_my_number(question.strip()),
        answer=answer_markdown(ans, heading="【{}】", sep="\n") + "".join(   # an old version cited: say so
            f"\n※ {superseded_notice(s)}" for s in getattr(ans, "superseded", None) or []),
        responsibility=responsibility_line(ans),
        cause="" if cause == "none" else CAUSE_LABELS.get(cause, cause),
        citations=[{"n": c.n, "id": c.id, "title": c.title, "kind": c.kind, "issuer": c.issuer, "date": c.date,
                    "locator": c.locator, "source": c.source, "quote": c.quote} for c in ans.citations],
        abstained=ans.abstained)


_LIST_MARKER = re.compile(r"^(?:[・\-*•]|[0-9０-９]+[.．、)）](?![0-9０-９])|[(（][0-9０-９]+[)）]|問[0-9０-９]+[.．:：　 ]?)\s*")


def parse_questions(text: str) -> list[str]:
    """One question per line; blank lines and list markers (・, -, 1.) are dropped."""
    out = []
    for line in (text or "").splitlines():
        q = _LIST_MARKER.sub("", line.strip()).strip()
        if q:
            out.append(q)
    return out
