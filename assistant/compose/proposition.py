"""What a yes/no question asserts, so the map can judge it: about which party, and whether it
says that party is at fault (or, negated, that it is not), or that the failure was technical.

Only grammar lives here: how a party is named, where the subject is (は・が), negation, and the
rhetorical 「…ではないか」 that asserts rather than denies. Whether a question is about fault at
all comes from the learned question type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.index.affairs import AffairRow
from assistant.normalize import normalize
from assistant.values import ACTOR_NAMES

# How a question names a party: the controlled vocabulary's names (values.ACTOR_NAMES), plus the
# short forms people use, which count only before a particle (「市の」「国が」「県は」).
_AFTER = r"(?=[のがはにもでへ側庁]|として|って|自身)"   # 「市自身が負う」 too
_SHORT: dict[str, str] = {
    "municipality": rf"本市|当市|うち(?:の市)?|わが市|我が市|市長|市職員|窓口|市{_AFTER}|(?<!市)役所{_AFTER}|私自身",   # the mayor asking
    "prime_minister": rf"総理|内閣|政府|大臣|国{_AFTER}",   # 「河野大臣」「加藤厚労大臣」: the national side
    "health_insurer": r"健保",
    "prefecture": rf"県{_AFTER}",
}
_PARTY_RE = {a: re.compile("|".join([*dict.fromkeys(re.escape(normalize(n)) for n in ACTOR_NAMES[a]),
                                     *([_SHORT[a]] if a in _SHORT else [])]))
             for a in ("municipality", "prime_minister", "health_insurer", "prefecture", "ppc", "jlis")}
_SUBJECT = re.compile(r"^(?:は|が|って|も|として|側)")
# 「…ではないか」「…じゃないの」: a rhetorical question that asserts its content.
_RHETORICAL = re.compile(r"(?:の|ん)?(?:では|じゃ)(?:ない|ありません)(?:の|ん)?(?:です)?(?:か|でしょうか|だろうか)?[。？?！!]*\s*$"
                         r"|(?:の|ん|はず)(?:では|じゃ)[。？?！!]*\s*$"   # 「…限らないのでは。」「…はずでは」: the same, cut short
                         # 「…が間違っていた、ということはないですか」: asks after X expecting it, as 「…ではないか」 does
                         r"|[、,]?(?:という|って)ことは(?:ない|ありません)(?:の|ん)?(?:です)?(?:か|でしょうか|だろうか)?[。？?！!]*\s*$")
# … and 「…でしょう」, which asserts too
_ASSERTING = re.compile(_RHETORICAL.pattern + r"|(?:でしょう?|だろう)[。？?！!]*\s*$")
# Words that put blame on a party: the subject is the party named just before one of them.
_BLAME = r"責任|悪|落ち度|過失|ミス|せい|責め|ずさん|杜撰|失態|不手際|不始末|(?<!複)雑(?=だ|な|に|で)"
_FAULT = re.compile(_BLAME + r"|非が|謝|押し付け|押しつけ")
# 「責任は全部市が負うべき」: all of it on one party (not 「すべての市町村」)
_ENTIRE = re.compile(r"全責任|(?:全部|すべて|全て|全面的に|丸ごと|一手に)(?!の)")
# Negation of the fault itself (「責任はない」「悪くない」「無関係」), not of an action (「確認しなかった」).
# 「無関係とは言えない」「責任がないとまでは言えない」「関係ないわけではない」 assert a share
# (the outer denial only: what it denies is read for negation on its own)
_DOUBLE_NEGATION = re.compile(r"と(?:まで)?(?:は|も)(?:(?:言え|いえ)(?:ない|ません)|限ら(?:ない|ず|ません))|(?<=ない)(?:わけ|こと)(?:では|じゃ)(?:ない|ありません)")
_NONE_AT_ALL = r"(?:責任|落ち度|非|過失)(?:は|が|も)?(?:ゼロ|皆無)"   # 「市の責任はゼロ」: none at all
_SOME = re.compile(r"(?:責任|非|落ち度)の一端|一端の責任|責任の一部|一部の責任")   # 「市にも責任の一端はある」: a share
_ONLY = re.compile(r"だけ|のみ|ばかり|単なる|単に|もっぱら|純粋に|純然たる")   # 「運用だけの問題」「純粋に運用の問題」: one kind of cause alone
# Whose affair it is (「本市の事務ではない」「市町村の仕事の問題ではないか」「市の所管外」): the question
# the talk turns on, put without a word of fault; a clause the asker concedes (「…だと聞いたが、」) is not it.
_OWNS = re.compile(r"の(?:事務|仕事|所管|管轄)(?:外|で|では|じゃ|だ|です|な|であ|の問題)")
_CONCEDED = re.compile(r"[^、。？?]*?(?:が|けど|けれど|ても|でも|ので|から)[、,]")
_TOPIC = r"(?:は|が|も|って)"   # って: the spoken topic marker (「間違って登録されたものってあるの？」)
_EXISTS = re.compile(rf"(?:例|事例|ケース|実例|人|者|もの){_TOPIC}(?:ある|あった|あります|ありました|出て|いる|いた|いま|おり)")   # 「…人はいるのか」 too
# 「うちの市に住んでる人も別人の番号をつけられてたの？」: whether it happened to people (…人・…者・…民・…員), in the passive
_AFFECTED = re.compile(rf"(?:人|者|民|員){_TOPIC}[^。？?]*?(?:られ|され)(?:て|で)?(?:い|る|た)")
_COMPARES = re.compile(r"同じ|共通|違|異な|比べ|似")
_LIKE = r".{0,2}?(?:みたい|よう)"   # 「保険証みたいな誤り」 likens to an affair; 「うちみたいな市」 does not
_ABSOLUTE = re.compile(r"全く|まったく|一切|いっさい|少しも|何も|何の[^。、？?]{1,6}?も|全然|ゼロ|皆無")   # 「責任はゼロ」 too
_EXCUSE = r"仕方(?:が|の)?な|やむを得|止むを得"   # 「仕方がなかった」 excuses the party
# 「細心の注意を払っていたが防げなかった」「避けようがなかった」: the past error called unavoidable excuses it too
_UNAVOIDABLE = re.compile(r"防げなかっ|防ぎよう(?:が|も)な|避けられなかっ|避けよう(?:が|も)な|不可抗力")
_NEGATION = re.compile(rf"(?:{_BLAME}|誤り|非|関係|関わ[っら]?|問題|関与|欠陥|不具合|事務|仕事|所管)(?:[^。、？?]{{0,6}}?|[^。、？?]{{0,6}}わけで(?:は|も))"
                       rf"(?:ない|なく|なかっ|無い|無く|無かっ|ありません|ございません)|無関係|所管外|{_EXCUSE}|{_NONE_AT_ALL}"
                       r"|わけ(?:では|じゃ)(?:ない|なく|なかっ|ありません)")   # 「壊れていたわけではない」: whatever it denies
# Putting blame elsewhere (「国のせいにして逃げている」「責任を押しつけた」): the question accuses its
# subject of evading, which holds only where the affair is the subject's own.
_SHIFT = re.compile(r"せいに(?:する|して|した|しよう)|責任逃れ|転嫁|押し付け|押しつけ|言い逃れ|逃げ(?:て|る|た)|(?:責任|責め)を免れ(?!ない|ず|ません|得ない|られない)")
# Apologising (「市が先に謝るべきか」「頭を下げるべきなのか」): the party that holds the affair apologises;
# one that only helped with it does not, in the talk's view, apologise first or alone.
_APOLOGY = re.compile(r"謝|詫び|わび|頭を下げ")
# Keeping the information (「市役所に私の口座情報は保管されているのか」): the information/processing split.
_HOLDS = re.compile(r"保管|保有|(?:情報|データ|記録|口座)[^。、？?]{0,8}(?:持って|管理して|預かって|照会して|訂正|閲覧)")   # … or reach it
_NOT_HELD = re.compile(r"し?て?(?:い|お)?(?:ない|なかっ|ません|ず)")   # 「持っていない」「保有していない」, at the verb
_TECHNICAL = re.compile(r"技術|システム|カード|機械|不具合|欠陥|バグ|プログラム|設計|端末|機器|仕組み")
_OPERATIONAL = re.compile(r"運用|人為|事務処理|手作業|ヒューマン|人的|職員|作業")
# … and a system said to work as it should (「正常に動いていた」「ちゃんと機能していた」)
# (not 「誤作動した」, nor 「正常に動いていなかった」)
_WORKED = re.compile(r"(?:(?:動い|機能し|(?<!誤)作動し|稼働し)(?:て|た)|正常(?:だ|で|に|な))[^。？?、]{0,8}")
_NOT_WORKED = re.compile(r"(?:ない|なかっ|ません|ず)")


def _says_it_worked(text: str) -> bool:
    m = _WORKED.search(text)
    return bool(m) and not _NOT_WORKED.search(m.group(0))


# 「標準化すれば紐付け誤りは起きなくなるか」「システムを入れ替えるだけでは防げない」: a fix said to prevent the errors —
# of the kind of cause the fix is (a system fix prevents a technical failure); 「…なくなる」 is no denial, 「防げない」 is
# (a fix put as a condition — 「…すれば」「…だけでは」「…しても」 — not 「欠陥があったから防げなかった」)
_PREVENTS = re.compile(r"(?:ば|たら|なら|では|ても)[、,]?[^。？?]*?(?:防げ|防止|防ぐ|(?:起き|生じ|発生し)?(?<!要ら)(?<!いら)なくな(?!い|かっ)|解消)")
_PREVENTION_DENIED = re.compile(r"防げ(?:ない|ず|ません|なかっ)|防止でき(?:ない|ず|ません)|防ぐことはでき(?:ない|ません)"
                                r"|なくなら(?:ない|ず)|なくなりません|解消(?:しない|されない|しません)")


def _prevention(text: str) -> bool | None:
    """None: no fix is said to prevent anything; else whether its preventing is denied."""
    return bool(_PREVENTION_DENIED.search(text)) if _PREVENTS.search(text) else None


# 「…の責任で間違いないか」「…に相違ない」「…と考えて差し支えないか」: a negative word that affirms
# — and 「県の責任は免れない」「責めを逃れられない」, which assert the fault they seem to deny
_AFFIRMING = re.compile(r"(?:で|に|と)?(?:間違い|まちがい|相違|差し支え|差支え)(?:は|が|も)?(?:ない|無い|ありません|ございません)|に違いない"
                        r"|(?<=責任|責め)(?:は|を|から)?(?:免れ|逃れ(?:られ)?)(?:ない|ず|ません|得ない)")


# 「実施者はあくまで共済組合であり、本市ではない」: a party denied to be the one (not 「市ではなく」, set aside)
_NOT_THE_PARTY = re.compile("(?:" + "|".join(rx.pattern for rx in _PARTY_RE.values()) + r")(?:では|じゃ)(?:ない|なかっ|ありません)")


def _negated(text: str) -> bool:
    """Whether the assertion is denied: a denial (「責任はない」「本市ではない」), unless an outer one
    denies it in turn (「責任がないとは限らない」); an outer denial alone denies (「市の責任だとは限らない」)."""
    text = _AFFIRMING.sub("", text)
    outer = _DOUBLE_NEGATION.search(text)
    rest = _DOUBLE_NEGATION.sub("", text)
    inner = _NEGATION.search(rest) or _NOT_THE_PARTY.search(rest)
    return bool(inner) != bool(outer)


def blames(question: str) -> bool:
    """「責任」「ミス」「悪い」「謝る」「本市の事務ではない」: the question is about fault or whose affair
    it is, not about what happened."""
    q = normalize(question)
    return bool(_FAULT.search(q) or _OWNS.search(_CONCEDED.sub("", q)))


def asserts(question: str) -> bool:
    """「…ではないか」「…でしょう」: a question that asserts its premise rather than asks."""
    return bool(_ASSERTING.search(normalize(question)))


IMPLEMENTER = "implementer"   # the party a question leaves unnamed: whoever carries out the affair


@dataclass(frozen=True)
class Proposition:
    frame: str            # fault | evasion | apology | holds | technical | operational | factual
    party: str = "municipality"
    negated: bool = False
    absolute: bool = False   # 「全く」「一切」「ゼロ」: the denial claims no share at all
    some: bool = False       # 「全くないとは言えない」: denies that denial, i.e. claims some share
    only: bool = False       # 「運用だけの問題」: that kind of cause and no other
    entire: bool = False     # 「責任は全部市が負うべき」: all of it on the party
    faulted: bool = True     # the question itself speaks of fault (責任・悪い・ミス…), not only its type
    asked: str = ""          # what it asserts, less a conceded clause (「…と聞いたが、」)
    idle: bool = False       # 「責任もないし、やることも何もない」: claims too that the party has nothing to do


# 「国ではなく私自身の責任」「不具合というより運用の問題」: what is set aside is not what the question asserts
_SET_ASIDE = re.compile(r"(?:では|じゃ|で)なく|というより(?:も|は)?")
_SET_ASIDE_CLAUSE = re.compile(rf"[^、。？?]*?(?:{_SET_ASIDE.pattern})[、,]?(?=[^、。？?])")   # … and what follows


def _mentions(q: str) -> list[tuple[int, int, str]]:
    """(start, end, party) of each party named, less those set aside (「国ではなく…」)."""
    return [(m.start(), m.end(), a) for a, rx in _PARTY_RE.items() for m in rx.finditer(q)
            if not (_SET_ASIDE.match(q, m.end()) or _SET_ASIDE_PHRASE.match(q, m.end()))]


# 「受けたのは、(窓口の市区町村ではなく)デジタル庁だった」: a cleft's focus, what the question asserts
_FOCUS = re.compile(r"のは[、,]?(?:[^、。？?]{0,10}?(?:では|じゃ|で)なく[、,]?)?$")
# 「窓口の市区町村ではなく」「市の窓口ではなく」: the whole phrase is set aside, the party that heads it too
_SET_ASIDE_PHRASE = re.compile(rf"の[^、。？?はがを]{{1,8}}?(?:{_SET_ASIDE.pattern})")


def parties_named(question: str) -> list[str]:
    q = normalize(question)
    return list(dict.fromkeys(a for _, _, a in sorted(_mentions(q))))


def subject(question: str) -> str | None:
    """The party the question is about: the one named nearest before the fault it asserts
    (「…国に責任はないのか」), else the city whenever it is named (a mayor's briefing asks about the
    city's share), else the first party marked as subject (は・が), else the first named."""
    q = normalize(question)
    blamed = blamed_party(q)
    if blamed:
        return blamed
    focus = [a for start, _end, a in sorted(_mentions(q)) if _FOCUS.search(q[:start])]
    if focus:   # 「指導を受けたのは、デジタル庁だった」: the party a cleft puts in focus
        return focus[0]
    named = parties_named(q)
    if "municipality" in named:
        return "municipality"
    return marked_subject(q) or (named[0] if named else None)


def _named_before(text: str, at: int) -> str | None:
    """The party named right before position `at` (「本市の事務」: the city)."""
    before = [(m.end(), a) for a, rx in _PARTY_RE.items() for m in rx.finditer(text) if 0 <= at - m.end() <= 2]
    return max(before)[1] if before else None


def blamed_party(question: str) -> str | None:
    """The party named just before the last word of fault (「自治体の事務が雑だった」「市の責任」)."""
    q = normalize(question)
    faults = [m.start() for m in _FAULT.finditer(q)]
    if not faults:
        return None
    near = [(end, a) for _, end, a in _mentions(q) if 0 <= faults[-1] - end <= 6]
    return max(near)[1] if near else None


def marked_subject(question: str) -> str | None:
    """The first party marked as subject (は・が・って), e.g. the accused in 「自治体は国のせいにして…」."""
    q = normalize(question)
    marked = [(start, a) for start, end, a in _mentions(q) if _SUBJECT.match(q[end:])]
    return min(marked)[1] if marked else None


# 「…からでしょうか、それとも私の思い違いでしょうか」: the asker doubting themselves, not a second alternative
SELF_DOUBT = re.compile(r"[、,]?\s*それとも(?:私|わたし|僕|自分)?の?(?:思い違い|勘違い|誤解|記憶違い|考えすぎ|考え過ぎ)"
                        r"(?:です|でしょう|なの|なん)?(?:でしょう)?か?[。？?]?\s*$")


def unrhetorical(q: str) -> str:
    """The question with each sentence's rhetorical ending taken off, not only the last one's
    (「…自治体側の責任ではないのか。また、なぜ…か」 asserts the city's fault), and the asker's
    self-doubt after it (「…それとも私の思い違いでしょうか」)."""
    return "".join(_RHETORICAL.sub("", SELF_DOUBT.sub("", part)) for part in re.split(r"(?<=[。？?])", q))


_CLEFT = re.compile(rf"(?:{_APOLOGY.pattern})[^。、？?]*?の(?:は|が)")   # 「謝るべきなのは」


def apologiser(asked: str) -> str | None:
    """Whose apology the question weighs: the party of 「…大臣の謝罪」, else the one marked as subject
    where it asks (「国の発表を待たずに、市が先に謝るべきか」), not in a clause it concedes."""
    owned = [(m.start(), a) for a, rx in _PARTY_RE.items() for m in rx.finditer(asked)
             if (p := re.match(r"による|の", asked[m.end():])) and _APOLOGY.match(asked, m.end() + p.end())]
    if owned:
        return min(owned)[1]
    # 「最初に頭を下げるべきなのは国の側だ」: the party the cleft puts after 「…のは」
    cleft = _CLEFT.search(asked)
    after = [(start, a) for start, _end, a in _mentions(asked) if cleft and start >= cleft.end()]
    return min(after)[1] if after else marked_subject(asked)


# 「…の状況について市長の見解を伺います」「お答えいただきたい」: a request for an answer, which puts no question itself
_REQUEST = re.compile(r"伺|お示し|教えて|知りたい|聞かせ|説明を求め|(?:示|明らかに)されたい|お答え")
# 「…と理解してよろしいか、市長の見解を伺います」「市長に伺います。」: whom the council asks, not a party to
# what it asserts
_ADDRESSED = re.compile(rf"(?:(?<=[、。,])|^)\s*(?:市長|町長|村長|区長)[^。？?、]{{0,8}}?(?:{_REQUEST.pattern})[^。？?]*[。？?]?")


def proposition(question: str, ask: str) -> Proposition:
    """What the question asserts (see _asserted), and whether a question of fault also claims there is
    nothing to do."""
    p = _asserted(question, ask)
    return replace(p, idle=True) if p.frame == "fault" and nothing_to_do(question) else p


def _asserted(question: str, ask: str) -> Proposition:
    """What the question asserts. The frame comes from cue words: labels learned from 461 blindly
    labelled examples agreed with a human on yes/no questions in 58% of cases (5-fold CV), the cue
    words in 81% (2026-12-05), so the cue words stay."""
    q = _ADDRESSED.sub("", normalize(question)) or normalize(question)
    whole = unrhetorical(q)   # 「市のミスではないのか」 asserts 「市のミス」
    tech, ops = bool(_TECHNICAL.search(whole)), bool(_OPERATIONAL.search(whole))
    # … and, whatever its learned type, a question setting the two kinds of cause against each other with no
    # party named (「カードの欠陥ではなく、登録した機関の手作業のミスと理解してよいか」)
    rest = _SET_ASIDE_CLAUSE.sub("", whole)   # less what it sets aside (「国ではなく」「不具合というより」)
    prevents = _prevention(rest)
    if (ask == "tech_ops" or (ask in ("why", "what") and tech) or (tech and ops and not parties_named(whole))
            or (tech and prevents is not None)):
        # 「システムの不具合というより運用の問題か」: the kind the question keeps once the one it sets aside
        # is taken off; with both still there, 「システムの欠陥ではない運用の問題か」 is the technical reading, denied
        k_tech, k_ops = bool(_TECHNICAL.search(rest)), bool(_OPERATIONAL.search(rest))
        if k_tech != k_ops:
            # 「システム自体はちゃんと動いていたのか」: a system said to work is a technical fault denied
            worked = k_tech and _says_it_worked(rest)
            negated = _negated(rest) != worked if prevents is None else prevents
            return Proposition("technical" if k_tech else "operational", negated=negated, only=bool(_ONLY.search(rest)))
        if tech and not ops and not k_tech and rest != whole and prevents is None:
            # 「カードの中のデータではなく、保険者の側のデータが間違っていたということか」: the technical kind is
            # what it sets aside, and what it keeps names no kind — the technical reading, denied
            return Proposition("technical", negated=True)
        negated, only = _negated(whole) if prevents is None else prevents, bool(_ONLY.search(whole))
        if negated and only and ops:   # 「純粋に運用の問題で、システムの作りは関係ない」: operational alone, asserted
            return Proposition("operational", only=True)
        return Proposition("operational" if ops and not tech else "technical", negated=negated, only=only)
    # 「国の責任ではなく、市の責任なのか」 asserts the second party's share; 「窓口職員のミスではなく制度の
    # 問題だ」, naming no second party, denies the first's
    body = rest if parties_named(rest) else whole
    asked = _CONCEDED.sub("", body)
    negated = _negated(body)
    if _SHIFT.search(body):
        return Proposition("evasion", marked_subject(q) or "municipality", negated=False)
    # 「首相が謝罪したが、責任は総理にあるのか」 asks about fault; 「頭を下げるべきなのは市長ではなく国だ」
    # keeps its apology when the party set aside goes
    said = next((t for t in (asked, _CONCEDED.sub("", whole)) if _APOLOGY.search(t)), None)
    if said is not None:
        return Proposition("apology", apologiser(said) or "municipality", negated=False)
    named = parties_named(q)
    held = _HOLDS.search(body)
    if held and named:   # denied where the holding is said (「情報は持っていないが、処理は担った」)
        return Proposition("holds", marked_subject(q) or named[0],
                           negated=negated or bool(_NOT_HELD.match(body, held.end())))
    if re.search(_EXCUSE, body) or _UNAVOIDABLE.search(body):   # 「(県が)…したのはやむを得なかったのではないか」: whoever did it is excused
        # — the subject of the sentence that excuses, not of the story before it (「国が廃止を急いだのは事実だ。
        # 保険者にとって…誤りもやむを得なかったと見てよいのでは」)
        excusing = next((x for x in re.split(r"(?<=[。？?！!])", q) if re.search(_EXCUSE, x) or _UNAVOIDABLE.search(x)), q)
        return Proposition("fault", marked_subject(excusing) or IMPLEMENTER, negated=not _DOUBLE_NEGATION.search(body))
    if _EXISTS.search(body) or (_AFFECTED.search(body) and not _FAULT.search(body)):
        # 「…振り込まれた例はあるのか」: whether such a case exists, not whose fault
        return Proposition("factual", subject(q) or "", negated)
    # 「国保の誤登録が本市であったとしても、責任は国に求められるのか」: the party where it asserts, not where it concedes
    party = subject(asked) if asked != body and parties_named(asked) else subject(q)
    owned = [m.start() for m in _OWNS.finditer(asked)] if not _FAULT.search(body) else []
    if owned:   # 「…県の事務で起きたことであって、本市の事務ではない、という理解でよいか」
        return Proposition("fault", _named_before(asked, owned[-1]) or party or IMPLEMENTER, negated)
    total = bool(_ABSOLUTE.search(body))
    # 「責任がないとは言えない」「責任の一端はある」: some share, not the whole nor none
    denied_denial = bool(_DOUBLE_NEGATION.search(body)) and bool(_NEGATION.search(_DOUBLE_NEGATION.sub("", body)))
    absolute, some = negated and total, not negated and (denied_denial or bool(_SOME.search(body)))
    blamed = blamed_party(body)   # 「…自治体の事務が雑だったからでしょ」, whatever the question's learned type
    if (ask in ("who", "explain", "why") and party) or blamed:
        return Proposition("fault", party or blamed, negated, absolute=absolute, some=some,
                           faulted=bool(_FAULT.search(body)), asked=asked,
                           entire=not negated and bool(_ENTIRE.search(body)))
    if ask in ("who", "explain"):
        return Proposition("fault", "municipality", negated, absolute=absolute, faulted=bool(_FAULT.search(body)))
    return Proposition("factual", party or "", negated, asked=asked)


_FROM_SHARE = {"own": "yes", "support": "partial", "none": "no"}
_TECH = {"technical": "yes", "mixed": "partial", "operational": "no", "institutional": "no", "none": "no"}
_OPS = {"operational": "yes", "mixed": "partial", "technical": "no", "institutional": "no", "none": "no"}


def judge(p: Proposition, rows: list[AffairRow]) -> str | None:
    """はい/いいえ/一部 for the proposition over the affairs concerned (None: the map cannot say)."""
    # 「国保組合の誤りは市町村の国保の事例か」: one affair taken for another, whoever is named in passing
    if (p.frame == "factual" or (p.frame == "fault" and not p.faulted)) and mistaken_identity(rows, p.asked):
        return "no"
    if p.frame == "factual" or not rows:
        return None
    if p.frame == "fault" and p.negated and p.absolute and all(
            _national(p.party, r) == "municipality" and r.city_share == "none" and r.city_share_except for r in rows):
        return "partial"   # 「政令市でも中核市でもない本市は全く関係ないと言い切れるのか」: true of some kinds of city only
    if p.frame == "fault":
        votes = {_FROM_SHARE[r.share_of(_national(p.party, r))] for r in rows}
    elif p.frame in ("evasion", "apology"):   # evading, or owing the apology, only where the affair is the party's own
        votes = {"yes" if r.share_of(_national(p.party, r)) == "own" else "no" for r in rows}
    elif p.frame == "holds":
        votes = {"yes" if any(x.actor == _national(p.party, r) and x.holds in ("information", "both") for x in r.roles)
                 else "no" for r in rows}
    else:
        table = _TECH if p.frame == "technical" else _OPS
        # 「運用だけの問題か」: a mixed cause is not one kind alone
        votes = {"no" if p.only and r.cause == "mixed" else table.get(r.cause, "no") for r in rows}
    verdict = votes.pop() if len(votes) == 1 else "partial"
    if p.negated and verdict != "partial":
        verdict = "no" if verdict == "yes" else "yes"
    elif p.absolute and len(rows) == 1:   # 「市には責任が全くないのか」 where the city has a share: いいえ
        verdict = "no"
    elif p.some and len(rows) == 1 and verdict == "partial":   # 「全くないとは言えないのでは」: some share, はい
        verdict = "yes"
    elif p.entire and len(rows) == 1 and verdict == "partial":   # a share of one affair is not the whole of it
        verdict = "no"
    if p.idle and p.negated and verdict == "yes" and any(r.local_quotes for r in rows):
        verdict = "partial"   # no share, but the rows say what the city still checks (front matter local_evidence)
    return verdict


# 「うちの人事課には責任もないし、やることも何もない」「気を付けることも特にない」: nothing for the party to do
_NOTHING_TO_DO = re.compile(r"(?:やる|する|気を付ける|気をつける|注意する|点検する|確認する|見直す)(?:こと|べきこと|点)(?:も|は)?"
                            r"(?:何も|一切|全く|まったく|特に)?(?:ない|なし|不要|ありません)"
                            r"|(?:対応|点検|確認|注意)(?:も|は)?(?:何も|一切|全く|まったく|特に)?(?:不要|必要(?:ない|なし|がない|はない))")


def nothing_to_do(question: str) -> bool:
    return bool(_NOTHING_TO_DO.search(normalize(question)))


_EVERY = re.compile(r"(?:全部|すべて|全て|いずれも|どれも)(?!の)")


def of_every_kind(question: str) -> bool:
    """「一連の誤りはすべて運用の問題で…」: a claim made of every case there is (not 「カードそのものには
    何の不具合もなかった」, which says nothing of the other affairs)."""
    return bool(_EVERY.search(normalize(question)))


def mistaken_identity(rows: list[AffairRow], asked: str) -> bool:
    """Two affairs named where the question asserts (not in a clause it concedes), whose names nest
    (国民健康保険組合 ⊃ 国民健康保険) but whose responsible parties differ: whether one is the other
    is answered いいえ by the map — unless the question sets them side by side (「同じ」「違い」)."""
    if _COMPARES.search(asked) or len(rows) != 2 or not all(r.primary for r in rows) or rows[0].primary.actor == rows[1].primary.actor:
        return False
    a, b = ([normalize(t) for t in r.terms] for r in rows)
    named = [any(t in asked for t in terms) for terms in (a, b)]
    likened = any(re.search(re.escape(t) + _LIKE, asked) for t in a + b)
    return all(named) and not likened and any(x != y and (x in y or y in x) for x in a for y in b)


def _national(party: str, row: AffairRow) -> str:
    """「国」 is the row's national party: the Prime Minister where he holds the affair. An unnamed
    party (IMPLEMENTER) is the affair's own 個人番号利用事務実施者."""
    if party == IMPLEMENTER:
        return row.primary.actor if row.primary else party
    if party == "prime_minister" and not any(r.actor == "prime_minister" for r in row.roles):
        return "national_government"
    return party


_NEG_AUX = {"ない", "ぬ", "ず", "ん"}


def _morphemes(text: str):
    from sudachipy import SplitMode
    from assistant.index.lexical import _tokenizer
    return [(m.normalized_form(), m.part_of_speech()[0], m.surface(), m.dictionary_form())
            for m in _tokenizer().tokenize(normalize(text), SplitMode.C)]


def _predicates(morphs) -> dict[str, bool]:
    """Verbs and adjectives of a text → whether each is negated right after it (「直らない」). A
    サ変 verb is its noun (「特定する」「特定しなかった」 → 特定), so that it can be told from 「する」."""
    out: dict[str, bool] = {}
    for i, (norm, pos, _surface, _dic) in enumerate(morphs):
        if pos not in ("動詞", "形容詞"):
            continue
        if norm == "為る" and i and morphs[i - 1][1] == "名詞":
            norm = morphs[i - 1][0]
        negated = False
        for n2, p2, s2, d2 in morphs[i + 1:i + 6]:
            if p2 in ("補助記号",):
                break
            if p2 == "助動詞" and d2 in _NEG_AUX:
                negated = True
                break
            if p2 == "形容詞" and d2 == "ない":
                negated = True
                break
        out[norm] = out.get(norm, False) or negated
    return out


# Verbs that carry no content of their own, in Sudachi's normalised forms (「する」 is 為る, 「ある」 有る)
_LIGHT = {"為る", "有る", "居る", "成る", "出来る", "考える", "思う", "言う", "良い", "聞く", "知る", "見る", "来る",
          "行く", "仕舞う", "おく", "置く", "貰う", "呉れる"}


def evidence_verdict(question: str, sentence: str) -> str | None:
    """はい/いいえ for a factual yes/no from the sentence that answers it: the question's main
    predicate (its last content verb or adjective) must occur in the sentence; いいえ when exactly
    one of them negates it (「直るのか」「直らない」), はい when both agree; None otherwise."""
    body = _RHETORICAL.sub("", normalize(question))
    q = _predicates(_morphemes(body))
    main = [w for w in q if w not in _LIGHT]
    s = _predicates(_morphemes(sentence))
    if main and main[-1] in s:
        return "no" if q[main[-1]] != s[main[-1]] else "yes"
    if not any(q.values()) and (_denied(body, sentence) or _even_if(body, sentence)):
        return "no"
    return None


def _conditions(morphs, endings: tuple[str, ...]) -> set[str]:
    """Verbs followed by one of `endings` (「返せば」「返したら」 / 「返しても」)."""
    out = set()
    for i, (norm, pos, _s, _d) in enumerate(morphs):
        if pos == "動詞" and norm not in _LIGHT:
            after = "".join(m[2] for m in morphs[i + 1:i + 3])
            if after.startswith(endings):
                out.add(norm)
    return out


def _even_if(question: str, sentence: str) -> bool:
    """「カードを返せば守れるのか」 against 「カードを返しても…直らない」: the sentence says the
    condition the question relies on does not bring the result."""
    asked = _conditions(_morphemes(question), ("ば", "たら", "だら", "と"))
    said = _morphemes(sentence)
    return bool(asked & _conditions(said, ("ても", "でも"))) and any(_predicates(said).values())


_CONTRAST = re.compile(r"([^、。「」（）()]{1,20}?)(?:では|じゃ)なく")


def _denied(question: str, sentence: str) -> bool:
    """「Xではなく Y」 where X is what the question asks about (「市区町村の窓口も対象か」 against
    「相手方は市区町村ではなくデジタル庁であった」): the sentence sets the question right."""
    asked = {m[0] for m in _morphemes(question) if m[1] == "名詞" and len(m[0]) > 1}
    for m in _CONTRAST.finditer(normalize(sentence)):
        # what is denied is the phrase's head noun (「相手方は市区町村ではなく」), not every word of a clause
        # (「点検ツールの提供は単なる技術の問題ではなく」 denies a kind of problem, not 点検ツール)
        head = _morphemes(m.group(1))[-1:]
        if head and head[0][1] == "名詞" and len(head[0][0]) > 1 and head[0][0] in asked:
            return True
    return False


# What a sentence must speak of to bear on a judgement of each frame (「謝罪すべきか」: who apologises).
_FRAME_CUES = {"apology": _APOLOGY, "holds": _HOLDS, "evasion": _SHIFT}


def bears_on(p: Proposition | None, sentence: str) -> bool:
    """Whether `sentence` speaks to what the yes/no question judges (an apology, holding the
    information, shifting blame), beyond the affair it is about."""
    cue = _FRAME_CUES.get(p.frame) if p is not None else None
    return bool(cue and cue.search(normalize(sentence)))


def predicates_of(text: str) -> dict[str, bool]:
    """The verbs and adjectives of `text`, each with whether it is negated (「認めない」 → 認める: True)."""
    return _predicates(_morphemes(text))
