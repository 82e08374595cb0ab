"""想定問答: add questions, draft answers, edit, approve, export .docx / .md — each as the role allows.

閲覧 reads and exports; 編集 also creates, drafts, edits and deletes; 承認 also approves and withdraws.
What a role may not do is shown disabled, with the reason. Every change goes through PressBook,
which checks the role again and records the change in the audit log (the draft's history).
"""
from __future__ import annotations

import re

import streamlit as st

from assistant.access import Actor, Role
from assistant.errors import BriefingError
from assistant.present.app import components as ui
from assistant.present.app import login
from assistant.present.app.auth import current_actor
from assistant.present.app.press_item import EXPIRED, NEEDS_EDIT, flash, flash_masked, guard, item_card
from assistant.present.app.resources import briefing_or_stop
from assistant.present.draft_trail import text_sha256
from assistant.present.press import SUGGESTIONS, parse_questions
from assistant.present.press_book import PressBook
from assistant.present.press_export import FORMATS
from assistant.privacy import MASK


def _create(book: PressBook) -> None:
    title = st.session_state.get("new_title", "")
    new_id = guard(book.create_draft, title)
    if new_id:
        st.session_state["press_draft"] = new_id
        st.session_state["new_title"] = ""
        flash("success", "想定問答を作成しました。次に質問を追加してください。")
        flash_masked([title], "表題")


def _add(book: PressBook, draft_id: int, questions: list[str], clear: list[str]) -> None:
    if not questions:
        flash("warning", "追加する質問がありません。質問を入力するか、候補から選んでください。")
        return
    if guard(book.add_questions, draft_id, questions) is not None:
        for key in clear:
            st.session_state[key] = [] if key.startswith("sug-") else ""
        flash("success", f"{len(questions)} 問を追加しました。「回答案を作成」を押すと回答案ができます。")
        flash_masked(questions, "質問")


def role_notice(actor: Actor) -> None:
    """What this person may do here, and how to get more."""
    if actor.role == Role.VIEW:
        st.info("あなたの権限は「閲覧」です。想定問答を読み、書き出すことはできますが、作成・編集・承認はできません。"
                "必要な場合は、管理者に権限の割り当てを依頼してください。", icon=":material/visibility:")
    elif actor.role == Role.EDIT:
        how = ("下の「承認者として確認する」で承認者パスワードを入力すると承認できます。" if actor.auth == "password"
               else "承認は「承認」の権限を持つ人が行います。")
        st.info(f"あなたの権限は「編集」です。回答案の作成・編集はできますが、承認はできません。{how}",
                icon=":material/edit:")


def approver_line(actor: Actor) -> str:
    """Open mode: the typed approver name; otherwise the approver is who is signed in (no field)."""
    if actor.auth == "password":
        login.approver_form()
        return ""
    if actor.auth == "approver":
        c1, c2 = st.columns([4, 1])
        c1.success(f"承認者：{actor.name}（承認者パスワードで確認済み）。「承認」を押すと、この名前と時刻が記録されます。")
        c2.button("承認者の確認を解除", key="leave_approver", on_click=login.leave_approver)
        return actor.name
    if actor.auth == "oidc":
        if actor.role.can_approve:
            st.caption(f"承認者：{actor.signature}（ログイン中のアカウント）。「承認」を押すと、この名前と時刻が記録されます。")
        return actor.name
    # masked before the box is drawn again, so the raw digits are not kept; the notice stays while the mask does
    if ui.scrub_state("approver") or MASK in st.session_state.get("approver", ""):
        st.warning(ui.masked_notice("承認者名"), icon=":material/visibility_off:")
    return st.text_input("承認者名", key="approver", placeholder="例：広報課 山田",
                         help="「承認」を押すと、この名前と時刻が記録されます。")


def choose_draft(book: PressBook, actor: Actor):
    drafts = book.list_drafts()
    if actor.role.can_edit:
        with st.expander("新しい想定問答を作る", expanded=not drafts, icon=":material/add:"):
            st.text_input("表題", key="new_title", placeholder="例：12月定例記者会見 想定問答")
            st.button("作成", key="create_draft", on_click=_create, args=(book,), type="primary")
    if not drafts:
        st.info("まだ想定問答がありません。上の「新しい想定問答を作る」で表題を入れて「作成」を押してください。"
                if actor.role.can_edit else "まだ想定問答がありません。")
        return None
    ids = [d.id for d in drafts]
    if st.session_state.get("press_draft") not in ids:
        st.session_state["press_draft"] = ids[0]
    names = {d.id: f"No.{d.id} {d.title}（{d.created[:10]} 作成）" for d in drafts}
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


