"""責任の整理: the responsibility map as a table (affair × 実施者 × the city's share × cause), every
cell with the passages it rests on; a one-page handout in Word or Markdown."""
from __future__ import annotations

import streamlit as st

from assistant.present import handout
from assistant.present.app.resources import briefing_or_stop


def render() -> None:
    b = briefing_or_stop()
    st.title("責任の整理")
    st.caption("事務ごとに、個人番号利用事務実施者（法律上の責任者）、市の分担、原因の型を、登録された資料から整理した表です。"
               "各欄の [n] は下の出典の番号です。")
    h = handout.build(b.store.affairs, b.store.chunks)
    if not h.rows:
        st.info("索引に事務・事案の整理がありません。事案の文書（kind: incident）を追加して索引を更新してください。",
                icon=":material/info:")
        return
    st.dataframe(handout.table_rows(h), hide_index=True, width="stretch")
    st.caption(f"資料の基準日：{h.as_of}")
    cols = st.columns(2)
    cols[0].download_button("Word で保存（配布用1枚）", handout.to_docx(h), file_name="責任の整理.docx",
                            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            icon=":material/download:", key="map-docx")
    cols[1].download_button("Markdown で保存", handout.to_markdown(h).encode("utf-8"), file_name="責任の整理.md",
                            mime="text/markdown", icon=":material/download:", key="map-md")
    st.subheader("事務ごとの根拠")
    for row in h.rows:
        with st.expander(row.label):
            st.markdown(f"**個人番号利用事務実施者**：{row.holder} {handout.marks(row.cites['holder'])}")
            if row.basis:
                st.markdown(f"**法的根拠**：{row.basis}")
            if row.info_processing:
                st.markdown(f"**情報と処理**：{row.info_processing}")
            st.markdown(f"**市の分担**：{row.city_share} {handout.marks(row.cites['city_share'])}")
            st.markdown(f"**原因の型**：{row.cause} {handout.marks(row.cites['cause'])}")
            if row.mechanism:
                st.caption(f"どのように起きたか：{row.mechanism}")
            if row.figure:
                st.markdown(f"**最新の公式な数字**：{row.figure} {handout.marks(row.cites['figure'])}")
    st.subheader("出典")
    for group, _ in handout.by_document(h):
        with st.expander(handout.source_heading(group)):
            for x in group:
                st.markdown(f"[{x.n}]")
                st.markdown(f"> {x.quote}")


if __name__ == "__main__":
    render()
