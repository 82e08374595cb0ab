"""資料 page, the city's own documents: add one (file + metadata form), replace it, remove it, and
the list of documents staff added. Needs the 編集 role; every change is on the audit record.

The files go to the site folder (assistant/site_corpus.py); the index is then rebuilt with a
progress bar, embedding only what is new.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from assistant import site_corpus as site
from assistant.audit import event_entry
from assistant.errors import BriefingError
from assistant.index.progress import index_with_progress
from assistant.present.app import components as ui
from assistant.present.app.auth import current_actor
from assistant.present.app.resources import corpus_dirs, site_dir
from assistant.present.press import KIND_LABELS
from assistant.values import ACTORS, CAUSE_LABELS

FIELD_LABELS = {"kind": "種別", "title": "表題", "issuer": "発出者", "date": "日付", "source": "出典",
                "locator": "箇所", "affair": "事務（責任の整理の行）", "actors": "責任主体", "cause": "原因の型",
                "supersedes": "置き換える資料", "file": "ファイル"}
_DONE = "site_done"          # the message of the last change, shown until the next change
_VERSION = "site_form_version"   # bumped after each change: the next form starts empty
NEW = "（新しい資料として追加）"


def _log(b, action: str, doc_id: str, actor, title: str, file: str, data: bytes | None = None) -> None:
    """The change on the audit record (title and file name masked like any free text)."""
    digest = {"sha256": hashlib.sha256(data).hexdigest()} if data is not None else {}
    b.audit.append(event_entry("document", channel="app", user=actor.signature if actor else None,
                               texts={"title": title, "file": file}, action=action, doc_id=doc_id, **digest))


def _rebuild(b, change: site.Change, label: str):
    bar = st.progress(0.0, text=f"{label}：索引を更新しています…")
    report = site.apply(change, lambda: index_with_progress(
        b, corpus_dirs(), lambda f: bar.progress(f, text=f"{label}：索引を更新しています…（{int(f * 100)}%）")))
    bar.progress(1.0, text=f"{label}：索引を更新しました。")
    return report


def form_key(target: str) -> str:
    """Widget keys of the form for `target` ("new" or a site document id) in its current version."""
    version = st.session_state.get(_VERSION, 0)
    return f"site_{target}" + (f"_{version}" if version else "")


def _done(message: str, on_change: Callable[[], None]) -> None:
    st.session_state[_DONE] = message
    st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1
    on_change()
    st.rerun()


def _form(b, docs: list[dict], target: site.SiteDocument | None) -> tuple[site.DocumentForm, object, bool]:
    old = next((d for d in docs if target and d["id"] == target.id), None)
    kinds = list(KIND_LABELS)
    rows = {r.id: r.label for r in b.store.affairs.rows}
    others = {d["id"]: f"{d['title']}（{d['date']}・{d['id']}）" for d in docs if not target or d["id"] != target.id}
    key = form_key(target.id if target else "new")
    with st.form(key=f"{key}_form", clear_on_submit=False, border=True):
        upload = st.file_uploader("ファイル（PDF・Word（.docx）・HTML・e-Gov XML・Markdown・テキスト）",
                                  type=list(site.UPLOAD_TYPES), key=f"{key}_file")
        c1, c2 = st.columns(2)
        kind = c1.selectbox("種別", kinds, format_func=KIND_LABELS.get, key=f"{key}_kind",
                            index=kinds.index(old["kind"]) if old else None, placeholder="選んでください")
        date = c2.text_input("日付（YYYY-MM-DD）", value=old["date"] if old else "", key=f"{key}_date",
                             placeholder="例：2024-04-01（法令は公布日、通知はその日付）")
        title = st.text_input("表題", value=old["title"] if old else "", key=f"{key}_title")
        c1, c2 = st.columns(2)
        issuer = c1.text_input("発出者", value=old["issuer"] if old else "", key=f"{key}_issuer",
                               placeholder="例：デジタル庁、○○市市民課")
        locator = c2.text_input("箇所（法令は必須）", value=(old or {}).get("locator") or "", key=f"{key}_locator",
                                placeholder="例：第14条、p.3")
        source = st.text_input("出典（URL または文書番号・書誌情報）", value=old["source"] if old else "",
                               key=f"{key}_source")
        st.caption("任意の項目")
        c1, c2 = st.columns(2)
        affair_ids = ["", *rows]
        affair = c1.selectbox(FIELD_LABELS["affair"], affair_ids, key=f"{key}_affair",
                              format_func=lambda a: rows.get(a, "（なし）"),
                              index=affair_ids.index(((old or {}).get("affairs") or [""])[0])
                              if ((old or {}).get("affairs") or [""])[0] in affair_ids else 0)
        causes = ["", *CAUSE_LABELS]
        cause = c2.selectbox(FIELD_LABELS["cause"], causes, key=f"{key}_cause",
                             format_func=lambda c: CAUSE_LABELS.get(c, "（なし）") if c else "（なし）",
                             index=causes.index((old or {}).get("cause") or ""))
        actors = st.multiselect(FIELD_LABELS["actors"], list(ACTORS), format_func=ACTORS.get, key=f"{key}_actors",
                                default=(old or {}).get("actors") or [], placeholder="主な責任者から順に")
        sup_ids = ["", *others]
        supersedes = st.selectbox("この資料が置き換える古い資料", sup_ids, key=f"{key}_supersedes",
                                  format_func=lambda i: others.get(i, "（なし）"),
                                  index=sup_ids.index((old or {}).get("supersedes") or "")
                                  if ((old or {}).get("supersedes") or "") in sup_ids else 0)
        submitted = st.form_submit_button("置き換えて索引を更新" if target else "保存して索引に追加", type="primary")
    form = site.DocumentForm(kind=kind or "", title=title, issuer=issuer, date=date, source=source, locator=locator,
                             affair=affair, actors=actors, cause=cause, supersedes=supersedes)
    return form, upload, submitted


def _submit(b, docs, target, form, upload, actor, on_change) -> None:
    known = {d["id"] for d in docs}
    doc_id = target.id if target else site.new_id(form, known)
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if upload is not None and "." in upload.name else ""
    problems = form.problems(doc_id=doc_id, known_ids=known, affairs=[r.id for r in b.store.affairs.rows],
                             suffix=suffix)
    if upload is None:
        problems = {"file": "ファイルを選んでください。", **problems}
    if problems:
        st.error("入力を確かめてください。\n\n" + "\n".join(f"- **{FIELD_LABELS[k]}**：{v}" for k, v in problems.items()),
                 icon=":material/error:")
        return
    data, label = upload.getvalue(), f"「{form.title.strip()}」"
    try:
        change = site.save(site_dir(), data, upload.name, form, doc_id)
        r = _rebuild(b, change, label)
    except site.UploadError as err:
        st.error(str(err), icon=":material/error:")
        if err.detail:
            st.caption(f"詳細：{err.detail}")
        return
    except BriefingError as err:
        st.error("資料を加えると索引を作れないため、追加を取り消しました（ファイルは元のままです）。", icon=":material/error:")
        ui.show_error(err)
        return
    _log(b, "replace" if target else "add", doc_id, actor, form.title.strip(), upload.name, data)
    verb = "置き換えました" if target else "追加しました"
    _done(f"{label}を{verb}（id：{doc_id}）。索引：{r.documents} 文書、{r.chunks} チャンク"
          f"（追加 {r.added}、削除 {r.removed}）。質問への回答に使われます。", on_change)


def _remove(b, target: site.SiteDocument, actor, on_change) -> None:
    try:
        change = site.remove(site_dir(), target.id)
        r = _rebuild(b, change, f"「{target.title}」の削除")
    except BriefingError as err:
        ui.show_error(err)
        return
    _log(b, "remove", target.id, actor, target.title, target.file.name)
    _done(f"「{target.title}」を削除しました（id：{target.id}）。回答には使われなくなります。"
          f"索引：{r.documents} 文書、{r.chunks} チャンク。", on_change)


def added_list(mine: list[site.SiteDocument]) -> None:
    st.markdown(f"**この市で追加した資料**（{len(mine)} 件・保存先 `{site_dir()}`）")
    if not mine:
        st.caption("まだありません。上のフォームから追加できます。")
        return
    st.dataframe([{"表題": d.title, "種別": KIND_LABELS.get(d.kind, d.kind), "日付": d.date, "発出者": d.issuer,
                   "置き換える資料": d.supersedes, "ファイル": d.file.name, "保存日時": d.updated, "id": d.id}
                  for d in mine], hide_index=True, width="stretch")


def render(b, docs: list[dict], on_change: Callable[[], None]) -> None:
    st.subheader("この市の資料を追加する")
    st.caption("通知・事務連絡・市の手順書などを、この画面から資料に加えられます。表題・発出者・日付・出典を"
               "入力して保存すると索引に加わり、チャットの回答に出典として使われます。市の資料は出荷時の資料"
               "（corpus/）とは別のフォルダに保存されます。")
    # Kept (not popped) until the next change: a rerun the browser sends on its own after the page
    # reloads (a select box whose chosen document has gone) must not swallow the confirmation.
    if done := st.session_state.get(_DONE):
        st.success(done, icon=":material/check_circle:")
    mine = site.list_documents(site_dir())
    actor = current_actor()
    if actor is None or not actor.role.can_edit:
        st.caption("資料の追加・置き換え・削除には「編集」以上の権限が必要です。")
        added_list(mine)
        return
    by_id = {d.id: d for d in mine}
    choice = st.selectbox("操作", [NEW, *by_id], key="site_target",
                          format_func=lambda i: i if i == NEW else f"置き換える：{by_id[i].title}（{i}）")
    target = by_id.get(choice)
    form, upload, submitted = _form(b, docs, target)
    if submitted:
        _submit(b, docs, target, form, upload, actor, on_change)
    added_list(mine)
    if mine:
        with st.expander("追加した資料を削除する"):
            key = form_key("remove")   # new widgets after each change: nothing stays ticked for the next one
            pick = st.selectbox("削除する資料", list(by_id), key=f"{key}_pick",
                                format_func=lambda i: f"{by_id[i].title}（{by_id[i].date}・{i}）")
            sure = st.checkbox("この資料を削除し、回答に使わないようにする", key=f"{key}_sure")
            if st.button("削除して索引を更新", key=key, disabled=not sure):
                _remove(b, by_id[pick], actor, on_change)
