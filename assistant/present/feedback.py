"""👍/👎 feedback on answers, with an optional comment, kept in SQLite (My Numbers masked)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.privacy import mask_my_number
from assistant.settings import Settings

from .localdb import LocalDB
from .userdata import db_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  question TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  citations TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: str
    rating: str
    question: str
    summary: str
    comment: str
    citations: str


def default_path(settings: Settings | None = None) -> Path:
    """`<data>/feedback.sqlite3` (or BRIEFING_FEEDBACK_DB); an old `<store>/app.sqlite3` is moved there."""
    return db_path("feedback", settings)


class FeedbackStore:
    def __init__(self, path: Path | str | None = None):
        self.db = LocalDB(path or default_path(), SCHEMA, "フィードバック")

    @property
    def path(self) -> Path:
        return self.db.path

    def record(self, rating: str, question: str, summary: str = "", comment: str = "",
               citation_ids: list[str] | None = None) -> int:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with self.db.connect() as con:
            cur = con.execute(
                "INSERT INTO feedback (created_at, rating, question, summary, comment, citations) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (now, rating, mask_my_number(question), mask_my_number(summary),
                 mask_my_number(comment.strip()), " ".join(citation_ids or [])))
            return int(cur.lastrowid)

    def list(self, limit: int = 100) -> list[Feedback]:
        with self.db.connect() as con:
            rows = con.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Feedback(**dict(r)) for r in rows]

    def counts(self) -> dict[str, int]:
        with self.db.connect() as con:
            rows = con.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {"up": 0, "down": 0, **{r[0]: r[1] for r in rows}}
