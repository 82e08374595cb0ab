"""Word (.docx) documents: headings, paragraphs and tables; bad files are one clear line each;
with a .meta.yaml sidecar, `briefing index` indexes one and `briefing search` finds it."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from assistant.chunk import Chunker
from assistant.errors import DocumentError
from assistant.load import load_corpus, load_file
from assistant.present.cli import main
from tests.documents import word_file

SIDECAR = """id: city-counter-procedure
kind: guidance
title: 窓口での公金受取口座登録支援の手順（本市）
issuer: 本市市民課
date: 2024-04-01
source: 市民課 内部手順書 第3版
actors: [municipality]
"""

PROCEDURE = word_file(
    "窓口での口座登録支援の手順",
    [("第1条 目的", ["この手順は、共用端末での公金受取口座の登録支援における誤登録を防ぐために定める。"]),
     ("第2条 手順", ["職員は、登録の前後に利用者のマイナポータルからのログアウトを必ず確かめる。",
                     "職員は、登録の直前にマイナンバーカードで二度目の本人確認を行う。"])],
    table=[("確認事項", "確認する人"), ("ログアウト", "窓口職員"), ("本人確認の二回目", "係長")])


def test_headings_paragraphs_and_tables_in_document_order(tmp_path):
    (tmp_path / "proc.docx").write_bytes(PROCEDURE)
    doc = load_file(tmp_path / "proc.docx")
    assert doc.meta.title == "窓口での口座登録支援の手順"      # the Title paragraph, without a sidecar
    assert doc.meta.kind == "guidance" and doc.meta.issuer.startswith("不明")
    body = doc.body
    assert body.index("## 第1条 目的") < body.index("共用端末") < body.index("## 第2条 手順") < body.index("二度目")
    assert "確認事項：ログアウト、確認する人：窓口職員。" in body   # a table row, labelled by its header
    chunks = Chunker()(doc)
    by_head = {c.heading_path: c for c in chunks}
    assert set(by_head) == {("第1条 目的",), ("第2条 手順",)}
    assert by_head[("第2条 手順",)].locator == "第2条"          # the heading gives the locator, as in Markdown
    assert "本人確認の二回目" in by_head[("第2条 手順",)].text   # the table belongs to the section it is in


def test_sidecar_metadata_and_heading_styles_in_japanese(tmp_path):
    from docx import Document
    d = Document()
    p = d.add_paragraph("概要")
    p.style = d.styles["Heading 2"]
    d.add_paragraph("# で始まる本文は見出しにならない。")
    buf = io.BytesIO()
    d.save(buf)
    (tmp_path / "memo.docx").write_bytes(buf.getvalue())
    (tmp_path / "memo.docx.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    doc = load_file(tmp_path / "memo.docx")
    assert doc.meta.id == "city-counter-procedure" and doc.meta.actors == ["municipality"]
    assert "### 概要" in doc.body and "\n＃ で始まる本文" in doc.body


def _encrypted_like() -> bytes:
    """What Word writes for a password-protected .docx: an OLE compound file, not a ZIP."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")


def _zip_without_document() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buf.getvalue()


@pytest.mark.parametrize("raw, problem", [
    (_encrypted_like(), "password-protected (encrypted) Word file"),
    (b"This is plain text saved as docx", "not a Word .docx file"),
    (PROCEDURE[: len(PROCEDURE) // 2], "damaged Word file"),
    (_zip_without_document(), "damaged Word file"),
], ids=["encrypted", "not-zip", "truncated", "zip-without-document"])
def test_bad_word_files_are_one_clear_line_naming_the_file(tmp_path, raw, problem):
    (tmp_path / "notice.docx").write_bytes(raw)
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / "notice.docx")
    assert "notice.docx" in str(err.value) and err.value.problem.startswith(problem)
    assert "\n" not in err.value.problem and len(err.value.problem) < 200
    res = load_corpus([tmp_path])   # in a corpus folder: an error for that file, nothing loaded half-way
    assert not res.documents and [e.field for e in res.errors] == ["file"]


def test_a_word_file_without_text_is_refused(tmp_path):
    (tmp_path / "empty.docx").write_bytes(word_file("", []))
    with pytest.raises(DocumentError, match="no text in the Word file"):
        load_file(tmp_path / "empty.docx")


def test_briefing_index_and_search_find_a_word_document(tmp_path, fixture_corpus, capsys):
    site = tmp_path / "corpus-local"
    site.mkdir()
    (site / "procedure.docx").write_bytes(PROCEDURE)
    (site / "procedure.docx.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    store = str(tmp_path / "s")
    assert main(["index", "--corpus", str(fixture_corpus), "--corpus", str(site), "--store", store,
                 "--format", "json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 5
    assert main(["search", "共用端末でのログアウトの確認と二度目の本人確認", "--store", store, "--format", "json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    top = results[0]
    assert top["doc_id"] == "city-counter-procedure"
    assert top["metadata"]["title"] == "窓口での公金受取口座登録支援の手順（本市）" and top["metadata"]["locator"] == "第2条"
    assert main(["corpus", "check", "--corpus", str(site)]) == 0
    assert "1 documents, ok" in capsys.readouterr().out


def test_the_site_folder_is_indexed_by_default_once_it_exists(tmp_path, fixture_corpus, monkeypatch, capsys):
    import json as _json
    from assistant.settings import get_settings
    monkeypatch.setenv("BRIEFING_CORPUS", _json.dumps([str(fixture_corpus)]))
    get_settings.cache_clear()
    store = str(tmp_path / "s")
    assert main(["index", "--store", store, "--format", "json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 4          # no site folder yet
    site = get_settings().site_corpus
    site.mkdir()
    (site / "procedure.docx").write_bytes(PROCEDURE)
    (site / "procedure.docx.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    assert main(["index", "--store", store, "--format", "json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 5 and report["removed"] == 0 and report["unchanged"] > 0
    assert main(["corpus", "check"]) == 0 and "5 documents, ok" in capsys.readouterr().out
