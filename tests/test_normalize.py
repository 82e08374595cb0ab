import pytest

from assistant.normalize import VARIANTS, kanji_to_int, normalize


@pytest.mark.parametrize("raw, expected", [
    ("ＪＬＩＳへの照会", "J-LIS"),
    ("ｶﾅ氏名", "カナ氏名"),
    ("マイナ保険証のひも付けミス", "保険証の紐付け誤り"),
    ("紐づけ", "紐付け"),
    ("番号法第十四条第二項", "番号法第14条第2項"),
    ("住民基本台帳法第三十条の九", "住基法第30条の9"),
    ("マイナンバー法", "番号法"),
    ("首相の責任", "総理大臣の責任"),
])
def test_normalize_folds_width_and_variants(raw, expected):
    assert expected in normalize(raw)


def test_normalize_is_idempotent_for_every_variant():
    for variant in VARIANTS:
        once = normalize(variant)
        assert normalize(once) == once, variant


@pytest.mark.parametrize("kanji, n", [("十四", 14), ("三十", 30), ("百二", 102), ("二〇", 20), ("九", 9), ("千二百三十四", 1234)])
def test_kanji_numerals(kanji, n):
    assert kanji_to_int(kanji) == n


@pytest.mark.parametrize("raw, expected", [
    ("第二十七条の二十二の二", "第27条の22の2"),
    ("条の一の二の三の四の五の六", "条の1の2の3の4の5の6"),          # was four の at most: not idempotent
    ("地方公共団体情報システム機構\u0301", "J-LI\u015a"),            # the mark composes with the fold's S
    ("第" + "一" * 5000 + "条", "第" + "一" * 5000 + "条"),          # not a locator; int() raised ValueError
])
def test_normalize_regressions_found_by_fuzzing(raw, expected):
    assert normalize(raw) == expected and normalize(expected) == expected


def test_kanji_to_int_refuses_what_is_not_a_numeral():
    for s in ("", "十a", "第"):
        with pytest.raises(ValueError):
            kanji_to_int(s)
    assert kanji_to_int("一" * 5000) > 10 ** 4000   # no int-string length limit
