"""Personal data never reaches logs, feedback or drafts: a My Number (個人番号) is masked first.

A My Number is 11 digits plus a check digit. Only 12-digit numbers that pass the check are masked,
so dates, amounts, phone numbers and 13-digit 法人番号 stay as written.
"""
import logging
import re

MASK = "************"
_DIGIT = "0-9０-９"
_SEP = " 　\\-－‐‑–—−ー"   # half/full-width space and hyphen-like marks, one between 4-digit groups
# Every place a 12-digit number starts (a lookahead, so overlapping candidates are all seen):
# not preceded or followed by a digit, so part of a longer run (法人番号, account numbers) never is.
_CANDIDATE = re.compile(rf"(?<![{_DIGIT}])(?=([{_DIGIT}]{{4}}[{_SEP}]?[{_DIGIT}]{{4}}[{_SEP}]?[{_DIGIT}]{{4}})"
                        rf"(?![{_DIGIT}]))")
_NOT_DIGIT = re.compile(rf"[^{_DIGIT}]")
_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def check_digit(first11: str) -> int:
    """検査用数字 of 11 ASCII digits, by 平成26年総務省令第85号 第5条 (the 算式 that 番号法施行令
    第8条 leaves to the ordinance; enacted as 「…通知カード及び個人番号カード並びに情報提供ネットワーク
    システムによる特定個人情報の提供等に関する省令」): 11 − (Σ Pn×Qn mod 11), or 0 when the
    remainder is ≤ 1. Pn is the n-th digit counting from the right; Qn = n+1 (n ≤ 6), n−5 (n ≥ 7)."""
    if len(first11) != 11 or not (first11.isascii() and first11.isdigit()):
        raise ValueError(f"expected 11 ASCII digits, got {len(first11)} characters")
    r = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(first11), 1)) % 11
    return 0 if r <= 1 else 11 - r


def is_my_number(digits: str) -> bool:
    """12 ASCII digits whose last one is the check digit of the first 11."""
    return (len(digits) == 12 and digits.isascii() and digits.isdigit()
            and check_digit(digits[:11]) == int(digits[11]))


def find_my_numbers(text: str) -> list[tuple[int, int]]:
    """(start, end) of every My Number in text, overlapping ones merged, in order."""
    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text or ""):
        if not is_my_number(_NOT_DIGIT.sub("", m.group(1)).translate(_ASCII)):
            continue
        start, end = m.span(1)
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def mask_my_number(text: str) -> str:
    """Replace each My Number with a mask; every other number stays exactly as written."""
    text = text or ""
    out, last = [], 0
    for start, end in find_my_numbers(text):
        out += [text[last:start], MASK]
        last = end
    return "".join(out) + text[last:]


def contains_my_number(text: str) -> bool:
    return bool(find_my_numbers(text))


class MaskingFilter(logging.Filter):
    """For log handlers: the formatted message and any traceback, masked (arguments are merged
    into the message first, so %d placeholders keep working)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_my_number(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_my_number(record.exc_text)
        record.exc_info = None
        return True


_HONORIFIC = {"さん", "様", "さま", "君", "くん", "ちゃん", "殿"}
# asking to be told who someone is: their name, address, contact or birth date (基本4情報 and the like)
_IDENTIFY = re.compile(r"(?:名前|氏名|住所|住んでいる(?:地区|場所|所)|連絡先|電話番号|生年月日)[^。？?]{0,12}?"
                       r"(?:教えて|知りたい|開示して|明かして|調べて|公表して)")


def names_private_person(text: str, known: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether `text` asks about a private individual by name (「山田花子さんの口座」「鈴木一郎の番号」):
    a personal name the sources never mention (`known`: their vocabulary, which holds the speakers and
    officials they name), followed by an honorific or given as family and given name — or asks to be told
    someone's name, address or contact details. The sources hold
    no record of any resident, so such a question is declined rather than answered about someone else."""
    from sudachipy import SplitMode

    from assistant.index.lexical import _tokenizer
    from assistant.normalize import normalize
    if _IDENTIFY.search(normalize(text or "")):   # 「誤登録された住民の名前と住所を教えて」
        return True
    plain = re.sub(r"\([^()]*\)", "", normalize(text or ""))   # 「山田花子さん（昭和40年生まれ）の番号」
    morphs = list(_tokenizer().tokenize(plain, SplitMode.C))
    for i, m in enumerate(morphs):
        pos = m.part_of_speech()
        if pos[:3] != ("名詞", "固有名詞", "人名") or m.normalized_form().lower() in known:
            continue
        nxt = morphs[i + 1] if i + 1 < len(morphs) else None
        if nxt is None:
            continue
        if nxt.surface() in _HONORIFIC:
            if _about_them(morphs[i + 2:]):
                return True
            continue
        if pos[3] == "姓" and nxt.part_of_speech()[:4] == ("名詞", "固有名詞", "人名", "名"):
            after = morphs[i + 2] if i + 2 < len(morphs) else None
            titled = after is not None and (after.part_of_speech()[0] == "名詞" or after.surface() == "氏")
            if not titled and _about_them(morphs[i + 2:]):   # 「河野太郎デジタル大臣」: an official with a title
                return True
    return False


def _about_them(rest) -> bool:
    """「…さんの口座」「…について」: the question is about the person's own records, not about what a
    person said or did (「河野さんは自治体に押し付けているのでは」 is a question about the affair)."""
    words = "".join(m.surface() for m in rest[:3])
    return words.startswith("の") or words.startswith("について") or words.startswith("に関")
