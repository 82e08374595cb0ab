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
