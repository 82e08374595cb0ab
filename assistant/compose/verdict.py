"""The summary: a direct answer composed from the responsibility map, every sentence with the
passages its cells rest on.

The wording is fixed Japanese built from the map's cells (party, legal role, scope, the city's
share, cause type); the mechanism and figures are stated with the sentences that carry them.
`text` arguments read a quote's sentence from the store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.index.affairs import AffairRow, FigureRow, Quote
from assistant.values import ACTOR_NAMES, ACTORS

from .answer_type import TYPES, expected
from .evidence import content_nouns

VERDICT_WORDS = {"yes": "はい。", "no": "いいえ。", "partial": "一部です。"}
NOT_CITY = "市区町村ではない"   # the talk's point, in the words a mayor repeats: the party, not the city
BY_AFFAIR = "事務ごとに異なります。"   # after 一部です, where the verdicts differ by affair
BY_AFFAIR_WHO = "責任の所在は事務ごとに異なる。"   # who, across affairs that different parties carry
CAUSE_WORDING = {
    "operational": "技術的な欠陥ではなく、運用の問題（事務処理の誤り）です",
    "technical": "技術的な問題（システムや本人確認の方式の問題）です",
    "institutional": "個々の事務処理の誤りというより、制度の問題です",
    "mixed": "運用の問題と技術的な問題が重なった複合型の問題です",
}
TECH_WORDING = {
    "operational": "技術的な問題ではなく、運用の問題（事務処理の誤り）です",
    "technical": "技術的な問題です",
    "institutional": "技術的な問題ではなく、制度の問題です",
    "mixed": "運用の問題と技術的な問題が重なった複合型の問題です",
}


@dataclass
class Claim:
    text: str
    quotes: list[Quote] = field(default_factory=list)
    candidate: object = None   # a quoted sentence (evidence.Candidate) instead of map cells


def unprefixed(text: str) -> str:
    """The sentence without the verdict that `lead_with` or `cross` put in front of it."""
    for w in VERDICT_WORDS.values():
        if text.startswith(w):
            return text[len(w):].removeprefix(BY_AFFAIR)
    return text


def lead_with(verdict: str | None, claims: list[Claim]) -> list[Claim]:
    """はい／いいえ／一部 in front of the first claim, unless it is there already."""
    if verdict and claims and not claims[0].text.startswith(tuple(VERDICT_WORDS.values())):
        claims[0] = Claim(VERDICT_WORDS[verdict] + claims[0].text, claims[0].quotes, claims[0].candidate)
    return claims


def short(actor: str) -> str:
    label = ACTORS.get(actor, actor)
    return label if actor == "prime_minister" else label.split("（")[0]


def lies_with(actor: str, note: str = "") -> str:
    """「…内閣総理大臣にある（デジタル庁。…）」: the plain statement the talk makes, with the party's
    parenthetical (and `note`) after 「にある」 rather than between the party and it."""
    name, _, rest = short(actor).partition("（")
    inside = "。".join(x for x in (rest.rstrip("）"), note) if x)
    return f"{name}にある（{inside}）" if inside else f"{name}にある"


def _role_quotes(row: AffairRow) -> list[Quote]:
    return row.primary.quotes if row.primary else []


def plain(text: str) -> str:
    """A cell without its parenthetical detail: 「個人番号利用事務実施者（手帳の交付事務の実施者）」→「個人番号利用事務実施者」."""
    out = text
    while True:
        stripped = re.sub(r"（[^（）]*）|\([^()]*\)", "", out)
        if stripped == out:
            return stripped.strip()
        out = stripped


def _stated(quotes: list[Quote], text) -> str:
    """The sentence the first quote points at ("" without quotes or a way to read them)."""
    return (text(quotes[0]) or "") if text is not None and quotes else ""


def who(row: AffairRow, with_basis: bool = False, text=None) -> list[Claim]:
    p = row.primary
    if p is None:
        return []
    out = holder(row, text)
    if p.actor != "municipality":
        out.append(city_share(row, text))
    if with_basis and p.basis:
        out.append(Claim(f"{short(p.actor)}がこの役割を負う根拠は{p.basis}です。", p.quotes))
    return [c for c in out if c.quotes]


def holder(row: AffairRow, text=None) -> list[Claim]:
    """Who carries the affair. The sources' own sentence for the cell when it states the
    responsibility (「…責任は、…医療保険者にある。」), followed by the party's legal role when that
    sentence does not name it; otherwise a sentence built from the cell."""
    p = row.primary
    role, scope = plain(p.role), plain(p.scope)
    stated = _stated(p.quotes, text)
    if "責任" in stated:
        if not role or role in stated:
            return [Claim(stated, p.quotes[:1])]
        return [Claim(stated, p.quotes[:1]), Claim(f"{short(p.actor)}は、{scope + 'の' if scope else ''}{role}です。", p.quotes)]
    party = lies_with(p.actor, NOT_CITY if p.actor != "municipality" else "")
    if role and scope:
        sentence = f"{row.label}の責任は、{scope}の{role}である{party}。"
    elif role:
        sentence = f"{row.label}の責任は、{role}である{party}。"
    else:
        sentence = f"{row.label}の責任は、主に{party}。"
    return [Claim(sentence, p.quotes)]


def city_share(row: AffairRow, text=None) -> Claim:
    """The city's share: the corpus sentence that states it when there is one, else a sentence
    built from the cell."""
    if stated := _stated(row.city_quotes, text):
        return Claim(stated, row.city_quotes[:1])
    if row.city_share == "own":
        return Claim(f"{row.label}は市区町村自身が実施者となる事務であり、責任は市にある。",
                     row.city_quotes or _role_quotes(row))
    if row.city_share == "support":
        scope = plain(row.city_share_note) or plain(next((r.scope for r in row.roles if r.actor == "municipality"), ""))
        return Claim(f"市区町村の責任は、{scope or '引き受けた支援'}の範囲に限られます。", row.city_quotes)
    return Claim("市区町村はこの事務の実施者ではなく、市区町村の分担はありません。", row.city_quotes)


def fault_verdict(verdict: str | None, party: str, row: AffairRow, text=None) -> list[Claim]:
    """A yes/no about one party's fault in one affair: the verdict, then that party's share
    (the city's share first when the question is about the city), then who holds the affair.
    With no verdict (「では市の責任は？」) the same order answers a question about one party's share."""
    p = row.primary
    if p is None:
        return []
    held = [c for c in holder(row, text) if c.quotes]
    share = [c for c in [city_share(row, text)] if c.quotes] if p.actor != "municipality" else []
    if share and verdict == "partial" and row.city_share_except and text is not None:
        # 一部 because some kinds of city carry the affair themselves: the sentence saying which follows
        share += [Claim(t, [q]) for q in row.city_quotes[1:2] if (t := text(q))]
    if party == "municipality":
        claims = share + held
    elif party and party != p.actor:
        claims = held
    else:
        claims = held + share
    return lead_with(verdict, claims)


def why(row: AffairRow, text) -> list[Claim]:
    out = []
    if row.cause in CAUSE_WORDING and (row.cause_quotes or row.mechanism):
        out.append(Claim(f"{row.label}の原因は、{CAUSE_WORDING[row.cause]}。", row.cause_quotes or row.mechanism))
    return out + mechanism(row, text)


def mechanism(row: AffairRow, text) -> list[Claim]:
    """How the failure came about, in the sources' sentences (up to three: both halves of a mixed
    cause, each step of a clerical one)."""
    return [Claim(text(q), [q]) for q in row.mechanism[:3]]


def tech(verdict: str | None, row: AffairRow, text) -> list[Claim]:
    lead = VERDICT_WORDS.get(verdict or "", "")
    out = []
    if row.cause in TECH_WORDING and (row.cause_quotes or row.mechanism):
        out.append(Claim(f"{lead}{row.label}は、{TECH_WORDING[row.cause]}。", row.cause_quotes or row.mechanism))
    return out + mechanism(row, text)


def same_answer(ask: str, earlier: AffairRow, row: AffairRow, differs: bool = False) -> str:
    """Whether the earlier question gets the same answer for this affair (or, `differs`, another):
    the same cause type for a why or technical-or-operational question (a mixed cause shares part of
    either), else the same responsible party."""
    if ask in ("why", "tech_ops"):
        a, b = earlier.cause, row.cause
        if a != b and "mixed" in (a, b) and "none" not in (a, b):
            return "partial"
        same = a == b
    else:
        p, q = earlier.primary, row.primary
        same = bool(p and q and p.actor == q.actor)
    return "yes" if same != differs else "no"


def figures(row: AffairRow, measures: list[str] | None = None, limit: int = 3, question: str = "",
            local: bool = False, text=None) -> list[Claim]:
    """The newest official figure of each measure first, then earlier and press-reported ones, labelled.
    With a question, the measures it speaks of come first (「誤って紐付けられた人は何人か」 → the count
    of errors, not the count of bodies that queried carelessly). Asked about this city (`local`), a count
    of the municipalities concerned follows: the national figure closest to whether the city is one."""
    out = []
    chosen = measures or asked_measures(row, question)[:2]
    if local and not measures:   # … then how many municipalities they concern: whether this city could be one
        chosen += [m for m in asked_measures(row, question) if m not in chosen and _counts_municipalities(row, m)][:1]
    for measure in chosen:
        group = [f for f in row.figures if f.measure == measure]
        for f in group[:limit]:
            out.append(Claim(_figure_sentence(f, text), f.quotes))
    # one sentence stating two measures (「点検件数は約8,208万件、紐付け誤りは8,351件」) is said once
    return [c for i, c in enumerate(out) if c.quotes and c.text not in (x.text for x in out[:i])]


# How national figures count municipalities (「332自治体」「6市区町村」): the city's names in the vocabulary
_MUNICIPALITIES = re.compile("|".join(map(re.escape, ACTOR_NAMES["municipality"])))


def _counts_municipalities(row: AffairRow, measure: str) -> bool:
    return any(_MUNICIPALITIES.search(f"{measure} {f.value}") for f in row.figures if f.measure == measure)


def asked_measures(row: AffairRow, question: str = "") -> list[str]:
    """The row's measures, those sharing most topical words with the question first (stable otherwise)."""
    measures = list(dict.fromkeys(f.measure for f in row.figures))
    if not question:
        return measures
    q = set(content_nouns(question))   # nouns: 「する」「いる」 say nothing about which measure
    kinds = expected(question)

    def fit(m: str) -> tuple[int, int, int]:
        group = [f for f in row.figures if f.measure == m]
        unit = any(TYPES[k][1].search(" ".join(f.value for f in group)) for k in kinds)   # 「何件」: a count in 件
        official = any(f.latest and f.status != "reported" for f in group)   # the latest official figure leads …
        return len(q & set(content_nouns(m))) + int(official), int(unit), int(official)   # … and wins a tie
    return sorted(measures, key=lambda m: fit(m), reverse=True)


def _figure_sentence(f: FigureRow, text=None) -> str:
    """The source's own sentence stating the figure, labelled (latest, earlier or press-reported, with
    issuer and date); a sentence built from the cell when the quote does not state the value."""
    when = f"{f.as_of.year}年{f.as_of.month}月{f.as_of.day}日"
    kind = "中間報告" if f.status == "interim" else "公式発表"
    stated = _stated(f.quotes, text).strip().lstrip("-・*　 ").removesuffix("。")
    number = re.search(r"[0-9][0-9,.]*", f.value)
    measure = set(content_nouns(f.measure))
    # … a sentence that says what it counts (「2023年5月23日時点の累計は7,372件となった」 does not say of what)
    if stated and number and number.group() in stated and len(measure & set(content_nouns(stated))) >= min(2, len(measure)):
        if f.status == "reported":   # the source's own 「（報道等による）」 gives way to the label
            return f"{stated.replace('（報道等による）', '')}（{when}時点、報道による数字で公式発表ではありません）。"
        return f"{stated}（{'最新' if f.latest else 'それ以前'}の{kind}、{f.issuer}、{when}）。"
    if f.status == "reported":
        return f"{f.measure}は{f.value}と報じられています（{when}時点、報道による数字で公式発表ではありません）。"
    if f.latest:
        return f"{f.measure}は{f.value}です（最新の{kind}、{f.issuer}、{when}）。"
    return f"それ以前の{kind}では{f.value}でした（{f.issuer}、{when}）。"


def local_source(row: AffairRow) -> Claim | None:
    """Where this city's own figure would come from: the party that holds the affair's information."""
    h = row.holder()
    if h is None or not h.quotes:
        return None
    if h.actor == "municipality":
        return Claim(f"本市の状況は、市自身が保有する{plain(h.scope) or row.label}の記録で確かめる必要があります。",
                     h.quotes)
    return Claim(f"本市に関わる件数や事案は、情報を保有する{short(h.actor)}（{plain(h.scope) or row.label}）に"
                 "確かめる必要があります。", h.quotes)


def local_check(row: AffairRow, text) -> list[Claim]:
    """How this city checks its own facts of the affair, in the sources' sentence (front matter
    `affair.local_evidence`): 「…窓口での誤登録が判明した場合はまずデジタル庁に報告することになる。」"""
    stated = _stated(row.local_quotes, text)
    return [Claim(stated, row.local_quotes[:1])] if stated else []


def cross(rows: list[AffairRow], verdict: str | None = None, limit: int = 5) -> list[Claim]:
    """Several affairs: who holds each and the city's share, one sentence per affair."""
    out = []
    for row in rows[:limit]:
        p = row.primary
        if p is None or not p.quotes:
            continue
        share = {"own": "市自身の事務", "support": f"市は{plain(row.city_share_note) or '支援'}の範囲のみ",
                 "none": NOT_CITY}[row.city_share]
        out.append(Claim(f"{row.label}の責任は{lies_with(p.actor, share)}。", p.quotes + row.city_quotes[:1]))
    if out and verdict:   # 「事務ごとに異なります」 only where the verdicts differ by affair
        out[0] = Claim(VERDICT_WORDS[verdict] + (BY_AFFAIR if verdict == "partial" else "") + out[0].text,
                       out[0].quotes)
    elif len(out) > 1 and len({r.primary.actor for r in rows[:limit] if r.primary}) > 1:
        out[0] = Claim(BY_AFFAIR_WHO + out[0].text, out[0].quotes)   # 「いちばん悪いのはどこか」: no one party
    return out