def draft_all(book: PressBook, draft, actor: Actor) -> None:
    todo = sum(1 for it in draft.items if not it.drafted)
    if not st.button(f"回答案を作成（未作成 {todo} 問）", key="draft_all", type="primary",
                     disabled=not todo or not actor.role.can_edit,
                     help=None if actor.role.can_edit else NEEDS_EDIT):
        return
    b = briefing_or_stop()
    bar = st.progress(0.0, text="回答案を作成しています…")
    try:
        book.draft_answers(draft.id, b, by=actor,
                           progress=lambda i, n: bar.progress(i / n, text=f"回答案を作成しています… {i}/{n}"))
    except BriefingError as err:
        ui.show_error(err)
        return
    for it in draft.items:
        for key in (f"ans-{it.id}", f"ans-base-{it.id}"):
            st.session_state.pop(key, None)
    flash("success", "回答案を作成しました。内容を確かめて、必要なら直してから承認してください。")
    st.rerun()


def _fingerprint(draft) -> tuple:
    """What an export depends on: a prepared file is offered only while the draft is unchanged."""
    return (draft.id, draft.title, tuple((it.id, it.status, it.approver, text_sha256(it.final_answer))
                                         for it in draft.items))


def _prepare(book: PressBook, draft, fmt: str, name: str) -> None:
    data = guard(book.export_file, draft.id, fmt)
    if data is not None:
        st.session_state["press_export"] = {"stamp": _fingerprint(draft), "fmt": fmt, "data": data,
                                            "name": f"{name}.{fmt}"}


def downloads(book: PressBook, draft) -> None:
    st.subheader("書き出し")
    approved = sum(1 for it in draft.items if it.approved)
    if approved < len(draft.items):
        st.caption(f"未承認の問が {len(draft.items) - approved} 問あります（書き出しには「未承認」と記されます）。")
    st.caption("書き出すと、その時点の各回答のハッシュと承認の記録が履歴に残り、文書の末尾（Word はフッター）にも印字されます。")
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", draft.title).strip("_") or "想定問答"
    c1, c2 = st.columns(2)
    c1.button("Word（.docx）を書き出す", key="export-docx", on_click=_prepare, args=(book, draft, "docx", name),
              icon=":material/description:")
    c2.button("Markdown（.md）を書き出す", key="export-md", on_click=_prepare, args=(book, draft, "md", name),
              icon=":material/description:")
    ready = st.session_state.get("press_export")
    if ready and ready["stamp"] == _fingerprint(draft):
        label = "Word（.docx）をダウンロード" if ready["fmt"] == "docx" else "Markdown（.md）をダウンロード"
        st.download_button(label, data=ready["data"], file_name=ready["name"], mime=FORMATS[ready["fmt"]],
                           key="dl-export", icon=":material/download:", type="primary")
    elif ready:
        st.caption("書き出した後で内容が変わりました。もう一度書き出してください。")


def render() -> None:
    st.title("想定問答")
    st.caption("質問ごとに回答案を作り、職員が直して承認し、Word または Markdown で書き出します。下書きは保存され、再起動後も残ります。")
    ui.privacy_caption()
    actor = current_actor()
    if actor is None:
        st.warning(EXPIRED)
        st.stop()
    try:
        book = PressBook()
        draft_id = choose_draft(book, actor)
        draft = book.get_draft(draft_id) if draft_id else None
    except BriefingError as err:
        ui.show_error(err)
        st.stop()
    for kind, text in st.session_state.pop("press_flash", []):
        getattr(st, kind)(text)
    role_notice(actor)
    if draft is None:
        return
    if actor.role.can_edit:
        add_questions(book, draft.id)
    st.subheader(f"質問と回答（{len(draft.items)} 問）")
    if not draft.items:
        st.info("まだ質問がありません。上の「質問を追加」から入力してください。" if actor.role.can_edit
                else "まだ質問がありません。")
        return
    draft_all(book, draft, actor)
    name = approver_line(actor) if actor.role.can_edit else ""
    approver = Actor(name, Role.APPROVE, "open") if actor.auth == "open" else current_actor()
    for n, it in enumerate(draft.items, 1):
        item_card(book, n, it, actor, approver)
    downloads(book, draft)


if __name__ == "__main__":
    render()
