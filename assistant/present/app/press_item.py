"""One question of a press draft as a card: its answer (editable for 編集), sources, and the buttons
its reader's role allows — the others disabled, with the reason — plus the callbacks they share
with the page (an expired session or a refused change becomes a message, not a traceback)."""
from __future__ import annotations

import streamlit as st

from assistant.access import Actor
from assistant.errors import BriefingError
from assistant.present.app import components as ui
from assistant.present.app.auth import current_actor
from assistant.present.app.resources import briefing_or_stop
from assistant.present.draft_trail import text_sha256
from assistant.present.press import item_from_answer
from assistant.present.press_book import PressBook
from assistant.present.press_export import record_line, source_line
from assistant.privacy import contains_my_number, mask_my_number

NEEDS_EDIT = "この操作には「編集」以上の権限が必要です。"
NEEDS_APPROVE = "承認と承認の取り消しには「承認」の権限が必要です。"
CHANGED_ELSEWHERE = ("この回答は、このページを開いた後で別の人（または別のタブ）が変更しました。いま保存されている内容を"
                     "確かめてから、もう一度操作してください（今回の操作は行っていません）。")
EXPIRED = "ログインの有効期限が切れたため、操作を行いませんでした。ページを再読み込みして、もう一度ログインしてください。"


def flash(kind: str, text: str) -> None:
    st.session_state.setdefault("press_flash", []).append((kind, text))


def flash_masked(texts: list[str], what: str) -> None:
    if any(contains_my_number(t) for t in texts):
        flash("warning", ui.masked_notice(what))


def guard(fn, *args, by: Actor | None = None):
    """Run a book operation as the person using the page (from a callback); an expired session or a
    refused operation becomes a message, not a traceback."""
    by = by or current_actor()
    if by is None:
        flash("warning", EXPIRED)
        return None
    try:
        return fn(*args, by=by)
    except BriefingError as err:
        flash("error", ui.error_message(err))
        return None


def save_edit(book: PressBook, item_id: int, text: str) -> bool:
    if guard(book.edit, item_id, text) is None:
        return False
    for key in (f"ans-{item_id}", f"ans-base-{item_id}"):   # redraw the box from what was stored (masked)
        st.session_state.pop(key, None)
    flash_masked([text], "回答")
    return True


def changed_elsewhere(it) -> bool:
    """True when the stored answer changed since this session drew its box (another person or tab
    saved meanwhile). A box with nothing typed in it is refreshed; typed text is kept, but the
    click that came with it is not acted on, so no one approves or overwrites what they have not seen."""
    key, base_key = f"ans-{it.id}", f"ans-base-{it.id}"
    base = st.session_state.get(base_key)
    st.session_state[base_key] = it.final_answer
    if base is None or base == it.final_answer:
        return False
    if st.session_state.get(key, base) == base:
        st.session_state.pop(key, None)
    return True


def _approve(book: PressBook, n: int, it, text: str, changed: bool, approver: Actor) -> None:
    if not approver.name:
        st.warning("承認者名を入力してから「承認」を押してください。")
        return
    seen = text_sha256(mask_my_number(text.strip()) if changed else it.final_answer)   # what the approver saw
    if (not changed or save_edit(book, it.id, text)) and guard(book.approve, it.id, seen, by=approver):
        flash("success", f"問{n}を承認しました（{mask_my_number(approver.signature)}）。")
    st.rerun()


def _redo(book: PressBook, it, actor: Actor) -> None:
    b = briefing_or_stop()
    try:
        user = None if actor.auth == "open" else actor.name
        book.save_answer(it.id, item_from_answer(it.question, b.ask(it.question, channel="press", user=user)),
                         by=actor)
    except BriefingError as err:
        ui.show_error(err)
        return
    for key in (f"ans-{it.id}", f"ans-base-{it.id}"):
        st.session_state.pop(key, None)
    st.rerun()


def item_card(book: PressBook, n: int, it, actor: Actor, approver: Actor) -> None:
    edit, approve = actor.role.can_edit, approver.role.can_approve
    with st.container(border=True):
        head, badge = st.columns([6, 1])
        head.markdown(f"**問{n}**　{it.question}")
        with badge:
            label = "承認済み" if it.approved else "下書き" if it.drafted else "回答案なし"
            st.badge(label, color="green" if it.approved else "gray")
        if not it.drafted:
            st.caption("回答案はまだありません。上の「回答案を作成」を押してください。")
            st.button("削除", key=f"del-{it.id}", on_click=guard, args=(book.delete_item, it.id), disabled=not edit,
                      help=None if edit else NEEDS_EDIT)
            return
        if it.abstained:
            st.warning("資料に根拠が見つからず、回答を控える案になっています。回答は職員が書いてください。")
        stale = changed_elsewhere(it)
        if stale:
            st.warning(CHANGED_ELSEWHERE, icon=":material/sync_problem:")
        text = st.text_area("回答（編集できます）" if edit else "回答", value=it.final_answer, key=f"ans-{it.id}",
                            height=220, disabled=not edit, help=None if edit else NEEDS_EDIT)
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
        changed = edit and text.strip() != it.final_answer.strip()
        if cols[0].button("保存", key=f"save-{it.id}", disabled=not edit, help=None if edit else NEEDS_EDIT):
            if stale:
                return
            if not changed:
                st.info("変更はありません。")
                return
            if save_edit(book, it.id, text):
                flash("success", f"問{n}の回答を保存しました" + ("（承認は取り消され、やり直しになります）。" if it.approved else "。"))
            st.rerun()
        why = None if approve else NEEDS_APPROVE
        if it.approved:
            cols[1].button("承認を取り消す", key=f"unapprove-{it.id}", on_click=guard,
                           args=(book.withdraw_approval, it.id), kwargs={"by": approver if approver.name else actor},
                           disabled=not approve, help=why)
        elif cols[1].button("承認", key=f"approve-{it.id}", type="primary", disabled=not approve, help=why):
            if not stale:
                _approve(book, n, it, text, changed, approver)
        if cols[2].button("作り直す", key=f"redo-{it.id}", disabled=not edit,
                          help="回答案を作り直します（編集と承認は消えます）" if edit else NEEDS_EDIT):
            _redo(book, it, actor)
        cols[3].button("削除", key=f"del-{it.id}", on_click=guard, args=(book.delete_item, it.id), disabled=not edit,
                       help=None if edit else NEEDS_EDIT)
        record = f"{record_line(it)}　履歴の問番号 #{it.id}"   # as `briefing audit show --draft` names it
        if it.approved:
            st.success(record)
        else:
            st.caption(record)


