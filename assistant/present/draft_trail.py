"""The history of each press draft (想定問答) in the audit log's hash chain.

Every change is one `draft` entry: who (name, role, how signed in), when, which draft and item,
and the SHA-256 of the answer text before and after. The text itself stays in the drafts database
and in exports; the hashes tie a printed answer (its footer carries the same hash) to this record.
"""
from __future__ import annotations

import hashlib

from assistant.access import Actor
from assistant.audit import AuditLog, event_entry

ACTIONS = {  # action → what `briefing audit show` calls it
    "create": "作成", "add": "質問追加", "draft": "回答案作成", "edit": "編集", "approve": "承認",
    "withdraw": "承認取消", "delete": "削除", "export": "書き出し",
}
AUTO_WITHDRAW = "承認後に回答が変わったため自動で取り消し"


def text_sha256(text: str | None) -> str | None:
    """The hash recorded for an answer text (as stored: masked and stripped); None for no text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def short_hash(digest: str | None) -> str:
    """The first 16 hex digits: what exports print and `audit show` lists, enough to compare by eye."""
    return digest[:16] if digest else "—"


class DraftTrail:
    def __init__(self, log: AuditLog):
        self.log = log

    def record(self, action: str, by: Actor, *, draft: int, item: int | None = None,
               question: str | None = None, title: str | None = None, before: str | None = None,
               after: str | None = None, reason: str | None = None, approver: str | None = None,
               **fields) -> dict:
        """Append one entry; raises AuditError when it cannot be written (the caller rolls back).
        Free text (question, title, reason, approver) is masked; `fields` are ids, hashes and times."""
        if action not in ACTIONS:
            raise ValueError(f"unknown draft action {action!r}")
        texts = {k: v for k, v in (("question", question), ("title", title), ("reason", reason),
                                   ("approver", approver)) if v}
        return self.log.append(event_entry(
            "draft", channel="press", user=by.signature, texts=texts, action=action, draft=draft, item=item,
            role=by.role.label, auth=by.auth, before_sha256=text_sha256(before), after_sha256=text_sha256(after),
            **fields))


def history(log: AuditLog, draft_id: int) -> list[dict]:
    """Every entry about one draft, oldest first."""
    return [e for e in log.entries() if e.get("event") == "draft" and e.get("draft") == draft_id]
