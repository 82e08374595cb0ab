"""資料: browse and filter the corpus, read a document (with its line of versions), see what the
index holds, and add the city's own documents (site_docs.py)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from assistant.errors import BriefingError
from assistant.present.app import components as ui
from assistant.present.app import site_docs
from assistant.present.app.auth import current_actor
from assistant.present.app.resources import briefing_or_stop, corpus_dirs, reload_briefing
from assistant.present.press import KIND_LABELS
from assistant.values import ACTORS, CAUSE_LABELS


@st.cache_data(show_spinner="資料を読み込んでいます…")
def load_documents(dirs: tuple[str, ...], stamp: str) -> list[dict]:
    """Documents as plain dicts (cached per index build: `stamp` is the manifest's built_at)."""
    from assistant.load import load_corpus
    docs = load_corpus([Path(d) for d in dirs]).documents
    return [{**d.meta.model_dump(mode="json"), "body": d.body, "path": d.path} for d in docs]


def documents_from_chunks(chunks) -> list[dict]:
    """When the corpus folder is not at hand, rebuild each document from its indexed chunks."""
    by_doc: dict[str, list] = {}
    for c in chunks.values():
        by_doc.setdefault(c.doc_id, []).append(c)
    out = []
    for parts in by_doc.values():
        parts.sort(key=lambda c: c.position)
        body = "\n\n".join(f"## {' ＞ '.join(c.heading_path)}\n\n{c.text}" if c.heading_path else c.text for c in parts)
        out.append({**parts[0].meta.model_dump(mode="json"), "body": body, "path": ""})
    return out


def index_stats(b, docs: list[dict]) -> None:
    m = b.store.manifest or {}
    st.subheader("索引の状態")
    c = st.columns(4)
    c[0].metric("文書", m.get("documents", 0))
    c[1].metric("チャンク", m.get("chunks", 0))
    c[2].metric("種別", len(m.get("kinds") or {}))
    c[3].metric("作成日", (m.get("built_at") or "—")[:10])
    st.caption(f"埋め込みモデル：{m.get('embedder', '—')}（{m.get('dim', '?')} 次元）　"
               f"作成日時：{(m.get('built_at') or '—').replace('T', ' ')[:19]}")
    per_kind = {}
    for d in docs:
        per_kind[d["kind"]] = per_kind.get(d["kind"], 0) + 1
    rows = [{"種別": KIND_LABELS.get(k, k), "文書数": per_kind.get(k, 0), "チャンク数": n}
            for k, n in sorted((m.get("kinds") or {}).items(), key=lambda kv: -kv[1])]
    st.dataframe(rows, hide_index=True, width="content")
    if b.store.corpus_changed():
        st.warning("索引を作った後でコーパスのファイルが変わっています。下の「索引を更新」を押すと反映されます。")
    with st.expander("索引の管理"):
        st.caption("コーパス（corpus/）に文書を足したり直したりしたら、索引を更新してください。数秒〜数十秒かかります。")
        actor = current_actor()
        may = actor is not None and actor.role.can_edit
        if not may:
            st.caption("索引の更新には「編集」以上の権限が必要です。")
        if st.button("索引を更新", key="reindex", disabled=not may):
            try:
                with st.spinner("索引を更新しています…"):
                    r = b.index(corpus_dirs(), progress=False)
            except BriefingError as err:
                ui.show_error(err)
                return
            reload_briefing()
            load_documents.clear()
            st.success(f"索引を更新しました：{r.documents} 文書、{r.chunks} チャンク（追加 {r.added}、削除 {r.removed}）。")


def filtered(docs: list[dict]) -> list[dict]:
    c1, c2, c3 = st.columns([2, 2, 3])
    kinds = c1.multiselect("種別", [k for k in KIND_LABELS if any(d["kind"] == k for d in docs)],
                           format_func=KIND_LABELS.get, placeholder="すべて", key="lib_kinds")
    issuers = c2.multiselect("発出者", sorted({d["issuer"] for d in docs}), placeholder="すべて", key="lib_issuers")
    text = c3.text_input("本文・表題で検索", key="lib_text", placeholder="例：ログアウト、第14条、保険者").strip()
    out = [d for d in docs if (not kinds or d["kind"] in kinds) and (not issuers or d["issuer"] in issuers)
           and (not text or text.lower() in f"{d['title']}\n{d['body']}\n{d.get('locator') or ''}".lower())]
    return sorted(out, key=lambda d: (d["kind"], d["date"], d["id"]))


def version_line(d: dict, successors) -> None:
    """Where the document stands in its line of versions (front matter `supersedes`)."""
    chain = successors.chain(d["id"])
    if len(chain) < 2:
        return
    later = successors.later(d["id"])
    steps = "　→　".join(f"**{m.title}**（{m.date}）" if m.id == d["id"] else f"{m.title}（{m.date}）" for m in chain)
    if later:
        st.warning(f"この資料は『{later[0].title}』（{later[0].date}、{later[0].id}）に置き換えられています。"
                   "回答でこの資料が引用されると、そのことが示されます。", icon=":material/update:")
    st.markdown(f"**版の系列**（古い順）：{steps}")


def show_document(d: dict, successors=None) -> None:
    with st.container(border=True):
        st.markdown(f"### {d['title']}")
        if successors is not None:
            version_line(d, successors)
        meta = {"種別": KIND_LABELS.get(d["kind"], d["kind"]), "発出者": d["issuer"], "日付": d["date"],
                "箇所": d.get("locator") or "", "出典": d["source"], "id": d["id"],
                "責任主体": "、".join(ACTORS.get(a, a) for a in d.get("actors") or []),
                "原因の型": CAUSE_LABELS.get(d.get("cause") or "", "") if d.get("cause") else "",
                "確度": {"sure": "確実", "likely": "おおむね確実", "unsure": "未確認"}.get(d.get("confidence") or "", ""),
                "トピック": "、".join(d.get("topics") or []), "ファイル": d.get("path") or ""}
        st.markdown("\n".join(f"- **{k}**：{v}" for k, v in meta.items() if v))
        st.divider()
        st.markdown(d["body"])


def render() -> None:
    st.title("資料")
    st.caption("回答の根拠になる資料（法令・通知・事案・分析）の一覧です。絞り込んで本文を読めます。")
    b = briefing_or_stop()
    try:
        dirs = tuple(str(p) for p in corpus_dirs())
        docs = load_documents(dirs, (b.store.manifest or {}).get("built_at", ""))
    except BriefingError:
        docs = []
    if not docs:
        docs = documents_from_chunks(b.store.chunks)
    index_stats(b, docs)
    listing, mine = st.tabs(["文書の一覧", "この市の資料（追加・置き換え・削除）"], key="lib_tab")
    with mine:
        site_docs.render(b, docs, on_change=load_documents.clear)
    with listing:
        document_list(b, docs)


def document_list(b, docs: list[dict]) -> None:
    st.subheader("文書の一覧")
    shown = filtered(docs)
    st.caption(f"{len(shown)} 件 / 全 {len(docs)} 件")
    if not shown:
        st.info("条件に合う文書がありません。検索語や絞り込みを変えてください。")
        return
    successors = b.searcher.successors
    st.dataframe([{"種別": KIND_LABELS.get(d["kind"], d["kind"]), "表題": d["title"], "発出者": d["issuer"],
                   "日付": d["date"], "id": d["id"],
                   "最新の版": ([""] + [m.id for m in successors.later(d["id"])])[-1]}
                  for d in shown], hide_index=True, width="stretch")
    ids = [d["id"] for d in shown]
    titles = {d["id"]: f"{d['title']}（{KIND_LABELS.get(d['kind'], d['kind'])}・{d['date']}）" for d in shown}
    pick = st.selectbox("読む文書", ids, format_func=titles.get, key="lib_doc")
    show_document(next(d for d in shown if d["id"] == pick), successors)


if __name__ == "__main__":
    render()
