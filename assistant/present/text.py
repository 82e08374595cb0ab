"""Plain-text rendering of an answer for the terminal."""
from assistant.superseded import notice
from assistant.values import ACTORS, CAUSE_LABELS


def answer_as_text(ans) -> str:
    lines = [f"■ {ans.summary}", ""]
    if ans.responsibility:
        lines.append("責任の所在: " + " → ".join(
            f"{ACTORS.get(r.actor, r.actor)}（{r.role or '役割未記載'}{'：' + r.scope if r.scope else ''}）"
            for r in ans.responsibility))
    if ans.cause and ans.cause.type != "none":
        lines.append(f"原因の型: {CAUSE_LABELS.get(ans.cause.type, ans.cause.type)}")
    lines += [f"※ {notice(s)}" for s in getattr(ans, "superseded", None) or []]
    lines += ["", ans.answer]
    return "\n".join(lines)
