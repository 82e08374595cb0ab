"""評価: the latest eval report (reports/eval/report.json): metrics against thresholds, each case."""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from assistant.present.app.resources import ROOT
from assistant.settings import get_settings

_MAX_BY_NAME = ("latency", "forbidden", "_rate", "error")  # flat thresholds: these are ceilings


def report_path() -> Path | None:
    """The `eval_report` setting (BRIEFING_EVAL_REPORT), here or in the project folder."""
    report = get_settings().eval_report
    candidates = [report] if report.is_absolute() else [report, ROOT / report]
    return next((p for p in candidates if p.is_file()), None)


def threshold_rows(metrics: dict, thresholds: dict) -> list[dict]:
    """Accepts {"min": {...}, "max": {...}} (what `briefing eval` writes) or a flat {name: value}."""
    if "min" in thresholds or "max" in thresholds:
        limits = {**{k: (">=", v) for k, v in thresholds.get("min", {}).items()},
                  **{k: ("<=", v) for k, v in thresholds.get("max", {}).items()}}
    else:
        limits = {k: ("<=" if any(s in k for s in _MAX_BY_NAME) else ">=", v) for k, v in thresholds.items()}
    rows = []
    for name in list(metrics) + [k for k in limits if k not in metrics]:
        value, (op, limit) = metrics.get(name), limits.get(name, (None, None))
        ok = None if op is None or value is None else (value >= limit if op == ">=" else value <= limit)
        rows.append({"指標": name, "値": value, "基準": f"{'≥' if op == '>=' else '≤'} {limit}" if op else "",
                     "判定": "—" if ok is None else ("○ 合格" if ok else "× 不合格")})
    return rows


def render() -> None:
    st.title("評価")
    st.caption("評価セット（evals/）で回答の質を測った最新の結果です。")
    path = report_path()
    if path is None:
        st.info("評価の結果がまだありません。`make test` または `briefing eval` を実行すると、"
                "reports/eval/report.json ができてここに表示されます。")
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        metrics, cases = dict(data.get("metrics") or {}), list(data.get("cases") or [])
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        st.error(f"評価の結果（{path}）を読めませんでした。`briefing eval` をもう一度実行してください。（{exc}）")
        return
    passed = data.get("passed")
    (st.success if passed else st.error)(
        f"{'合格' if passed else '不合格'}：基準を{'すべて満たしています' if passed else '満たしていない指標があります'}。"
        f"　作成 {str(data.get('generated_at', '—')).replace('T', ' ')[:19]}"
        + (f"　埋め込みモデル {data['embedder']}" if data.get("embedder") else ""))
    for f in data.get("failures") or []:
        st.caption(f"基準未達：{f}")
    st.subheader("指標と基準")
    rows = threshold_rows(metrics, data.get("thresholds") or {})
    st.dataframe(rows, hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)
    holdout = path.parent / "holdout" / "report.json"
    if holdout.is_file():
        try:
            h = json.loads(holdout.read_text(encoding="utf-8"))
            st.subheader("凍結した検証セット（holdout）")
            st.caption("開発に使っていない、別の担当者が先に書いて固定した質問での結果です。調整には使いません。")
            hrows = threshold_rows(dict(h.get("metrics") or {}), h.get("thresholds") or {})
            st.dataframe(hrows, hide_index=True, width="stretch", height=35 * (len(hrows) + 1) + 3)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            st.caption(f"検証セットの結果（{holdout}）を読めませんでした：{exc}")
    failed = [c for c in cases if not c.get("passed")]
    st.subheader(f"ケース（合格 {len(cases) - len(failed)} / 全 {len(cases)}）")
    only_failed = st.toggle("不合格のケースだけを表示", value=bool(failed), key="eval_only_failed")
    shown = failed if only_failed else cases
    if not shown:
        st.info("表示するケースはありません。")
        return
    st.dataframe([{"id": c.get("id"), "質問": c.get("question"), "判定": "○ 合格" if c.get("passed") else "× 不合格",
                   "理由": "；".join(c.get("reasons") or []), "タグ": "、".join(c.get("tags") or [])} for c in shown],
                 hide_index=True, width="stretch", column_config={
                     "id": st.column_config.TextColumn(width="small"),
                     "質問": st.column_config.TextColumn(width="large"),
                     "理由": st.column_config.TextColumn(width="large")})


if __name__ == "__main__":
    render()
