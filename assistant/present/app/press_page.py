"""想定問答: add questions, draft answers, edit, approve (name + time), download .docx / .md."""
from __future__ import annotations

import re

import streamlit as st

from assistant.errors import BriefingError
from assistant.present.app import components as ui
from assistant.present.app.auth import current_user
from assistant.present.app.resources import briefing_or_stop
from assistant.present.press import (SUGGESTIONS, PressBook, item_from_answer, parse_questions, source_line,
                                     status_line, to_docx, to_markdown)
from assistant.privacy import MASK, contains_my_number, mask_my_number

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("press_flash", []).append((kind, text))


def _flash_masked(texts: list[str], what: str) -> None:
    if any(contains_my_number(t) for t in texts):
        _flash("warning", ui.masked_notice(what))


def _guard(fn, *args):
    """Run a book operation from a callback; a database problem becomes a message, not a traceback."""
    try:
        return fn(*args)
    except BriefingError as err:
        _flash("error", ui.error_message(err))
        return None


def _save_edit(book: PressBook, item_id: int, text: str) -> bool:
    try:
        book.edit(item_id, text)
    except BriefingError as err:
        _flash("error", ui.error_message(err))
        return False
    st.session_state.pop(f"ans-{item_id}", None)  # redraw the box from what was stored (masked)
    _flash_masked([text], "回答")
    return True


def _create(book: PressBook) -> None:
    title = st.session_state.get("new_title", "")
    new_id = _guard(book.create_draft, title)
    if new_id:
        st.session_state["press_draft"] = new_id
        st.session_state["new_title"] = ""
        _flash("success", "想定問答を作成しました。次に質問を追加してください。")
        _flash_masked([title], "表題")


def _add(book: PressBook, draft_id: int, questions: list[str], clear: list[str]) -> None:
    if not questions:
        _flash("warning", "追加する質問がありません。質問を入力するか、候補から選んでください。")
        return
    if _guard(book.add_questions, draft_id, questions) is not None:
        for key in clear:
            st.session_state[key] = [] if key.startswith("sug-") else ""
        _flash("success", f"{len(questions)} 問を追加しました。「回答案を作成」を押すと回答案ができます。")
        _flash_masked(questions, "質問")


def choose_draft(book: PressBook):
    drafts = book.list_drafts()
    with st.expander("新しい想定問答を作る", expanded=not drafts, icon=":material/add:"):
        st.text_input("表題", key="new_title", placeholder="例：12月定例記者会見 想定問答")
        st.button("作成", key="create_draft", on_click=_create, args=(book,), type="primary")
    if not drafts:
        st.info("まだ想定問答がありません。上の「新しい想定問答を作る」で表題を入れて「作成」を押してください。")
        return None
    ids = [d.id for d in drafts]
    if st.session_state.get("press_draft") not in ids:
        st.session_state["press_draft"] = ids[0]
    names = {d.id: f"{d.title}（{d.created[:10]} 作成）" for d in drafts}
    return st.selectbox("開く想定問答", ids, format_func=names.get, key="press_draft")


def add_questions(book: PressBook, draft_id: int) -> None:
    st.subheader("質問を追加")
    one, paste, pick = st.tabs(["1問ずつ入力", "まとめて貼り付け", "候補から選ぶ"])
    with one:
        st.text_input("質問", key="q_one", placeholder="例：公金受取口座の誤登録は市の責任ですか？")
        st.button("追加", key="add_one", on_click=lambda: _add(book, draft_id, parse_questions(
            st.session_state.get("q_one", "")), ["q_one"]))
    with paste:
        st.text_area("1行に1問ずつ貼り付けてください（空行は無視します）", key="q_paste", height=140)
        st.button("まとめて追加", key="add_paste", on_click=lambda: _add(book, draft_id, parse_questions(
            st.session_state.get("q_paste", "")), ["q_paste"]))
    with pick:
        keys = []
        for n, (topic, qs) in enumerate(SUGGESTIONS.items()):
            keys.append(f"sug-{n}")
            st.multiselect(topic, qs, key=f"sug-{n}", placeholder="質問を選ぶ")
        st.button("選んだ質問を追加", key="add_picked", on_click=lambda: _add(
            book, draft_id, [q for k in keys for q in st.session_state.get(k, [])], keys))


def draft_all(book: PressBook, draft) -> None:
    todo = sum(1 for it in draft.items if not it.drafted)
    if not st.button(f"回答案を作成（未作成 {todo} 問）", key="draft_all", type="primary", disabled=not todo):
        return
    b = briefing_or_stop()
    bar = st.progress(0.0, text="回答案を作成しています…")
    try:
        book.draft_answers(draft.id, b, user=current_user(),
                           progress=lambda i, n: bar.progress(i / n, text=f"回答案を作成しています… {i}/{n}"))
    except BriefingError as err:
        ui.show_error(err)
        return
    for it in draft.items:
        st.session_state.pop(f"ans-{it.id}", None)
    _flash("success", "回答案を作成しました。内容を確かめて、必要なら直してから承認してください。")
    st.rerun()


