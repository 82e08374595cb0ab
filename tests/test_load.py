import logging
import shutil
from pathlib import Path

import pytest

from assistant.corpus_check import check_corpus
from assistant.errors import DocumentError
from assistant.load import load_corpus, load_file
from tests.conftest import FIXTURES
from tests.documents import assemble_pdf


def test_markdown_front_matter_is_validated(fixture_corpus):
    doc = load_file(fixture_corpus / "fx-kokin.md")
    assert doc.meta.id == "fx-kokin" and doc.meta.actors == ["prime_minister", "municipality"]
    assert doc.meta.roles[0].role == "個人番号利用事務実施者"
    assert "## 概要" in doc.body


@pytest.mark.parametrize("name, field", [("bad_meta.md", "id"), ("bad_yaml.md", "front matter")])
def test_malformed_documents_name_the_file_and_field(name, field):
    with pytest.raises(DocumentError) as err:
        load_file(FIXTURES / "broken" / name)
    assert err.value.path.endswith(name)
    assert err.value.field == field
    assert name in str(err.value)


def test_unknown_actor_is_rejected(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("---\nid: x\nkind: notice\ntitle: t\nissuer: i\ndate: 2023-01-01\nsource: s://x\n"
                 "actors: [mayor]\n---\n本文。\n", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_file(p)
    assert err.value.field == "actors" and "mayor" in str(err.value)


def test_missing_front_matter_and_undecodable_text(tmp_path):
    (tmp_path / "plain.md").write_text("見出しのない本文。", encoding="utf-8")
    (tmp_path / "sjis.md").write_bytes("---\nid: a\n---\n本文".encode("shift_jis"))   # decoded now: kind is missing
    (tmp_path / "latin1.md").write_bytes("---\nid: a\n---\nLe café de la mairie.".encode("latin-1"))
    errors = {Path(e.path).name: e for e in load_corpus([tmp_path]).errors}
    assert {n: e.field for n, e in errors.items()} == {"plain.md": "front matter", "sjis.md": "kind",
                                                       "latin1.md": "encoding"}
    assert "not UTF-8" in errors["latin1.md"].problem and "save the file as UTF-8" in errors["latin1.md"].hint


def test_corpus_load_keeps_good_files_when_one_is_broken(tmp_path, fixture_corpus):
    shutil.copytree(fixture_corpus, tmp_path / "c")
    shutil.copy(FIXTURES / "broken" / "bad_meta.md", tmp_path / "c")
    res = load_corpus([tmp_path / "c"])
    assert len(res.documents) == 4 and len(res.errors) == 1


def test_text_and_html_loaders_take_sidecar_metadata(tmp_path):
    (tmp_path / "memo.txt").write_text("窓口の手順\n共用端末では必ずログアウトする。\n", encoding="utf-8")
    (tmp_path / "memo.txt.meta.yaml").write_text(
        "id: memo\nkind: guidance\ntitle: 窓口手順\nissuer: 市\ndate: 2023-06-01\nsource: 庁内資料\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>お知らせ</title><script>x()</script></head><body><h2>登録支援</h2>"
        "<p>窓口で公金受取口座の登録を支援します。</p></body></html>", encoding="utf-8")
    docs = {d.meta.title: d for d in load_corpus([tmp_path]).documents}
    assert docs["窓口手順"].meta.id == "memo"
    html = docs["お知らせ"]
    assert "## 登録支援" in html.body and "x()" not in html.body


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with ASCII text, built by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return assemble_pdf(objs)


def test_pdf_loader_gives_one_unit_per_page_and_broken_pdf_is_reported(tmp_path):
    (tmp_path / "ok.pdf").write_bytes(_tiny_pdf("Logout at shared terminals"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    res = load_corpus([tmp_path])
    assert [u.locator for u in res.documents[0].units] == ["p.1"]
    assert "Logout" in res.documents[0].body
    assert [Path(e.path).name for e in res.errors] == ["broken.pdf"]


# ---- encodings, binary data, control characters

BODY = ("## 概要\n\nマイナンバーカードの交付窓口で公金受取口座の登録を支援した際、共用端末でログアウトを忘れたため、"
        "別人の口座が紐付けられた。\n\n## 対応\n\n市は紐付けの誤りを全件点検し、本人に連絡した。\n")
FRONT = ("---\nid: kokin-2023\nkind: incident\ntitle: 公金受取口座の紐付け誤り\nissuer: 某市\ndate: 2023-06-01\n"
         "source: 庁内資料\ncause: operational\n---\n\n")


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis", "euc_jp", "iso2022_jp", "utf-8-sig", "utf-16", "utf-32"])
def test_japanese_files_in_any_common_encoding_decode_to_the_exact_text(tmp_path, caplog, encoding):
    (tmp_path / "kokin-2023.md").write_bytes((FRONT + BODY).encode(encoding))
    with caplog.at_level(logging.INFO, logger="assistant.load"):
        doc = load_file(tmp_path / "kokin-2023.md")
    assert doc.body == BODY and doc.meta.title == "公金受取口座の紐付け誤り"
    logged = [r.getMessage() for r in caplog.records if "decoded as" in r.getMessage()]
    assert bool(logged) == (encoding != "utf-8-sig") and all("kokin-2023.md" in m for m in logged)


@pytest.mark.parametrize("text", ["公金受取口座", "マイナンバーの紐付けを確認した。", "住民への説明を行う。"])
def test_euc_jp_that_also_decodes_as_cp932_is_read_as_euc_jp(tmp_path, text):
    raw = text.encode("euc_jp")
    raw.decode("cp932")   # the ambiguity: half-width katakana garbage, but no decoding error
    (tmp_path / "memo.txt").write_bytes(raw)
    assert load_file(tmp_path / "memo.txt").body == text


def test_legacy_encodings_in_text_html_xml_and_sidecars(tmp_path):
    (tmp_path / "memo.txt").write_bytes("窓口の手順\r\n共用端末では必ずログアウトする。\r\n".encode("cp932"))
    (tmp_path / "memo.txt.meta.yaml").write_bytes(
        "id: memo\nkind: guidance\ntitle: 窓口手順\nissuer: 市\ndate: 2023-06-01\nsource: 庁内資料\n".encode("euc_jp"))
    (tmp_path / "page.html").write_bytes('<html><head><meta charset="EUC-JP"><title>お知らせ</title></head>'
                                         '<body><p>公金受取口座の登録を支援します。</p></body></html>'.encode("euc_jp"))
    law = (FIXTURES / "egov" / "sample_law.xml").read_text(encoding="utf-8")
    (tmp_path / "law.xml").write_bytes(law.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("cp932"))
    docs = {d.meta.title: d for d in load_corpus([tmp_path]).documents}
    assert docs["窓口手順"].body == "窓口の手順\n共用端末では必ずログアウトする。\n"
    assert docs["お知らせ"].body == "公金受取口座の登録を支援します。"
    assert docs["テスト用番号利用法"].units == load_file(FIXTURES / "egov" / "sample_law.xml").units


def test_line_breaks_become_lf_and_control_characters_are_removed(tmp_path):
    raw = FRONT + "## 概要\n\n公金\x07受取\ufeff口座の\x1b登録\x7f。\x85次の行\u2028その次\r最後\t（タブは残る）\n"
    (tmp_path / "kokin-2023.md").write_bytes(raw.replace("\n", "\r\n").encode("utf-8"))
    assert load_file(tmp_path / "kokin-2023.md").body == "## 概要\n\n公金受取口座の登録。\n次の行\nその次\n最後\t（タブは残る）\n"
    (tmp_path / "page.html").write_text("<p>公金&#x7;受取&#xFEFF;口座&#x1b;の&#x7f;登録</p>", encoding="utf-8")
    assert load_file(tmp_path / "page.html").body == "公金受取口座の登録"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.mark.parametrize("name, raw", [
    ("image.md", PNG), ("report.txt", b"PK\x03\x04\x14\x00\x06\x00word/document.xml"), ("law.xml", PNG),
    ("nul.md", b"---\nid: a\x00\n---\n"), ("page.html", _tiny_pdf("x")),
    ("utf16-no-bom.txt", "公金受取口座 OK".encode("utf-16-le")),
])
def test_binary_files_are_refused_as_binary(tmp_path, name, raw):
    (tmp_path / name).write_bytes(raw)
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / name)
    assert (err.value.field, err.value.problem) == ("file", "binary data, not a text document")
    assert name in str(err.value)


def test_invalid_utf16_after_a_bom_is_an_encoding_error(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\xff\xfe" + "公金".encode("utf-16-le") + b"\x00\xd8")   # lone surrogate
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / "x.txt")
    assert err.value.field == "encoding" and "UTF-16" in err.value.problem


# ---- PDFs

def _encrypted_pdf(user_password: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_tiny_pdf("Logout at shared terminals"))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("raw, problem", [
    (_tiny_pdf("Logout at shared terminals")[:300], "truncated PDF"),
    (bytes(range(256)) * 4, "not a PDF file"),
    (b"<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not found</body></html>", "an HTML page saved as .pdf"),
    (_encrypted_pdf("secret"), "encrypted PDF"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\nbroken\n%%EOF\n", "damaged PDF"),
])
def test_bad_pdfs_are_one_clear_line_each(tmp_path, caplog, raw, problem):
    (tmp_path / "doc.pdf").write_bytes(raw)
    with caplog.at_level(logging.WARNING), pytest.raises(DocumentError) as err:
        load_file(tmp_path / "doc.pdf")
    assert err.value.field == "file" and err.value.problem.startswith(problem)
    assert "doc.pdf" in str(err.value) and "\n" not in err.value.problem and len(err.value.problem) < 200
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]   # pypdf's repair notes stay quiet
    assert logging.getLogger("pypdf").level == logging.NOTSET


def test_pdf_without_text_and_pdf_with_an_empty_user_password(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(_tiny_pdf(""))
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / "scan.pdf")
    assert err.value.field == "body" and "no extractable text" in err.value.problem
    (tmp_path / "protected.pdf").write_bytes(_encrypted_pdf(""))   # permissions only: opens without a password
    assert "Logout" in load_file(tmp_path / "protected.pdf").body


# ---- duplicate ids, unsupported files

def test_duplicate_ids_reject_both_files_and_name_each_other(tmp_path, fixture_corpus):
    shutil.copytree(fixture_corpus, tmp_path / "c")
    (tmp_path / "c" / "sub").mkdir()
    shutil.copy(fixture_corpus / "fx-techo.md", tmp_path / "c" / "sub" / "fx-techo.md")
    res = load_corpus([tmp_path / "c"])
    assert sorted(d.meta.id for d in res.documents) == ["fx-bango-14", "fx-hoken", "fx-kokin"]
    a, b = str(tmp_path / "c" / "fx-techo.md"), str(tmp_path / "c" / "sub" / "fx-techo.md")
    assert {(e.path, e.field) for e in res.errors} == {(a, "id"), (b, "id")}
    assert all(("already used by " + (b if e.path == a else a)) in e.problem for e in res.errors)
    report = check_corpus([tmp_path / "c"])
    assert not report.ok and sum("'fx-techo' is already used by" in p for p in report.problems) == 2


def test_the_same_file_named_twice_is_loaded_once(fixture_corpus):
    res = load_corpus([fixture_corpus, fixture_corpus / "fx-kokin.md"])
    assert not res.errors and len(res.documents) == 4


def test_unsupported_files_are_skipped_with_a_warning(tmp_path, caplog, fixture_corpus):
    c = tmp_path / "c"
    shutil.copytree(fixture_corpus, c)
    for name in ("minutes.doc", "budget.xlsx", "list.csv", "photo.png", "NOTES", "README.md", ".DS_Store",
                 "_draft.docx", "memo.txt", "memo.txt.meta.yaml", "gone.pdf.meta.yaml", "fx-kokin.md.meta.yaml"):
        (c / name).write_bytes(b"id: memo\nkind: guidance\ntitle: t\nissuer: i\ndate: 2023-01-01\nsource: s://x\n")
    (c / ".git").mkdir()
    (c / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.load"):
        res = load_corpus([c])
    assert not res.errors and len(res.documents) == 5
    reasons = {p.name: why for p, why in res.skipped}
    assert set(reasons) == {"minutes.doc", "budget.xlsx", "list.csv", "photo.png", "NOTES", "gone.pdf.meta.yaml",
                            "fx-kokin.md.meta.yaml"}
    assert reasons["minutes.doc"] == "unsupported file type .doc (supported: .md, .txt, .pdf, .docx, .html, .xml)"
    assert "without its document gone.pdf" in reasons["gone.pdf.meta.yaml"]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"skipped {c / 'minutes.doc'}: {reasons['minutes.doc']}" in warned and len(warned) == 7
    report = check_corpus([c])
    assert report.ok and report.documents == 5 and sorted(report.warnings) == sorted(warned)


def test_a_file_of_an_unsupported_type_named_explicitly_is_an_error(tmp_path):
    (tmp_path / "budget.xlsx").write_bytes(b"PK\x03\x04")
    res = load_corpus([tmp_path / "budget.xlsx"])
    assert [(e.field, e.problem.split(" (")[0]) for e in res.errors] == [("file", "unsupported file type .xlsx")]
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(DocumentError, match="field 'file': cannot be opened"):
        load_file(tmp_path / "folder.md")


# ---- malformed Markdown and sidecars: file and field named

META = "kind: notice\ntitle: t\nissuer: i\nsource: s://x\n"


@pytest.mark.parametrize("text, field, problem", [
    ("", "body", "empty file"),
    (" \n\u3000\n\t\n", "body", "empty file"),
    ("---\nid: x\ndate: 2023-01-01\n" + META + "---\n", "body", "empty: the document has front matter but no text"),
    ("---\nid: x\ndate: 2023-01-01\n" + META + "---\n## 概要\n\n### 詳細\n", "body", "only headings, no text"),
    ("---\n- id: x\n- kind: notice\n---\n本文。\n", "front matter", "must be a YAML mapping of keys to values, not a list"),
    ("---\njust a sentence\n---\n本文。\n", "front matter", "must be a YAML mapping of keys to values, not a single text"),
    ("---\nid: x\ndate: 2023-01-01\n" + META + "本文。\n", "front matter", "not closed"),
    ("---\nid: x\n\tkind: notice\n---\n本文。\n", "front matter", "invalid YAML at line 3: found a tab"),
    ("---\nid: x\ndate: 2023-13-40\n" + META + "---\n本文。\n", "date", "Input should be a valid date"),
    ("---\nid: x\ndate: 令和5年6月1日\n" + META + "---\n本文。\n", "date", "Input should be a valid date"),
    ("---\nid: x\ndate: 20230601\n" + META + "---\n本文。\n", "date", "20230601 is not a date"),
    ("---\nid: kokin 2023\ndate: 2023-01-01\n" + META + "---\n本文。\n", "id", "String should match pattern"),
    ("---\nid: notices/kokin\ndate: 2023-01-01\n" + META + "---\n本文。\n", "id", "String should match pattern"),
    ("---\nid: Kokin\ndate: 2023-01-01\n" + META + "---\n本文。\n", "id", "String should match pattern"),
])
def test_malformed_markdown_names_file_and_field(tmp_path, text, field, problem):
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / "x.md")
    assert (err.value.field, err.value.path) == (field, str(tmp_path / "x.md"))
    assert err.value.problem.startswith(problem), err.value.problem


@pytest.mark.parametrize("sidecar, problem", [("id: [unclosed\n", "invalid YAML at line"),
                                               ("- a\n- b\n", "must be a YAML mapping"),
                                               (b"\x89PNG\r\n\x1a\n\x00", "binary data")])
def test_broken_sidecars_name_the_sidecar(tmp_path, sidecar, problem):
    (tmp_path / "memo.txt").write_text("窓口の手順\n", encoding="utf-8")
    side = tmp_path / "memo.txt.meta.yaml"
    side.write_bytes(sidecar if isinstance(sidecar, bytes) else sidecar.encode("utf-8"))
    with pytest.raises(DocumentError) as err:
        load_file(tmp_path / "memo.txt")
    assert err.value.path == str(side) and problem in err.value.problem
