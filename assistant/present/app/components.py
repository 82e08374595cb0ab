"""Pieces shared by the pages: error messages, the personal-number notices, the responsibility card,
the cause badge, citations."""
from __future__ import annotations

import streamlit as st

from assistant.access import AccessDenied
from assistant.audit import AuditError
from assistant.errors import (BriefingError, ConfigError, DocumentError, QueryError, StoreBusyError,
                              StoreError, StoreMismatchError)
from assistant.present.localdb import LocalDBError
from assistant.present.press import KIND_LABELS
from assistant.privacy import MASK, contains_my_number, mask_my_number
from assistant.superseded import notice as superseded_notice
from assistant.values import ACTORS, CAUSE_LABELS

CAUSE_COLORS = {"operational": "orange", "technical": "blue", "institutional": "violet", "mixed": "red"}


def error_message(err: BriefingError) -> str:
    """Plain Japanese for the errors of the package, saying what to do next."""
    text = str(err.args[0]) if err.args else ""
    if isinstance(err, (LocalDBError, AccessDenied)):
        return str(err)
    if isinstance(err, AuditError):
        return ("監査の記録（監査ログ）に書き込めないため、この操作は行いませんでした（記録のない変更は残しません）。"
                "管理者に、監査ログの保存先（BRIEFING_AUDIT_LOG）の空き容量と書き込み権限の確認を依頼してください。")
    if isinstance(err, StoreBusyError):
        return ("索引は別の処理（`briefing index` など）が使用中です。その処理が終わるのを待ってから、"
                "ページを再読み込みしてください。")
    if isinstance(err, StoreMismatchError):
        return ("索引が、いま設定されているものとは別の埋め込みモデルで作られています。"
                "`briefing index` で作り直すか、BRIEFING_EMBEDDER を元に戻してください。")
    if isinstance(err, StoreError):
        return ("索引を読み込めませんでした（壊れているか、作成が途中で止まった可能性があります）。"
                "`briefing index` を実行して作り直してから、ページを再読み込みしてください。")
    if isinstance(err, DocumentError):
        return (f"コーパスの文書 {err.path} の項目「{err.field}」に誤りがあります。"
                "`briefing corpus check` で確認して直してから、ページを再読み込みしてください。")
    if isinstance(err, QueryError):
        if "empty" in text:
            return "質問が空です。質問を入力してください（例：公金受取口座の誤登録は市の責任ですか？）。"
        if "too long" in text:
            return "質問が長すぎます。要点を短くまとめて、もう一度入力してください。"
        return "この質問は受け付けられませんでした。言い換えてもう一度入力してください。"
    if isinstance(err, ConfigError):
        return "設定に誤りがあります（briefing.toml または BRIEFING_* の環境変数）。設定を見直してから再起動してください。"
    return "処理中に問題が起きました。もう一度お試しください。続く場合は管理者に連絡してください。"


def show_error(err: BriefingError) -> None:
    st.error(error_message(err), icon=":material/error:")
    with st.expander("技術的な詳細（管理者向け）"):
        st.code(mask_my_number(str(err)), language=None)


PRIVACY_NOTE = ("個人番号（マイナンバー）や氏名・住所などの個人情報は入力しないでください。"
                "個人番号と思われる12桁の数字は、処理の前に自動で伏せ字にします。")


def masked_notice(what: str = "質問") -> str:
    return (f"{what}に個人番号（マイナンバー）と思われる12桁の数字があったため、伏せ字（{MASK}）にしてから"
            "処理しました。元の数字は保存していません。個人番号は入力しないでください。")


def privacy_caption() -> None:
    st.caption(PRIVACY_NOTE, help="12桁のうち末尾の検査用数字が正しいものを個人番号とみなして伏せます。")


def scrub_state(key: str) -> bool:
    """Mask a text widget's value in session state before the widget is drawn again; True if it had one."""
    value = st.session_state.get(key)
    if isinstance(value, str) and contains_my_number(value):
        st.session_state[key] = mask_my_number(value)
        return True
    return False


