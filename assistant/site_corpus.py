"""The site corpus: the city's own documents, added, replaced and removed from the app's 資料 page.

They live in their own folder (BRIEFING_SITE_CORPUS, default corpus-local/), apart from the
shipped corpus/. Each upload is saved as `<id><suffix>` with its metadata in a `<id><suffix>.meta.yaml`
sidecar (a Markdown upload carries it as front matter instead). A file is checked — it must load,
hold no My Number, and its metadata must be valid — before anything in the folder changes; a change
can be undone when the index cannot be rebuilt, so a failed upload loses nothing.
Messages for staff are in Japanese.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import BriefingError, DocumentError
from assistant.load import LOADERS, SIDECAR, load_file
from assistant.load.markdown import _FRONT
from assistant.load.meta import parse_meta
from assistant.privacy import contains_my_number
from assistant.values import ACTORS, CAUSE_LABELS, Document

UPLOAD_TYPES = ("pdf", "docx", "html", "htm", "xml", "md", "txt")   # PDF, Word, HTML, e-Gov XML, Markdown, text
MAX_BYTES = 30 * 1024 * 1024
KINDS = ("statute", "notice", "incident", "analysis", "guidance", "faq")
_WORK = "_work"   # scratch space inside the site folder ("_" entries are never loaded)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UploadError(BriefingError):
    """A file or form staff cannot add as it is; `args[0]` is the Japanese message, `detail` the loader's line."""
    stage = "upload"

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail

    def __str__(self) -> str:
        return self.args[0]


@dataclass
class DocumentForm:
    """What the upload form asks: required kind … locator, then the optional fields."""
    kind: str = ""
    title: str = ""
    issuer: str = ""
    date: str = ""
    source: str = ""
    locator: str = ""
    affair: str = ""
    actors: list[str] = field(default_factory=list)
    cause: str = ""
    supersedes: str = ""

    @classmethod
    def from_meta(cls, meta) -> "DocumentForm":
        return cls(kind=meta.kind, title=meta.title, issuer=meta.issuer, date=meta.date.isoformat(),
                   source=meta.source, locator=meta.locator or "", affair=(meta.affairs or [""])[0],
                   actors=list(meta.actors), cause=meta.cause or "", supersedes=meta.supersedes or "")

    def stripped(self) -> "DocumentForm":
        return DocumentForm(**{k: v.strip() if isinstance(v, str) else v for k, v in self.__dict__.items()})

    def problems(self, *, doc_id: str, known_ids: Iterable[str], affairs: Iterable[str],
                 suffix: str = "") -> dict[str, str]:
        """Field → what is wrong with it, in Japanese (empty when the form is valid)."""
        f, out = self.stripped(), {}
        if f.kind not in KINDS:
            out["kind"] = "種別を選んでください（法令・通知・事案・分析・手引き・FAQ のいずれか）。"
        for name, label, example in (("title", "表題", "2024年4月1日付 事務連絡 窓口での本人確認について"),
                                     ("issuer", "発出者", "デジタル庁、厚生労働省、○○市市民課"),
                                     ("source", "出典", "https://… または 文書番号・書誌情報")):
            value = getattr(f, name)
            if not value:
                out[name] = f"{label}を入力してください（例：{example}）。"
            elif len(value) > 300:
                out[name] = f"{label}が長すぎます（{len(value)}字）。300字以内にしてください。"
            elif contains_my_number(value):
                out[name] = f"{label}に個人番号（マイナンバー）と思われる12桁の数字があります。消してください。"
        if "source" not in out and len(f.source) < 3:
            out["source"] = "出典が短すぎます。URL か、文書番号・書誌情報を書いてください。"
        if not _DATE.match(f.date):
            out["date"] = "日付は YYYY-MM-DD の形で入力してください（例：2024-04-01）。"
        else:
            try:
                dt.date.fromisoformat(f.date)
            except ValueError:
                out["date"] = f"日付 {f.date} は存在しない日です。確かめてください。"
        if f.kind == "statute" and not f.locator and suffix != ".xml":
            out["locator"] = "法令には箇所（例：第14条、第2条第12項）を入力してください。"
        elif len(f.locator) > 100 or contains_my_number(f.locator):
            out["locator"] = "箇所は100字以内で、条番号やページ（例：第14条、p.3）を書いてください。"
        if f.affair and f.affair not in set(affairs):
            out["affair"] = f"事務「{f.affair}」は責任の整理にありません。一覧から選ぶか、空欄にしてください。"
        bad = [a for a in f.actors if a not in ACTORS]
        if bad:
            out["actors"] = f"主体 {', '.join(bad)} は使えません。一覧から選んでください。"
        if f.cause and f.cause not in CAUSE_LABELS:
            out["cause"] = "原因の型は一覧から選んでください。"
        elif f.kind in ("incident", "analysis") and not f.cause:
            out["cause"] = "事案・分析の資料には原因の型を選んでください（原因を問わない内容なら「—」）。"
        if f.supersedes:
            if f.supersedes == doc_id:
                out["supersedes"] = "資料は自分自身を置き換えられません。"
            elif f.supersedes not in set(known_ids):
                out["supersedes"] = f"置き換える資料「{f.supersedes}」が見つかりません。一覧から選んでください。"
        return out

    def front_matter(self, doc_id: str) -> dict:
        f = self.stripped()
        meta = {"id": doc_id, "kind": f.kind, "title": f.title, "issuer": f.issuer, "date": f.date,
                "source": f.source}
        optional = {"locator": f.locator, "affairs": [f.affair] if f.affair else [], "actors": f.actors,
                    "cause": f.cause, "supersedes": f.supersedes}
        return {**meta, **{k: v for k, v in optional.items() if v}}