def item_card(book: PressBook, n: int, it, approver: str) -> None:
    with st.container(border=True):
        head, badge = st.columns([6, 1])
        head.markdown(f"**問{n}**　{it.question}")
        with badge:
            label = "承認済み" if it.approved else "下書き" if it.drafted else "回答案なし"
            st.badge(label, color="green" if it.approved else "gray")
        if not it.drafted:
            st.caption("回答案はまだありません。上の「回答案を作成」を押してください。")
            st.button("削除", key=f"del-{it.id}", on_click=_guard, args=(book.delete_item, it.id))
            return
        if it.abstained:
            st.warning("資料に根拠が見つからず、回答を控える案になっています。回答は職員が書いてください。")
        text = st.text_area("回答（編集できます）", value=it.final_answer, key=f"ans-{it.id}", height=220)
        if it.responsibility:
            st.caption(it.responsibility)
        if it.cause:
            st.caption(f"原因の型：{it.cause}")
        if it.citations:
            with st.expander(f"出典（{len(it.citations)} 件）"):
                for c in it.citations:
                    st.markdown(f"{source_line(c)}")
                    st.caption(c.get("quote", "")[:300])
        cols = st.columns(4)
        changed = text.strip() != it.final_answer.strip()
        if cols[0].button("保存", key=f"save-{it.id}"):
            if not changed:
                st.info("変更はありません。")
                return
            if _save_edit(book, it.id, text):
                _flash("success", f"問{n}の回答を保存しました（承認はやり直しになります）。")
            st.rerun()
        if it.approved:
            cols[1].button("承認を取り消す", key=f"unapprove-{it.id}", on_click=_guard,
                           args=(book.withdraw_approval, it.id))
        elif cols[1].button("承認", key=f"approve-{it.id}", type="primary"):
            if not approver.strip():
                st.warning("承認者名を入力してから「承認」を押してください。")
            else:
                if (not changed or _save_edit(book, it.id, text)) and _guard(book.approve, it.id, approver):
                    _flash("success", f"問{n}を承認しました（{mask_my_number(approver.strip())}）。")
                st.rerun()
        if cols[2].button("作り直す", key=f"redo-{it.id}", help="回答案を作り直します（編集と承認は消えます）"):
            b = briefing_or_stop()
            try:
                book.save_answer(it.id, item_from_answer(it.question, b.ask(it.question, channel="press",
                                                                          user=current_user())))
            except BriefingError as err:
                ui.show_error(err)
                return
            st.session_state.pop(f"ans-{it.id}", None)
            st.rerun()
        cols[3].button("削除", key=f"del-{it.id}", on_click=_guard, args=(book.delete_item, it.id))
        if it.approved:
            st.success(status_line(it))


def downloads(draft) -> None:
    st.subheader("書き出し")
    approved = sum(1 for it in draft.items if it.approved)
    if approved < len(draft.items):
        st.caption(f"未承認の問が {len(draft.items) - approved} 問あります（書き出しには「未承認」と記されます）。")
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", draft.title).strip("_") or "想定問答"
    c1, c2 = st.columns(2)
    c1.download_button("Word（.docx）をダウンロード", data=to_docx(draft), file_name=f"{name}.docx",
                       mime=DOCX_MIME, key="dl-docx", icon=":material/download:")
    c2.download_button("Markdown（.md）をダウンロード", data=to_markdown(draft).encode("utf-8"),
                       file_name=f"{name}.md", mime="text/markdown", key="dl-md", icon=":material/download:")


def render() -> None:
    st.title("想定問答")
    st.caption("質問ごとに回答案を作り、職員が直して承認し、Word または Markdown で書き出します。下書きは保存され、再起動後も残ります。")
    ui.privacy_caption()
    try:
        book = PressBook()
        draft_id = choose_draft(book)
        draft = book.get_draft(draft_id) if draft_id else None
    except BriefingError as err:
        ui.show_error(err)
        st.stop()
    for kind, text in st.session_state.pop("press_flash", []):
        getattr(st, kind)(text)
    if draft is None:
        return
    add_questions(book, draft.id)
    st.subheader(f"質問と回答（{len(draft.items)} 問）")
    if not draft.items:
        st.info("まだ質問がありません。上の「質問を追加」から入力してください。")
        return
    draft_all(book, draft)
    # masked before the box is drawn again, so the raw digits are not kept; the notice stays while the mask does
    if ui.scrub_state("approver") or MASK in st.session_state.get("approver", ""):
        st.warning(ui.masked_notice("承認者名"), icon=":material/visibility_off:")
    approver = st.text_input("承認者名", key="approver", placeholder="例：広報課 山田",
                             help="「承認」を押すと、この名前と時刻が記録されます。")
    for n, it in enumerate(draft.items, 1):
        item_card(book, n, it, approver)
    downloads(draft)


if __name__ == "__main__":
    render()
