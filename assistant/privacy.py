"""Personal data never reaches logs, feedback or drafts: a 12-digit run may be a My Number."""
import re

# 12 digits, optionally grouped 4-4-4 with spaces or hyphens, full- or half-width.
_MY_NUMBER = re.compile(r"(?<![0-9０-９])([0-9０-９]{4})[ \-－ー　]?([0-9０-９]{4})[ \-－ー　]?([0-9０-９]{4})(?![0-9０-９])")


def mask_my_number(text: str) -> str:
    """Replace anything shaped like a My Number with a mask; other numbers stay."""
    return _MY_NUMBER.sub("************", text or "")


def contains_my_number(text: str) -> bool:
    return bool(_MY_NUMBER.search(text or ""))
