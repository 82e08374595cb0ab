"""The site corpus: form checks in Japanese, save / replace / remove with undo, and the default
index folders (corpus/ plus the site folder when it exists)."""
from __future__ import annotations

import pytest

from assistant import site_corpus as site
from assistant.load import load_corpus
from assistant.settings import get_settings
from tests.documents import japanese_pdf, word_file

FORM = site.DocumentForm(kind="notice", title="窓口での本人確認の徹底について", issuer="デジタル庁", date="2024-04-01",
                         source="https://example.invalid/notice", locator="", actors=["municipality"])
DOCX = word_file("窓口での本人確認", [("第1 趣旨", ["市区町村は、登録の直前にカードで本人確認を行う。"])])


def _problems(**changes) -> dict[str, str]:
    form = site.DocumentForm(**{**FORM.__dict__, **changes})
    return form.problems(doc_id="site-x", known_ids={"old-notice", "site-x"}, affairs={"kokin_counter"})


def test_a_complete_form_has_no_problems_and_makes_front_matter():
    assert _problems() == {}
    assert FORM.front_matter("site-x") == {"id": "site-x", "kind": "notice", "title": FORM.title,
                                           "issuer": "デジタル庁", "date": "2024-04-01",
                                           "source": "https://example.invalid/notice", "actors": ["municipality"]}


@pytest.mark.parametrize("changes, field, words", [
    ({"kind": ""}, "kind", "種別を選んでください"),
    ({"title": "  "}, "title", "表題を入力してください"),
    ({"issuer": ""}, "issuer", "発出者を入力してください"),
    ({"source": ""}, "source", "出典を入力してください"),
    ({"source": "ab"}, "source", "出典が短すぎます"),
    ({"date": "2024/4/1"}, "date", "YYYY-MM-DD"),
    ({"date": "2024-02-30"}, "date", "存在しない日"),
    ({"kind": "statute"}, "locator", "法令には箇所"),
    ({"kind": "incident"}, "cause", "原因の型を選んでください"),
    ({"affair": "no_such_row"}, "affair", "責任の整理にありません"),
    ({"actors": ["mayor"]}, "actors", "使えません"),
    ({"supersedes": "site-x"}, "supersedes", "自分自身"),
    ({"supersedes": "gone"}, "supersedes", "見つかりません"),
    ({"title": "番号123456789018の件"}, "title", "個人番号"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_field_is_checked_and_explained_in_japanese(changes, field, words):
    problems = _problems(**changes)
    assert list(problems) == [field] and words in problems[field]


def test_new_ids_are_ascii_dated_and_never_reused():
    a = site.new_id(FORM, set())
    assert a.startswith("site-20240401-") and a.isascii()
    assert site.new_id(FORM, {a}) == f"{a}-2" and site.new_id(FORM, {a, f"{a}-2"}) == f"{a}-3"


def test_save_replace_and_remove_keep_one_document_with_its_sidecar(tmp_path):
    folder = tmp_path / "site"
    site.save(folder, DOCX, "本人確認.docx", FORM, "site-a").commit()
    assert sorted(p.name for p in folder.iterdir()) == ["site-a.docx", "site-a.docx.meta.yaml"]
    [doc] = site.list_documents(folder)
    assert (doc.id, doc.title, doc.kind, doc.file.name) == ("site-a", FORM.title, "notice", "site-a.docx")

    pdf = japanese_pdf(["市区町村は、登録の前後にログアウトを確かめる。"])
    site.save(folder, pdf, "改訂版.pdf", site.DocumentForm(**{**FORM.__dict__, "title": "改訂版"}), "site-a").commit()
    assert sorted(p.name for p in folder.iterdir()) == ["site-a.pdf", "site-a.pdf.meta.yaml"]   # the .docx is gone
    assert [d.title for d in site.list_documents(folder)] == ["改訂版"]

    site.remove(folder, "site-a").commit()
    assert site.list_documents(folder) == [] and not [p for p in folder.iterdir() if not p.name.startswith("_")]


def test_a_markdown_upload_carries_the_form_as_front_matter(tmp_path):
    folder = tmp_path / "site"
    raw = "---\nid: whatever\n---\n## 手順\n職員は、登録の前にカードで本人確認を行う。\n".encode()
    site.save(folder, raw, "memo.md", FORM, "site-md").commit()
    assert [p.name for p in folder.iterdir()] == ["site-md.md"]
    [doc] = load_corpus([folder]).documents
    assert doc.meta.id == "site-md" and doc.meta.title == FORM.title and "whatever" not in doc.body


def test_undo_puts_back_what_was_there(tmp_path):
    folder = tmp_path / "site"
    site.save(folder, DOCX, "a.docx", FORM, "site-a").commit()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    change = site.save(folder, japanese_pdf(["差し替えの本文である。"]), "b.pdf", FORM, "site-a")
    with pytest.raises(RuntimeError):
        site.apply(change, lambda: (_ for _ in ()).throw(RuntimeError("index failed")))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    change = site.remove(folder, "site-a")
    change.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("name, raw, words", [
    ("a.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "パスワードで保護された Word"),
    ("a.docx", b"PK\x03\x04broken", "Word ファイルが壊れていて"),
    ("a.pdf", b"%PDF-1.4 cut", "PDF が途中で切れています"),
    ("a.xml", "<Law><x/></Law>".encode(), "e-Gov の法令標準 XML ではありません"),
    ("a.xlsx", b"PK\x03\x04", "この種類のファイルは追加できません"),
    ("a.txt", b"", "ファイルが空です"),
    ("a.txt", "対象者の番号は123456789018である。".encode(), "個人番号（マイナンバー）と思われる"),
    ("a.txt", b"\x82\xa0\xff\xfe\x81", "文字コードを判別できません"),
], ids=["encrypted-docx", "broken-docx", "truncated-pdf", "not-egov", "xlsx", "empty", "my-number", "encoding"])
def test_a_bad_upload_is_one_japanese_line_and_changes_nothing(tmp_path, name, raw, words):
    folder = tmp_path / "site"
    site.save(folder, DOCX, "keep.docx", FORM, "site-keep").commit()
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(site.UploadError) as err:
        site.save(folder, raw, name, FORM, "site-new")
    assert str(err.value).startswith(f"{name}：") and words in str(err.value) and "\n" not in str(err.value)
    assert "123456789018" not in str(err.value) + err.value.detail
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_default_folders_add_the_site_folder_once_it_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_SITE_CORPUS", str(tmp_path / "mine"))
    get_settings.cache_clear()
    s = get_settings()
    assert s.corpus_folders() == s.corpus
    (tmp_path / "mine").mkdir()
    assert s.corpus_folders() == [*s.corpus, tmp_path / "mine"]


def test_the_progress_of_a_rebuild_follows_the_texts_embedded(briefing, fixture_corpus, tmp_path):
    from assistant.index.progress import index_with_progress, texts_to_embed
    folder = tmp_path / "site"
    site.save(folder, DOCX, "a.docx", FORM, "site-a").commit()
    total = texts_to_embed(briefing, [fixture_corpus, folder])
    assert total == 2   # only the new document: one chunk and its one quotable sentence
    seen: list[float] = []
    report = index_with_progress(briefing, [fixture_corpus, folder], seen.append)
    # the new texts are embedded in one length-sorted batch (index/embcache.py): the bar rises with
    # each batch and ends full
    assert report.added == 1 and seen == sorted(seen) and 0 < seen[0] and seen[-1] == 1.0
    assert texts_to_embed(briefing, [fixture_corpus, folder]) == 0
