"""Small SQLite files for the app's own state (feedback, press drafts), opened the same way: WAL
journal (readers never wait for a writer), and a busy timeout (a writer waits up to `timeout` seconds
for another one before staff see a plain "in use" message).

Failures become `LocalDBError` with a plain Japanese message: a file locked by another process
or a damaged file must tell staff what to do, never show a traceback.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import BriefingError


class LocalDBError(BriefingError):
    stage = "app-db"

    def __str__(self) -> str:  # Japanese message first; the hint says what to do next
        return f"{self.args[0]}（{self.hint}）" if self.hint else self.args[0]


def _translate(exc: sqlite3.Error, path: Path, what: str) -> LocalDBError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return LocalDBError(f"{what}のデータベース（{path}）は別の処理が使用中です",
                            "しばらく待ってからもう一度操作してください。続く場合は他のアプリやコマンドを終了してください")
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                   or "corrupt" in text or "file is encrypted" in text):
        return LocalDBError(f"{what}のデータベース（{path}）が壊れていて読めません",
                            "ファイルを別名に変えて退避してから開き直してください（新しい空のデータベースが作られます）")
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return LocalDBError(f"{what}のデータベース（{path}）を開けません",
                            "フォルダが存在し、書き込みできるかを確認してください")
    return LocalDBError(f"{what}のデータベース（{path}）でエラーが起きました：{exc}",
                        "もう一度操作し、続く場合は管理者に連絡してください")


class LocalDB:
    """One SQLite file; every call opens a short-lived connection (safe across threads/processes)."""

    def __init__(self, path: Path | str, schema: str, what: str, timeout: float = 5.0):
        self.path, self.what, self.timeout = Path(path), what, timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LocalDBError(f"{what}のデータベースのフォルダ（{self.path.parent}）を作れません",
                               "保存先のフォルダに書き込めるかを確認してください") from exc
        with self.connect() as con:
            con.execute("PRAGMA journal_mode = WAL")   # persistent: stored in the file
            con.executescript(schema)

    @contextmanager
    def connect(self):
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, self.what) from exc
        con.row_factory = sqlite3.Row
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            with con:  # one transaction: committed on success, rolled back on error
                yield con
        except sqlite3.Error as exc:
            raise _translate(exc, self.path, self.what) from exc
        finally:
            con.close()
