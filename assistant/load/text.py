"""Reading corpus text: refuse binary data, detect the encoding, drop control characters.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are read as they say. Anything else is tried
as ISO-2022-JP (7-bit with escape sequences), Shift_JIS (cp932) and EUC-JP, and the decoding that
reads most like Japanese wins: EUC-JP bytes often also decode as cp932, into half-width katakana.
"""
from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from assistant.errors import DocumentError
from assistant.normalize import clean_text as clean   # shared with questions (retrieve.check_query)

log = logging.getLogger("assistant.load")

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SIGNATURES = {b"%PDF-": "a PDF", b"\x89PNG": "a PNG image", b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image",
               b"PK\x03\x04": "a ZIP archive or Office file (.docx, .xlsx)",
               b"\xd0\xcf\x11\xe0": "an Office file (.doc, .xls)",
               b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7z archive", b"Rar!": "a RAR archive"}
_ISO2022 = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2")
_LEGACY = ("cp932", "euc_jp")
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32", "cp932": "Shift_JIS (cp932)", "euc_jp": "EUC-JP",
          "iso2022_jp": "ISO-2022-JP", "iso2022_jp_ext": "ISO-2022-JP", "iso2022_jp_2": "ISO-2022-JP-2"}
_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")   # kana, kanji, CJK punctuation, full-width
# signs of a wrong decoding: half-width katakana, private use, control characters
_GARBLED = re.compile("[\uff61-\uff9f\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_HEADING = re.compile(r"^#{1,6}\s+\S")   # as the chunker reads headings (assistant/chunk/splitter.py)


def require_text(body: str, path) -> None:
    """A body of blank lines and headings only would index to nothing: refuse it."""
    if not body.strip():
        raise DocumentError(path, "body", "empty file")
    if all(not ln.strip() or _HEADING.match(ln) for ln in body.split("\n")):
        raise DocumentError(path, "body", "only headings, no text", "add the text under the headings")


def read_text(path: Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DocumentError(path, "file", f"cannot be opened ({exc.strerror or exc})") from exc
    return clean(decode(raw, path))


def decode(raw: bytes, path) -> str:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(path, "encoding", f"starts like {_NAMES[codec]} (byte order mark) but is not "
                                    f"valid {_NAMES[codec]} (byte {exc.start})", "save the file as UTF-8") from exc
            return text if codec == "utf-8-sig" else _used(text, codec, path)
    kind = next((k for sig, k in _SIGNATURES.items() if raw.startswith(sig)), None)
    if kind or b"\x00" in raw:
        raise DocumentError(path, "file", "binary data, not a text document",
                            f"it looks like {kind}: convert it or move it out of the corpus folder" if kind else
                            "move it out of the corpus folder (if it is UTF-16 text without a BOM, save it as UTF-8)")
    if b"\x1b" in raw and raw.isascii():
        for codec in _ISO2022:
            try:
                return _used(raw.decode(codec), codec, path)
            except UnicodeDecodeError:
                continue
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    best = _most_japanese(raw)
    if best is None:
        raise DocumentError(path, "encoding", f"not UTF-8 (invalid byte at offset {utf8_error.start}) "
                            "nor Shift_JIS, EUC-JP or ISO-2022-JP", "save the file as UTF-8")
    return _used(*best, path)


def _most_japanese(raw: bytes) -> tuple[str, str] | None:
    """The legacy decoding with the most Japanese characters and the fewest signs of mis-decoding."""
    scored = []
    for codec in _LEGACY:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        japanese, garbled = len(_JAPANESE.findall(text)), len(_GARBLED.findall(text))
        if garbled <= japanese:
            scored.append((japanese - 2 * garbled, -len(scored), text, codec))
    return max(scored)[2:] if scored else None


def _used(text: str, codec: str, path) -> str:
    log.info("%s: decoded as %s (not UTF-8)", path, _NAMES[codec])
    return text
