"""`briefing backup --out FILE.zip|FOLDER`: a consistent copy of staff's own records while the app runs.

Each database (press drafts, feedback) is copied with SQLite's online backup, so a write in progress
is either wholly in the copy or not at all; the audit log is copied under its own lock. The index is
not included: `briefing index` rebuilds it from the corpus.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import zipfile
from pathlib import Path

from filelock import Timeout

from assistant.audit import AuditError, AuditLog
from assistant.settings import get_settings

from .localdb import LocalDBError
from .userdata import FILES, copy_db, db_path

RESTORE = """このフォルダ（または zip）は `briefing backup` で作ったバックアップです（{when}）。
戻し方：アプリとコマンドを止めてから、
  data/ の中身 → データフォルダ（BRIEFING_DATA、既定 .briefing-data/）へ
  audit/ の中身 → 監査ログのフォルダ（BRIEFING_AUDIT_LOG のあるフォルダ、既定 .briefing-audit/）へ
コピーしてください。索引（.briefing/）は含みません。`briefing index` で作り直せます。
"""


def write_backup(out: Path) -> list[str]:
    """Write the backup to `out` (a .zip file, or a new folder); returns the names it holds."""
    if out.exists():
        raise LocalDBError(f"バックアップの出力先 {out} はすでにあります",
                           "上書きはしません。新しいファイル名かフォルダ名を指定してください")
    if out.suffix.lower() != ".zip":
        _fill(out)
        return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory(prefix="briefing-backup-") as tmp:
        _fill(Path(tmp))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        names = sorted(str(p.relative_to(tmp)) for p in Path(tmp).rglob("*") if p.is_file())
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name in names:
                    zf.write(Path(tmp) / name, name)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return names


def _fill(folder: Path) -> None:
    data = folder / "data"
    data.mkdir(parents=True)
    for kind in FILES:
        src = db_path(kind)
        if src.is_file():
            copy_db(src, data / src.name)
    try:
        AuditLog(get_settings().audit_log).copy_to(folder / "audit")
    except (OSError, Timeout) as exc:
        raise AuditError(f"the audit log cannot be copied ({exc})", "check BRIEFING_AUDIT_LOG") from exc
    when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    (folder / "README.txt").write_text(RESTORE.format(when=when), encoding="utf-8")


def run_backup(out: Path) -> int:
    names = write_backup(out)
    kept = [n for n in names if n != "README.txt"]
    print(f"backup: {len(kept)} 個のファイルを保存しました（{', '.join(kept) or 'まだ記録はありません'}）→ {out}",
          file=sys.stderr)
    return 0
