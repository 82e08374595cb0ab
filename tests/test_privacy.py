"""My Number detection: the official check digit, every allowed formatting, nothing else touched."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.privacy import (MASK, check_digit, contains_my_number, find_my_numbers, is_my_number, mask_my_number,
                               names_private_person)

# Worked by hand (P_n = n-th digit from the right of the 11, Q_n = 2,3,4,5,6,7,2,3,4,5,6 for n = 1..11):
#
#   12345678901 → P = 1,0,9,8,7,6,5,4,3,2,1
#     Σ P·Q = 1·2 + 0·3 + 9·4 + 8·5 + 7·6 + 6·7 + 5·2 + 4·3 + 3·4 + 2·5 + 1·6
#           = 2 + 0 + 36 + 40 + 42 + 42 + 10 + 12 + 12 + 10 + 6 = 212;  212 mod 11 = 3 → 11 − 3 = 8
#     so 123456789018 is a well-formed My Number and 123456789012 (used as "a number" in old tests) is not.
#
#   98765432109 → P = 9,0,1,2,3,4,5,6,7,8,9
#     Σ P·Q = 18 + 0 + 4 + 10 + 18 + 28 + 10 + 18 + 28 + 40 + 54 = 228;  228 mod 11 = 8 → 11 − 8 = 3
#     so 987654321093.
#
#   00000000006 → Σ = 6·2 = 12;  12 mod 11 = 1 ≤ 1 → 0   (the "remainder ≤ 1 gives 0" rule)
#   00000000050 → Σ = 5·3 = 15;  15 mod 11 = 4 → 7       (Q_2 = 3)
#   50000000000 → Σ = 5·6 = 30;  30 mod 11 = 8 → 3       (Q_11 = 6)
#   00005000000 → Σ = 5·2 = 10;  10 mod 11 = 10 → 1      (Q_7 = 2: the weights restart)
HAND = {"12345678901": 8, "98765432109": 3, "00000000006": 0, "00000000050": 7, "50000000000": 3,
        "00005000000": 1, "00000000000": 0}
VALID = "123456789018"
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("first11,expected", HAND.items())
def test_check_digit_matches_hand_computed_values(first11, expected):
    assert check_digit(first11) == expected
    assert is_my_number(first11 + str(expected))
    assert not is_my_number(first11 + str((expected + 1) % 10))


@pytest.mark.parametrize("bad", ["1234567890", "123456789012", "１２３４５６７８９０１", "1234567890a"])
def test_check_digit_wants_eleven_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize("raw", [VALID, "1234-5678-9018", "1234 5678 9018", "1234　5678　9018", "1234－5678－9018",
                                 "1234ー5678ー9018", "1234−5678‐9018", "１２３４５６７８９０１８", "１２３4 56７８ 9018",
                                 "9876-5432-1093", "000000000060",
                                 "1234 56789018", "12345678-9018"])  # half-grouped: masked too, to be safe
def test_valid_numbers_are_masked_in_any_width_or_grouping(raw):
    text = f"番号は{raw}です"
    assert find_my_numbers(text) == [(3, 3 + len(raw))]
    assert mask_my_number(text) == f"番号は{MASK}です" and contains_my_number(text)


@pytest.mark.parametrize("text", [
    "番号は123456789012です", "1234-5678-9012", "１２３４５６７８９０１２",       # wrong check digit
    "法人番号 1234567890123", "口座 0123456789018", "1234567890189",          # 13 digits
    "０123456789018", "123456789018０", "a1234 5678 90189",               # a digit next to it
    "7,372件、2023年6月1日、電話 03-1234-5678", "12345 6789 018", "1234  5678 9018"])
def test_other_numbers_stay(text):
    assert mask_my_number(text) == text and not contains_my_number(text) and find_my_numbers(text) == []


def test_empty_and_none():
    assert mask_my_number("") == "" and mask_my_number(None) == "" and not contains_my_number(None)


# ---- properties
DIGITS = "0123456789０１２３４５６７８９"
SEPS = [" ", "　", "-", "－", "‐", "‑", "–", "—", "−", "ー"]
FAST = settings(max_examples=200, deadline=None)

first11 = st.text("0123456789", min_size=11, max_size=11)
widths = st.lists(st.booleans(), min_size=12, max_size=12)          # True = full-width, per digit
grouping = st.one_of(st.just(("", "")), st.tuples(st.sampled_from(SEPS), st.sampled_from(SEPS)))
surround = st.text(st.characters(codec="utf-8", exclude_characters=DIGITS), max_size=20)
anything = st.text(st.characters(codec="utf-8"), max_size=20)        # may hold digits and separators


def shaped(digits: str, wide: list[bool], seps: tuple[str, str]) -> str:
    d = "".join(c.translate(WIDE) if w else c for c, w in zip(digits, wide))
    return f"{d[:4]}{seps[0]}{d[4:8]}{seps[1]}{d[8:]}"


def with_check(body: str) -> str:
    return body + str(check_digit(body))


@FAST
@given(first11, widths, grouping, anything, anything)
def test_any_valid_number_anywhere_is_masked_and_its_digits_gone(body, wide, seps, before, after):
    before = before if not before or before[-1] not in DIGITS else before + "。"
    after = after if not after or after[0] not in DIGITS else "。" + after
    number = shaped(with_check(body), wide, seps)
    text = before + number + after
    start, end = len(before), len(before) + len(number)
    assert any(s <= start and end <= e for s, e in find_my_numbers(text))   # the whole number is covered
    out = mask_my_number(text)
    assert MASK in out and number not in out and not contains_my_number(out)
    assert mask_my_number(out) == out


@FAST
@given(first11, widths, grouping, surround, surround)
def test_exactly_the_number_is_replaced_when_nothing_else_has_digits(body, wide, seps, before, after):
    number = shaped(with_check(body), wide, seps)
    assert mask_my_number(before + number + after) == before + MASK + after


valid_numbers = st.builds(lambda b, w, g: shaped(with_check(b), w, g), first11, widths, grouping)
any_twelve = st.builds(shaped, st.text("0123456789", min_size=12, max_size=12), widths, grouping)
jumble = st.lists(st.one_of(valid_numbers, any_twelve, st.text(DIGITS, max_size=14), st.sampled_from(SEPS), anything),
                  max_size=8).map("".join)   # numbers run into each other, into separators and into text


@FAST
@given(jumble)
def test_masking_is_idempotent_and_leaves_no_my_number(text):
    out = mask_my_number(text)
    assert mask_my_number(out) == out and not contains_my_number(out)


@FAST
@given(first11, st.integers(1, 9), widths, grouping, surround, surround)
def test_a_wrong_check_digit_is_left_alone(body, off, wide, seps, before, after):
    wrong = body + str((check_digit(body) + off) % 10)
    assert not is_my_number(wrong)
    text = before + shaped(wrong, wide, seps) + after
    assert mask_my_number(text) == text and not contains_my_number(text)


@FAST
@given(st.text(DIGITS, min_size=13, max_size=30), surround, surround)
def test_runs_of_thirteen_or_more_digits_are_left_alone(run, before, after):
    text = before + run + after
    assert mask_my_number(text) == text


filler = st.text(st.characters(codec="utf-8", exclude_characters=DIGITS + "".join(SEPS)), min_size=1, max_size=8)


@FAST
@given(st.lists(st.tuples(st.text(DIGITS, min_size=1, max_size=11), filler), max_size=8), surround)
def test_text_without_a_twelve_digit_run_is_unchanged(runs, head):
    # digit runs of 1..11 (ASCII and full-width mixed), kept apart by text that is neither digit nor separator
    text = head + "".join(digits + gap for digits, gap in runs)
    assert mask_my_number(text) == text and find_my_numbers(text) == []


@FAST
@given(st.text(st.characters(codec="utf-8"), max_size=40).filter(
    lambda t: sum(c in DIGITS for c in t) < 12))
def test_text_with_fewer_than_twelve_digits_is_unchanged(text):
    assert mask_my_number(text) == text and find_my_numbers(text) == []


def test_log_lines_and_tracebacks_are_masked_and_placeholders_still_work():
    import io
    import logging
    from assistant.privacy import MaskingFilter
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    log = logging.getLogger("test-masking")
    log.addHandler(handler)
    try:
        log.warning("kept %d of %d for %s", 3, 5, "番号123456789018")
        try:
            raise ValueError("bad 1234-5678-9018")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "kept 3 of 5 for 番号************" in out
    assert "9018" not in out and "ValueError: bad ************" in out


@pytest.mark.parametrize("text, private", [
    ("市民の山田花子さんのマイナンバーを調べて", True),
    ("佐藤様の公金受取口座は登録されていますか", True),
    ("鈴木一郎の番号を教えて", True),                      # family and given name
    ("松本剛明総務大臣は謝罪したのか", False),              # an official named with a title
    ("吉本氏は何と述べたか", False),                        # a speaker the sources name
    ("福島市長は謝罪したのか", False),
    ("誤登録された住民の名前と住んでいる地区を教えてほしい", True),   # who someone is
    ("J-LISへの照会で住所を使わなかったのはなぜか", False),
    ("公金受取口座の誤登録は誰の責任か", False),
    ("河野さんは自治体に責任を押し付けているのではないか", False),   # what a person did: the affair
    ("田中さんについて調べてほしい", True),
    ("市民の山田花子さん（昭和40年生まれ）のマイナンバーを調べて", True),   # an aside between name and の
])
def test_questions_naming_a_private_person(text, private):
    assert names_private_person(text, known={"吉本"}) is private
