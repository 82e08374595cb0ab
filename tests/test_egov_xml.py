import datetime as dt

import pytest

from assistant.chunk import Chunker
from assistant.errors import DocumentError
from assistant.load import load_file
from tests.conftest import FIXTURES


@pytest.fixture
def law():
    return load_file(FIXTURES / "egov" / "sample_law.xml")


def test_one_unit_per_paragraph_with_locators(law):
    assert [u.locator for u in law.units] == ["第2条第1項", "第2条第2項", "第14条第1項", "第14条第2項", "第30条の9"]


def test_branch_article_numbers_read_as_jo_no(law):
    assert law.units[-1].locator == "第30条の9"


def test_items_belong_to_their_paragraph(law):
    p2 = law.units[1]
    assert "利用事務実施者" in p2.text and "一　国の行政機関の長" in p2.text and "二　地方公共団体の長" in p2.text
    assert "国の行政機関の長" not in law.units[0].text


def test_law_id_date_and_title_come_from_the_xml(law):
    assert law.meta.law_id == "425AC0000000027"
    assert law.meta.date == dt.date(2013, 5, 31)
    assert law.meta.title == "テスト用番号利用法" and law.meta.kind == "statute"
    assert law.meta.source.endswith("425AC0000000027")


def test_chunks_keep_one_paragraph_each_with_heading_path(law):
    chunks = Chunker()(law)
    assert len(chunks) == 5
    assert chunks[3].locator == "第14条第2項"
    assert chunks[3].heading_path == ("テスト用番号利用法", "第14条（提供の要求）", "第2項")


def test_not_a_statute_xml_is_a_clear_error(tmp_path):
    p = tmp_path / "x.xml"
    p.write_text("<html/>", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_file(p)
    assert err.value.field == "Law/LawBody"
    p.write_text("<Law><LawBody>", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_file(p)
    assert err.value.field == "xml"