VERDICT_LABELS = {"yes": "はい", "no": "いいえ", "partial": "一部"}
BASIS_NOTES = {"map": "判断の根拠：責任の整理（資料から作った表）",
               "sentence": "判断の根拠：引用した資料の記述",
               "framing": "この はい／いいえ は資料が直接には述べていないため、質問の前提と資料の記述から推定したものです。"
                          "下の理由と出典を確かめてください。",
               "examples": "この はい／いいえ は資料が直接には述べていないため、よく似た質問に対する確認済みの判断から"
                           "推定したものです。下の理由と出典を確かめてください。"}


def verdict_box(ans) -> None:
    """The direct answer first: the summary with its passage numbers, the coverage note, and how
    the yes/no was reached."""
    concl = [s for s in (ans.sections[0].sentences if ans.sections else [])
             if s.citations or s.text != ans.coverage_note]   # the coverage note is shown below, once
    text = "".join(f"{s.text}{''.join(f'[{n}]' for n in s.citations)}" for s in concl) or ans.summary
    with st.container(border=True):
        if ans.verdict:
            st.badge(f"結論：{VERDICT_LABELS[ans.verdict]}", color="blue")
        st.markdown(f"**{text}**")
        if ans.coverage == "partial":
            st.warning(ans.coverage_note or "資料はこの質問の一部にしか答えていません。", icon=":material/info:")
        if ans.verdict and ans.verdict_basis:
            st.caption(BASIS_NOTES.get(ans.verdict_basis, ""))
        if ans.as_of:
            st.caption(f"資料の基準日：{ans.as_of}（根拠とした資料のうち最も新しい日付）")
        for s in getattr(ans, "superseded", None) or []:   # an old version is cited: name the new one
            st.warning(superseded_notice(s), icon=":material/update:")


def cause_badge(cause) -> None:
    if not cause or cause.type in ("", "none"):
        return
    label = CAUSE_LABELS.get(cause.type, cause.type)
    st.badge(f"原因の型：{label}", color=CAUSE_COLORS.get(cause.type, "gray"))
    if cause.explanation:
        st.caption(cause.explanation)


def responsibility_card(responsibility, citations) -> None:
    if not responsibility:
        return
    titles = {c.n: c.title for c in citations}
    with st.container(border=True):
        st.markdown("**責任の所在**（主な責任者から順に）")
        for i, r in enumerate(responsibility, 1):
            st.markdown(f"**{i}. {ACTORS.get(r.actor, r.label or r.actor)}**")
            lines = []
            if r.role:
                lines.append(f"法的な役割：{r.role}")
            if r.scope:
                lines.append(f"範囲：{r.scope}")
            if r.citations:
                lines.append("根拠：" + "　".join(_grouped(r.citations, titles)))
            if lines:
                st.caption("  \n".join(lines))


def _grouped(numbers: list[int], titles: dict[int, str]) -> list[str]:
    """[1][2] 表題A　[3] 表題B: one mention per document, however many passages it gave."""
    by_title: dict[str, list[int]] = {}
    for n in numbers:
        by_title.setdefault(titles.get(n, ""), []).append(n)
    return [f"{''.join(f'[{n}]' for n in ns)} {t}".rstrip() for t, ns in by_title.items()]


def _quote_block(text: str) -> str:
    return "  \n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def citation_list(citations) -> None:
    if not citations:
        return
    st.markdown("**出典**")
    for c in citations:
        loc = f" {c.locator}" if c.locator and c.locator not in c.title else ""
        with st.expander(f"[{c.n}] {c.title}{loc}"):
            st.markdown(_quote_block(c.quote))
            meta = [f"種別：{KIND_LABELS.get(c.kind, c.kind)}", f"発出者：{c.issuer}" if c.issuer else "",
                    f"日付：{c.date}" if c.date else "", f"箇所：{c.locator}" if c.locator else "",
                    f"見出し：{' ＞ '.join(c.heading_path)}" if c.heading_path else ""]
            st.caption("　".join(m for m in meta if m))
            st.caption(f"出典：{c.source}")
