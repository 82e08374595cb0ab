"""チャット: a question → a streamed answer, the responsibility card, the cause badge, citations, feedback;
the conversation can be saved as Word or Markdown (sidebar) for the mayor's briefing folder."""
from __future__ import annotations

import datetime as dt
import re
import time

import streamlit as st

from assistant.errors import BriefingError
from assistant.present.app import components as ui
from assistant.present.app.auth import current_user
from assistant.present.app.resources import briefing_or_stop
from assistant.present.chat_export import export_bytes, file_name
from assistant.present.feedback import FeedbackStore
from assistant.present.press import KIND_LABELS, answer_markdown
from assistant.present.press_export import FORMATS
from assistant.privacy import contains_my_number, mask_my_number
from assistant.values import Filters

PLACEHOLDER = "例：公金受取口座の誤登録は市の責任ですか？"
STARTERS = ["公金受取口座の誤登録は市の責任か", "保険証の紐付け誤りはなぜ起きたのか",
            "障害者手帳の誤登録の責任は", "結局、市は悪くないと言い切れるのか"]


def _new_chat() -> None:
    st.session_state["turns"] = []
    for key in [k for k in st.session_state if str(k).startswith(("fb-", "fbc-"))]:
        del st.session_state[key]


def _ask_later(question: str) -> None:
    st.session_state["pending"] = question


def sidebar_filters(kinds_in_index) -> Filters:
    with st.sidebar:
        st.button("新しい会話", on_click=_new_chat, icon=":material/add_comment:", width="stretch")
        st.subheader("絞り込み")
        kinds = st.multiselect("資料の種別", [k for k in KIND_LABELS if k in kinds_in_index] or list(KIND_LABELS),
                               format_func=KIND_LABELS.get, placeholder="すべての種別", key="f_kinds")
        lo, hi = dt.date(1990, 1, 1), dt.date.today()
        date_from = st.date_input("この日以降の資料", value=None, min_value=lo, max_value=hi, key="f_from")
        date_to = st.date_input("この日以前の資料", value=None, min_value=lo, max_value=hi, key="f_to")
        if date_from and date_to and date_from > date_to:
            st.warning("期間の始まりが終わりより後です。日付を入れ直してください。")
        filters = Filters(kinds=tuple(kinds), date_from=date_from, date_to=date_to)
        if not filters.empty:
            st.caption("絞り込み中は、条件に合う資料だけを根拠に答えます。")
    return filters


def _pieces(body: str):
    """Sentence by sentence (each ends with its [n]), so the answer appears as it is read."""
    for piece in re.split(r"(?<=\])(?!\[)|(?<=\n)", body):
        if piece:
            yield piece
            time.sleep(0.015)


def export_buttons(turns: list[dict]) -> None:
    """会話を保存: the answered questions so far, as .docx and .md (drawn after the page's answers)."""
    if not any(t.get("answer") is not None for t in turns):
        return
    with st.sidebar:
        st.subheader("会話を保存")
        st.caption("ここまでの質問と回答を、出典の引用とともに書き出します（市長への説明資料用。承認前の記録です）。")
        for fmt, label, icon in (("docx", "Word で保存", ":material/description:"),
                                 ("md", "Markdown で保存", ":material/article:")):
            try:
                data = export_bytes(turns, fmt)
            except BriefingError as err:
                ui.show_error(err)
                return
            st.download_button(label, data, file_name=file_name(fmt), mime=FORMATS[fmt], key=f"chat-{fmt}",
                               icon=icon, width="stretch", on_click="ignore")


def llm_notice(ans) -> None:
    """When an LLM is configured and its rewrite was not used, say so (the answer is the extractive one)."""
    notice = getattr(ans, "llm_notice", "")
    if notice:
        st.caption(notice, help="BRIEFING_LLM で設定した言語モデルの状態です。回答は登録資料からの抜き出しで作っています。")


