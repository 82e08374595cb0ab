"""Where staff's own work is kept: the data folder (default `.briefing-data/`, setting BRIEFING_DATA).

Press drafts with their approvals (`press.sqlite3`) and feedback (`feedback.sqlite3`) live here, apart
from the index folder (`.briefing/`), which `make clean` and a rebuild may delete at any time. Earlier
versions kept both files inside the index folder; the first open copies such a file here (SQLite's
online backup, so a half-written transaction is never copied) and renames the old one to
`*.migrated`. Nothing is deleted.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.settings import Settings, get_settings

from .localdb import LocalDBError

log = logging.getLogger(__name__)

# kind → (file name in the data folder, file name the index folder used to hold)
FILES = {"press": ("press.sqlite3", "press.sqlite3"), "feedback": ("feedback.sqlite3", "app.sqlite3")}
MIGRATED = ".migrated"


def db_path(kind: str, settings: Settings | None = None) -> Path:
    """The database file for `kind` ("press" or "feedback"), after moving an old one into place."""
    s = settings or get_settings()
    name, old_name = FILES[kind]
    if s.feedback_db:   # an explicit feedback file: press drafts go beside it, as before
        fb = Path(s.feedback_db)
        return fb if kind == "feedback" else fb.parent / name
    path = Path(s.data) / name
    migrate(Path(s.store) / old_name, path)
    return path


def migrate(old: Path, new: Path, timeout: float = 30.0) -> bool:
    """Copy `old` to `new` when `new` does not exist yet, then rename `old` to `*.migrated`.
    True when a file was moved. Safe when several processes open at once (one does the work)."""
    if not old.is_file():
        return False
    try:
        new.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(new.parent / ".migrate.lock"), timeout=timeout):
            if not old.is_file():   # another process moved it while we waited
                return False
            if new.exists():
                log.warning("%s and %s both exist; using %s and leaving the old file as it is", old, new, new)
                return False
            tmp = new.with_name(new.name + ".migrating")
            tmp.unlink(missing_ok=True)
            copy_db(old, tmp)
            os.replace(tmp, new)
            old.rename(old.with_name(old.name + MIGRATED))
    except (OSError, Timeout) as exc:
        raise LocalDBError(f"以前の保存場所（{old}）のデータを {new.parent} に移せませんでした",
                           "フォルダに書き込めるかを確認してください。元のファイルはそのまま残っています") from exc
    log.warning("moved %s to %s (the old file is kept as %s%s)", old, new, old.name, MIGRATED)
    return True


def copy_db(src: Path, dst: Path) -> None:
    """SQLite's online backup; a file SQLite cannot read is copied byte for byte, so that it is kept
    and the usual 'damaged database' message tells staff what to do with it."""
    try:
        source = sqlite3.connect(src, timeout=10)
        try:
            target = sqlite3.connect(dst)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.DatabaseError:
        dst.unlink(missing_ok=True)
        shutil.copy2(src, dst)
