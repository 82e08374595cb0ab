from assistant.privacy import contains_my_number, mask_my_number


def test_twelve_digit_numbers_are_masked_in_any_width_or_grouping():
    for raw in ("123456789012", "1234-5678-9012", "1234 5678 9012", "１２３４５６７８９０１２"):
        masked = mask_my_number(f"番号は{raw}です")
        assert "************" in masked and not contains_my_number(masked), raw


def test_other_numbers_stay():
    text = "7,372件、2023年6月1日、電話 03-1234-5678、13桁 1234567890123"
    assert mask_my_number(text) == text
