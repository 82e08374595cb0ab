"""Japanese text normalisation for queries and the lexical index.

NFKC folds full/half width (ＡＢＣ→ABC, ｶﾅ→カナ, １４→14); a small 表記ゆれ table folds
spelling variants to one form; kanji numerals in article locators become digits so that
「第十四条第二項」 and 「第14条第2項」 match.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# What str.splitlines() splits on (CRLF, CR, VT, FF, FS/GS/RS, NEL, U+2028/2029) → one line break.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0/C1 controls, zero-width and bidi-override characters, stray BOMs and non-characters.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069"
                        "\ufeff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Line breaks become \\n; control and invisible characters are removed. For documents at
    load time and questions on arrival (text that could hide or reorder what a reader sees)."""
    return _INVISIBLE.sub("", _BREAKS.sub("\n", text))

# variant → canonical. Longer variants first so that a short one never eats a long one.
VARIANTS: dict[str, str] = {
    "ひも付け": "紐付け", "ひもづけ": "紐付け", "紐づけ": "紐付け", "ヒモ付け": "紐付け",
    "誤紐付け": "紐付け誤り", "紐付けミス": "紐付け誤り", "紐付けの誤り": "紐付け誤り",
    "紐付け間違い": "紐付け誤り",
    "マイナ保険証": "保険証", "マイナンバー保険証": "保険証", "健康保険証": "保険証",
    "マイナカード": "マイナンバーカード", "個人番号カード": "マイナンバーカード",
    "マイナンバー法": "番号法",
    "行政手続における特定の個人を識別するための番号の利用等に関する法律": "番号法",
    "住民基本台帳法": "住基法",
    "金商法": "金融商品取引法",
    "個人情報の保護に関する法律": "個人情報保護法",
    "地方公共団体情報システム機構": "J-LIS", "ジェイリス": "J-LIS", "JLIS": "J-LIS",
    "公金口座": "公金受取口座", "公金受け取り口座": "公金受取口座",
    "デジ庁": "デジタル庁",
    "内閣総理大臣": "総理大臣", "首相": "総理大臣",
    "個情委": "個人情報保護委員会", "PPC": "個人情報保護委員会",
    "障がい者手帳": "障害者手帳", "障碍者手帳": "障害者手帳",
    "オン資": "オンライン資格確認",
    "ログオフ": "ログアウト",
}
# No canonical form contains a variant, so folding is idempotent.
assert not any(v in c for c in VARIANTS.values() for v in VARIANTS if v != c)
_VARIANT_RE = re.compile("|".join(re.escape(v) for v in sorted(VARIANTS, key=len, reverse=True)))

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                 "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_K = "〇零一二三四五六七八九十百千"
_KANJI_NUM = f"[{_K}]{{1,8}}(?![{_K}])"   # longer runs are not locators (and would not fit an int string)
_LOCATOR_RE = re.compile(rf"第({_KANJI_NUM})(条|項|号|章|節|款)")
_BRANCH_RE = re.compile(rf"([条項号0-9])((?:の{_KANJI_NUM})+)")   # 条の二十二の二: the whole chain at once
_NUMERAL_RE = re.compile(_KANJI_NUM)
_DASH_LIS_RE = re.compile(r"[‐‑‒–—―ー−](?=LIS)")
_SPACE_RE = re.compile(r"\s+")


def kanji_to_int(s: str) -> int:
    """「三十」→30, 「百二」→102, 「十四」→14, 「二〇」→20. ValueError if `s` is not a kanji numeral
    (the one way it fails); any length works (no int-string limit)."""
    if not s or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in s):
        raise ValueError(f"not a kanji numeral: {s[:20]!r}")
    if all(c in _KANJI_DIGITS for c in s):   # positional: 二〇 → 20
        n = 0
        for c in s:
            n = n * 10 + _KANJI_DIGITS[c]
        return n
    total, current = 0, 0
    for c in s:
        if c in _KANJI_DIGITS:
            current = _KANJI_DIGITS[c]
        else:
            total += (current or 1) * _KANJI_UNITS[c]
            current = 0
    return total + current


def arabic_locators(text: str) -> str:
    """第十四条第二項 → 第14条第2項, 第二十七条の二十二の二 → 第27条の22の2."""
    text = _LOCATOR_RE.sub(lambda m: f"第{kanji_to_int(m.group(1))}{m.group(2)}", text)
    return _BRANCH_RE.sub(lambda m: m.group(1) + _NUMERAL_RE.sub(lambda k: str(kanji_to_int(k.group(0))), m.group(2)),
                          text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _fold_once(t: str) -> str:
    t = _DASH_LIS_RE.sub("-", nfkc(t))      # J‐LIS / J−LIS
    t = _VARIANT_RE.sub(lambda m: VARIANTS[m.group(0)], t)
    return _SPACE_RE.sub(" ", arabic_locators(t)).strip()


@lru_cache(maxsize=1 << 14)
def normalize(text: str) -> str:
    """Full normalisation for matching (never for quoting). Idempotent: folding is repeated until
    stable, because a fold can make a new variant (ひも付けミス → 紐付けミス → 紐付け誤り) or put a
    letter next to a combining mark that NFKC then composes (… 機構 + U+0301 → J-LIS + U+0301 → J-LIŚ).
    Cached: the composer folds the same corpus sentences and affair terms on every question."""
    t = _fold_once(text)
    for _ in range(8):
        folded = _fold_once(t)
        if folded == t:
            break
        t = folded
    return t