@dataclass(frozen=True)
class SiteDocument:
    id: str
    title: str
    kind: str
    date: str
    issuer: str
    supersedes: str
    file: Path
    updated: str          # when the file was last saved, local time


def _slug_date(date: str) -> str:
    return date.replace("-", "") if _DATE.match(date) else "undated"


def new_id(form: DocumentForm, taken: Iterable[str]) -> str:
    """site-<date>-<hash of the title>, numbered when taken (ids must be ASCII)."""
    f = form.stripped()
    base = f"site-{_slug_date(f.date)}-{hashlib.sha1(f.title.encode('utf-8')).hexdigest()[:6]}"
    taken, n, out = set(taken), 2, base
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out


def _files_of(folder: Path, doc_id: str) -> list[Path]:
    """The document file and its sidecar (any supported suffix)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file()
                  and (p.name.lower().endswith(SIDECAR) and p.name[: -len(SIDECAR)].rsplit(".", 1)[0] == doc_id
                       or p.suffix.lower() in LOADERS and p.stem == doc_id))


def list_documents(folder: Path) -> list[SiteDocument]:
    """The documents staff added (unreadable files are left out: `briefing corpus check` names them)."""
    from assistant.load import load_corpus
    if not Path(folder).is_dir():
        return []
    out = []
    for d in load_corpus([folder], warn=False).documents:
        p = Path(d.path)
        updated = dt.datetime.fromtimestamp(p.stat().st_mtime).astimezone().isoformat(timespec="minutes")
        out.append(SiteDocument(d.meta.id, d.meta.title, d.meta.kind, d.meta.date.isoformat(), d.meta.issuer,
                                d.meta.supersedes or "", p, updated.replace("T", " ")[:16]))
    return sorted(out, key=lambda s: s.updated, reverse=True)


def explain(err: DocumentError) -> str:
    """A loader's error about an uploaded file, in Japanese (the English line stays as the detail)."""
    p = f"{err.field}: {err.problem}"
    for needle, text in (
        ("password-protected", "パスワードで保護された Word ファイル（または古い .doc 形式）のため読めません。"
                               "Word で保護を外し、.docx 形式で保存し直してから追加してください。"),
        ("encrypted PDF", "パスワードで保護された PDF のため読めません。保護のない PDF を保存し直してから追加してください。"),
        ("not a Word", "Word（.docx）のファイルではありません。Word で .docx 形式で保存し直してください。"),
        ("damaged Word", "Word ファイルが壊れていて読めません。Word で開いて保存し直してから追加してください。"),
        ("damaged PDF", "PDF が壊れていて読めません。元の PDF をもう一度ダウンロードするか、書き出し直してください。"),
        ("truncated PDF", "PDF が途中で切れています。元の PDF をもう一度ダウンロードしてください。"),
        ("HTML page saved as .pdf", "拡張子は .pdf ですが中身は HTML のページです。.html として追加してください。"),
        ("not a PDF", "PDF のファイルではありません。ファイルの種類を確かめてください。"),
        ("no extractable text", "PDF から文字を取り出せません（スキャンした画像の PDF など）。文字認識（OCR）をしてから追加してください。"),
        ("e-Gov", "e-Gov の法令標準 XML ではありません。e-Gov 法令検索からダウンロードした XML を追加してください。"),
        ("XML", "XML として読めません。e-Gov 法令検索からダウンロードした XML を追加してください。"),
        ("binary data", "テキストではないファイルです。ファイルの種類（拡張子）を確かめてください。"),
        ("encoding", "文字コードを判別できません。UTF-8 で保存し直してください。"),
        ("front matter", "Markdown の先頭のメタデータ（---）が読めません。メタデータはこの画面の項目から入力してください。"),
    ):
        if needle in p:
            return text
    if err.field in ("body",):
        return "ファイルに本文の文字がありません。内容を確かめてください。"
    return "ファイルを資料として読み込めませんでした。内容と形式を確かめてください。"