def show_answer(ans, stream: bool = False) -> None:
    llm_notice(ans)
    if ans.abstained:
        st.info(ans.summary, icon=":material/info:")
        st.caption("質問を言い換えるか、サイドバーの絞り込みを外して、もう一度お試しください。")
        return
    ui.verdict_box(ans)
    body = answer_markdown(ans, sep="  \n", skip_conclusion=True).replace("### ", "##### ")
    if body.strip():
        if stream:
            st.write_stream(_pieces(body))
        else:
            st.markdown(body)
    ui.responsibility_card(ans.responsibility, ans.citations)
    ui.cause_badge(ans.cause)
    ui.citation_list(ans.citations)


def feedback_box(i: int, turn: dict) -> None:
    if turn.get("feedback"):
        st.caption(f"フィードバックを記録しました（{'役に立った' if turn['feedback'] == 'up' else '役に立たなかった'}）。ありがとうございました。")
        return
    rating = st.feedback("thumbs", key=f"fb-{i}")
    if rating is None:
        return
    comment = st.text_input("コメント（任意）", key=f"fbc-{i}", placeholder="例：根拠の法令が足りない、責任の順序が違う")
    if st.button("フィードバックを送る", key=f"fbs-{i}"):
        ans, kind = turn["answer"], ("up" if rating == 1 else "down")
        try:
            FeedbackStore().record(kind, turn["question"], ans.summary if ans else "", comment,
                                   [c.id for c in ans.citations] if ans else [])
        except BriefingError as err:
            ui.show_error(err)
            return
        turn["feedback"] = kind
        st.success("フィードバックを記録しました。ありがとうございました。")
        if contains_my_number(comment):
            st.warning(ui.masked_notice("コメント"), icon=":material/visibility_off:")


def show_question(turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(turn["question"])
        if turn.get("masked"):
            st.warning(ui.masked_notice(), icon=":material/visibility_off:")


def render_turn(i: int, turn: dict) -> None:
    show_question(turn)
    with st.chat_message("assistant"):
        if turn.get("error"):
            st.error(turn["error"], icon=":material/error:")
            return
        show_answer(turn["answer"])
        feedback_box(i, turn)


def ask_now(b, question: str, turns: list[dict], filters: Filters) -> None:
    # The raw text goes no further than this line: what is shown, kept and asked is the masked question.
    turn = {"question": mask_my_number(question), "masked": contains_my_number(question),
            "answer": None, "error": None, "feedback": None}
    show_question(turn)
    with st.chat_message("assistant"):
        try:
            with st.spinner("資料を検索して回答を作成しています…"):
                turn["answer"] = b.ask(turn["question"], history=[t["question"] for t in turns if t["answer"]],
                                       filters=filters, channel="app", user=current_user())
        except BriefingError as err:
            turn["error"] = ui.error_message(err)
            st.error(turn["error"], icon=":material/error:")
        turns.append(turn)
        if turn["answer"] is not None:
            show_answer(turn["answer"], stream=True)
            feedback_box(len(turns) - 1, turn)


def render() -> None:
    b = briefing_or_stop()
    turns: list[dict] = st.session_state.setdefault("turns", [])
    filters = sidebar_filters((b.store.manifest or {}).get("kinds", {}))
    st.title("政策ブリーフィング")
    st.caption("マイナンバーの紐付け誤りについて、登録された資料だけを根拠に答えます。文末の [n] は出典の番号です。")

    typed = st.chat_input(PLACEHOLDER, max_chars=b.settings.max_question_chars)
    question = typed or st.session_state.pop("pending", None)
    if not turns and not question:
        st.markdown("マイナンバーの紐付け誤りについて、下の欄に質問を入力してください。たとえば：")
        cols = st.columns(2)
        for n, q in enumerate(STARTERS):
            cols[n % 2].button(q, key=f"starter-{n}", on_click=_ask_later, args=(q,), width="stretch")
    for i, turn in enumerate(turns):
        render_turn(i, turn)
    if question:
        ask_now(b, question, turns, filters)
    export_buttons(turns)
    ui.privacy_caption()  # last on the page, just above the input box


if __name__ == "__main__":
    render()
