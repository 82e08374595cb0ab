"""Feedback on answers: stored in SQLite, My Numbers masked, clear Japanese errors."""
import pytest

from assistant.present.feedback import FeedbackStore, default_path
from assistant.present.localdb import LocalDBError
from assistant.settings import get_settings


def test_records_rating_question_summary_comment_and_time(tmp_path):
    fb = FeedbackStore(tmp_path / "fb.sqlite3")
    fid = fb.record("down", "公金受取口座の誤登録は市の責任か", "責任は内閣総理大臣にある。", " 根拠が足りない ",
                    ["doc-a#1", "doc-b#2"])
    [row] = fb.list()
    assert row.id == fid and row.rating == "down"
    assert row.question == "公金受取口座の誤登録は市の責任か" and row.summary == "責任は内閣総理大臣にある。"
    assert row.comment == "根拠が足りない" and row.citations == "doc-a#1 doc-b#2"
    assert row.created_at[:4].isdigit() and "T" in row.created_at
    fb.record("up", "保険証の紐付け誤りの原因は")
    assert fb.counts() == {"up": 1, "down": 1}
    assert [r.rating for r in fb.list()] == ["up", "down"]  # newest first


# These pass the check digit (123456789018 and 987654321093 are worked out in tests/test_privacy.py).
@pytest.mark.parametrize("number", ["123456789018", "1234 5678 9018", "１２３４－５６７８－９０１８", "9876ー5432ー1093"])
def test_my_number_is_masked_in_everything_stored(tmp_path, number):
    fb = FeedbackStore(tmp_path / "fb.sqlite3")
    fb.record("up", f"{number} の人の口座は", f"番号 {number}", f"コメント {number} です")
    raw = (tmp_path / "fb.sqlite3").read_bytes()
    assert number.encode("utf-8") not in raw
    [row] = fb.list()
    assert "************" in row.question and "************" in row.summary and "************" in row.comment


def test_numbers_failing_the_check_digit_are_stored_as_written(tmp_path):
    fb = FeedbackStore(tmp_path / "fb.sqlite3")
    fb.record("up", "受付番号 1234 5678 9012 の件", comment="法人番号 1234567890123")
    [row] = fb.list()
    assert row.question == "受付番号 1234 5678 9012 の件" and row.comment == "法人番号 1234567890123"


def test_rating_must_be_up_or_down(tmp_path):
    with pytest.raises(ValueError):
        FeedbackStore(tmp_path / "fb.sqlite3").record("meh", "質問")


def test_default_path_is_in_the_data_folder_or_the_configured_file(tmp_path, monkeypatch):
    assert default_path() == get_settings().data / "feedback.sqlite3"
    monkeypatch.setenv("BRIEFING_FEEDBACK_DB", str(tmp_path / "elsewhere" / "fb.sqlite3"))
    get_settings.cache_clear()
    fb = FeedbackStore()
    fb.record("up", "質問")
    assert fb.path == tmp_path / "elsewhere" / "fb.sqlite3" and fb.path.is_file()


def test_a_broken_file_gives_a_plain_japanese_message(tmp_path):
    bad = tmp_path / "fb.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(LocalDBError) as e:
        FeedbackStore(bad)
    assert "壊れて" in str(e.value) and "退避" in str(e.value) and "Traceback" not in str(e.value)
