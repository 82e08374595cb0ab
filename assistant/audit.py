"""A tamper-evident record of every ask, every failed sign-in and every change to a press draft:
one JSON line per event, each carrying the SHA-256 of the previous line (a hash chain), plus a head
file naming the last entry. An ask has no `event` key (the original format); other entries name
theirs (`login_failed`, `login_refused`, `draft`).

Editing a line breaks its own hash; reordering or deleting lines breaks `seq` and `prev`; cutting
entries off the end disagrees with the head. `briefing audit verify` checks all of it. Questions,
summaries and names are masked (My Number) before they are written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import BriefingError
from assistant.privacy import mask_my_number

GENESIS = "0" * 64


class AuditError(BriefingError):
    """The audit log cannot be written; the answer is withheld rather than left unrecorded."""


def _digest(prev: str, entry: dict) -> str:
    body = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def entry_for(answer=None, *, question: str, channel: str, user: str | None = None,
              error: str | None = None) -> dict:
    """What is kept of one ask (never the raw question)."""
    e = {"time": now_iso(), "channel": channel,
         "user": mask_my_number(user) if user else None, "question": mask_my_number(question)}
    if answer is not None:
        e.update(summary=mask_my_number(answer.summary), abstained=answer.abstained,
                 actors=[r.actor for r in answer.responsibility],
                 cause=answer.cause.type if answer.cause else None,
                 citations=[c.id for c in answer.citations])
    if error:
        e["error"] = mask_my_number(error)
    return e


def event_entry(event: str, *, channel: str, user: str | None = None, texts: dict | None = None,
                **fields) -> dict:
    """A non-ask entry. Free text (user and `texts`) is masked; `fields` are stored as given, so
    hashes and ids are never touched by the mask (a hex digest can hold twelve digits in a row)."""
    e = {"time": now_iso(), "channel": channel, "event": event, "user": mask_my_number(user) if user else None}
    e.update({k: mask_my_number(v) if isinstance(v, str) else v for k, v in (texts or {}).items()})
    e.update(fields)
    return e


class AuditLog:
    def __init__(self, path: Path | str, lock_timeout: float = 10.0):
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._file_lock = FileLock(str(self.path) + ".lock")
        self._thread_lock = threading.Lock()
        self._timeout = lock_timeout

    def append(self, entry: dict) -> dict:
        """Chain `entry` after the last one; safe across threads and processes."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._thread_lock, self._file_lock.acquire(timeout=self._timeout):
                seq, prev = self._last()
                entry = {"seq": seq + 1, **{k: v for k, v in entry.items() if k not in ("seq", "prev", "hash")},
                         "prev": prev}
                entry["hash"] = _digest(prev, entry)
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                tmp = self.head_path.with_name(self.head_path.name + ".tmp")
                tmp.write_text(json.dumps({"seq": entry["seq"], "hash": entry["hash"]}), encoding="utf-8")
                os.replace(tmp, self.head_path)
        except (OSError, Timeout) as exc:
            raise AuditError(f"the audit log {self.path} cannot be written ({exc})",
                             "check the folder's permissions and free space, or set BRIEFING_AUDIT_LOG") from exc
        return entry

    def _last(self) -> tuple[int, str]:
        line = _last_line(self.path)
        if not line:
            return 0, GENESIS
        try:
            last = json.loads(line)
            return int(last["seq"]), str(last["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"the last entry of {self.path} is damaged",
                             "run `briefing audit verify` and keep a copy of the file") from exc

    def copy_to(self, folder: Path) -> list[Path]:
        """Copy the log and its head file into `folder` with no append half-way (for backups)."""
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        with self._thread_lock, self._file_lock.acquire(timeout=self._timeout):
            for src in (self.path, self.head_path):
                if src.is_file():
                    out.append(Path(shutil.copy2(src, folder / src.name)))
        return out

    def entries(self) -> list[dict]:
        if not self.path.is_file():
            return []
        return [json.loads(ln) for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _last_line(path: Path) -> str:
    """The last line, read from the end (the log grows for years; appends must stay cheap)."""
    try:
        with open(path, "rb") as fh:
            pos = fh.seek(0, os.SEEK_END)
            data = b""
            while pos > 0 and data.rstrip(b"\n").count(b"\n") == 0:
                step = min(4096, pos)
                pos -= step
                fh.seek(pos)
                data = fh.read(step) + data
    except FileNotFoundError:
        return ""
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")


@dataclass
class Verification:
    entries: int = 0
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path | str) -> Verification:
    """Walk the chain; name every edited, reordered, deleted or truncated entry."""
    log = AuditLog(path)
    out = Verification()
    if not log.path.is_file():
        if log.head_path.is_file():
            out.problems.append(f"{log.path} is missing but its head file exists (the log was deleted)")
        return out
    expected, prev = 1, GENESIS
    for n, line in enumerate(log.path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            seq, stored = int(e["seq"]), e["hash"]
        except (ValueError, KeyError, TypeError):
            out.problems.append(f"line {n}: not a valid entry (edited by hand?)")
            continue
        body = {k: v for k, v in e.items() if k != "hash"}
        if _digest(e.get("prev", ""), body) != stored:
            out.problems.append(f"line {n} (seq {seq}): content does not match its hash (edited)")
        if seq > expected:
            out.problems.append(f"line {n}: entries {expected}–{seq - 1} are missing (deleted)")
        elif seq < expected:
            out.problems.append(f"line {n}: seq {seq} comes after seq {expected - 1} (reordered or duplicated)")
        elif e.get("prev") != prev:
            out.problems.append(f"line {n} (seq {seq}): does not follow the previous entry (reordered or replaced)")
        expected, prev = seq + 1, stored
        out.entries += 1
    out.last_hash = prev
    try:
        head = json.loads(log.head_path.read_text(encoding="utf-8"))
        if (head.get("seq"), head.get("hash")) != (expected - 1, prev):
            out.problems.append(f"the log ends at seq {expected - 1} but its head names seq {head.get('seq')} "
                                "(entries cut off the end, or the head was replaced)")
    except FileNotFoundError:
        if out.entries:
            out.problems.append(f"{log.head_path.name} is missing (deleted?)")
    except ValueError:
        out.problems.append(f"{log.head_path.name} is damaged")
    return out
