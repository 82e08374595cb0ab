"""Atomic index builds: every build writes a new generation folder, then one atomic rename of
the `CURRENT` pointer switches readers over. A build killed half-way leaves only an unreferenced
folder, which the next build removes; the previous index keeps answering meanwhile.

    .briefing/CURRENT            "gen-20261126T071500123-4242"
    .briefing/gen-…/             manifest.json, chunks.jsonl, sentences.npz, bm25/, chroma/
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path

from .records import write_atomic

log = logging.getLogger(__name__)
POINTER = "CURRENT"
PREFIX = "gen-"
# Files of the single-folder layout used before generations; removed after the first new build.
LEGACY = ("manifest.json", "chunks.jsonl", "sentences.npz", "bm25", "chroma")


def current(folder: Path) -> str | None:
    """The generation readers should use, or None when no build has completed."""
    try:
        name = (folder / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if name.startswith(PREFIX) and (folder / name).is_dir() else None


def new_name() -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")[:-3]
    return f"{PREFIX}{stamp}-{os.getpid()}"


def switch(folder: Path, name: str) -> None:
    write_atomic(folder / POINTER, name + "\n")


def existing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{PREFIX}*") if p.is_dir())


def remove_unused(folder: Path, keep: set[str], legacy: bool = False) -> list[str]:
    """Delete generation folders not in `keep` (unfinished builds, older indexes) and legacy files."""
    removed = []
    for name in existing(folder):
        if name not in keep:
            shutil.rmtree(folder / name, ignore_errors=True)
            removed.append(name)
    if legacy:
        for name in LEGACY:
            p = folder / name
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()
    if removed:
        log.info("removed %d old or unfinished index generation(s) from %s", len(removed), folder)
    return removed


def is_legacy(folder: Path) -> bool:
    return current(folder) is None and (folder / "manifest.json").is_file()