def _write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _markdown_body(data: bytes, path: Path) -> str:
    """An uploaded Markdown file's text without any front matter it had (the form's metadata replaces it)."""
    from assistant.load.text import decode
    text = decode(data, path)
    m = _FRONT.match(text)
    return text[m.end():] if m else text


class Change:
    """Files moved into (or out of) the site folder; `undo()` puts everything back as it was,
    `commit()` drops the saved copies."""

    def __init__(self, folder: Path, doc_id: str):
        self.folder, self.doc_id = folder, doc_id
        self.work = folder / _WORK / uuid.uuid4().hex
        self.work.mkdir(parents=True)
        self.backup = self.work / "before"
        self.backup.mkdir()
        self.placed: list[Path] = []
        self.staged: list[Path] = []    # files checked in scratch space, waiting to be placed

    def set_aside(self) -> list[Path]:
        old = _files_of(self.folder, self.doc_id)
        for p in old:
            os.replace(p, self.backup / p.name)
        return old

    def place(self, staged: list[Path]) -> None:
        for p in staged:   # the sidecar first: a build that runs meanwhile never sees the file without it
            os.replace(p, self.folder / p.name)
            self.placed.append(self.folder / p.name)

    def undo(self) -> None:
        for p in self.placed:
            p.unlink(missing_ok=True)
        for p in self.backup.iterdir():
            os.replace(p, self.folder / p.name)
        self.commit()

    def commit(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        try:
            (self.folder / _WORK).rmdir()
        except OSError:
            pass   # another change is in progress


def stage(folder: Path, data: bytes, filename: str, form: DocumentForm, doc_id: str) -> tuple[Change, Document]:
    """Write the upload and its metadata to scratch space and load it as the index will; nothing in
    the folder changes yet. Raises UploadError with a Japanese message."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".markdown":
        suffix = ".md"
    if suffix.lstrip(".") not in UPLOAD_TYPES:
        raise UploadError(f"{filename}：この種類のファイルは追加できません（追加できるのは PDF・Word（.docx）・"
                          "HTML・e-Gov XML・Markdown・テキスト）。")
    if not data:
        raise UploadError(f"{filename}：ファイルが空です。")
    if len(data) > MAX_BYTES:
        raise UploadError(f"{filename}：ファイルが大きすぎます（{len(data) // 1024 // 1024} MB、上限 "
                          f"{MAX_BYTES // 1024 // 1024} MB）。分割してから追加してください。")
    folder.mkdir(parents=True, exist_ok=True)
    change = Change(folder, doc_id)
    try:
        target = change.work / f"{doc_id}{suffix}"
        meta = form.front_matter(doc_id)
        staged = []
        if suffix == ".md":
            body = _markdown_body(data, target)
            target.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"
                              + body.lstrip(), encoding="utf-8")
        else:
            side = change.work / f"{doc_id}{suffix}{SIDECAR}"
            _write_yaml(side, meta)
            staged.append(side)
            target.write_bytes(data)
        staged.append(target)
        parse_meta(meta, target)   # the form was checked; this is the schema's own word
        doc = load_file(target)
        if contains_my_number(doc.body):
            raise UploadError(f"{filename}：本文に個人番号（マイナンバー）と思われる12桁の数字があります。"
                              "その箇所を消したファイルで追加してください（このファイルは保存していません）。")
        change.staged = staged
        return change, doc
    except DocumentError as err:
        change.commit()
        raise UploadError(f"{filename}：{explain(err)}", detail=f"{Path(filename).name}: {err.problem}") from err
    except BaseException:
        change.commit()
        raise


def save(folder: Path, data: bytes, filename: str, form: DocumentForm, doc_id: str) -> Change:
    """Check the upload, then put it in the site folder (replacing the files of `doc_id`, if any)."""
    change, _ = stage(folder, data, filename, form, doc_id)
    change.set_aside()
    change.place(change.staged)
    return change


def remove(folder: Path, doc_id: str) -> Change:
    """Take a site document out of the folder (undo() brings it back)."""
    if not _files_of(folder, doc_id):
        raise UploadError(f"資料「{doc_id}」は追加した資料の中にありません。")
    change = Change(folder, doc_id)
    change.set_aside()
    return change


def apply(change: Change, rebuild: Callable[[], object]):
    """Rebuild the index over the changed folder; when that fails, undo the change and re-raise."""
    try:
        result = rebuild()
    except BaseException:
        change.undo()
        raise
    change.commit()
    return result
