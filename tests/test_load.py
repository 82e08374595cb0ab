import shutil
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.load import load_corpus, load_file
from tests.conftest import FIXTURES


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


def test_missing_front_matter_and_non_utf8(tmp_path):
    (tmp_path / "plain.md").write_text("見出しのない本文。", encoding="utf-8")
    (tmp_path / "sjis.md").write_bytes("---\nid: a\n---\n本文".encode("shift_jis"))
    errors = {Path(e.path).name: e.field for e in load_corpus([tmp_path]).errors}
    assert errors == {"plain.md": "front matter", "sjis.md": "encoding"}


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
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def test_pdf_loader_gives_one_unit_per_page_and_broken_pdf_is_reported(tmp_path):
    (tmp_path / "ok.pdf").write_bytes(_tiny_pdf("Logout at shared terminals"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    res = load_corpus([tmp_path])
    assert [u.locator for u in res.documents[0].units] == ["p.1"]
    assert "Logout" in res.documents[0].body
    assert [Path(e.path).name for e in res.errors] == ["broken.pdf"]
