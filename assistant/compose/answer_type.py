"""Expected answer types: a question that asks for an amount, a date, a head count, a rate or a
count of cases is answered only by a sentence that states one (「何円」 needs 「…円」).

This is grammar — the question word decides the type — used to tell a question the sources
cannot answer from one they can, when both use the corpus's words.
"""
from __future__ import annotations

import re

from assistant.normalize import normalize

_NUM = r"[0-9０-９][0-9０-９,，.．]*\s*"
TYPES: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "amount": (re.compile(r"いくら|幾ら|何円|何億|何万円|金額は"),
               re.compile(_NUM + r"(?:円|万円|億円|兆円)")),
    "date": (re.compile(r"いつ(?!まで?も|でも|の間)|何年何月|何月何日|何日に|(?<![0-9０-９])日付|何年に"),
             re.compile(r"(?:19|20)[0-9]{2}年|[0-9０-９]{1,2}月[0-9０-９]{1,2}日|令和[0-9０-９元]+年|平成[0-9０-９]+年"
                        r"|毎(?:年|月|週|日)|[月火水木金土日]曜日")),   # a schedule answers 「いつ」 too
    "people": (re.compile(r"何[千百万十]*(?:人|名)(?!も)|人数"), re.compile(_NUM + r"(?:人|名)")),   # 「何人もの」: many
    "count": (re.compile(r"何[千百万十]*件(?!も)|件数"), re.compile(_NUM + r"件")),
    # 「どのくらいの期間かかるのか」: a length of time, or the dates that bound it
    "duration": (re.compile(r"(?:どの|どれ)(?:くらい|ぐらい|程度)の(?:期間|日数|時間)|何(?:日間|週間|か月|ヶ月|カ月|年間)(?!も)|何(?:日|年)(?:くらい|ぐらい|ほど|かかる)"),
                 re.compile(_NUM + r"(?:日|週間|か月|ヶ月|カ月|年|時間)(?:間|ほど|程度|以内|後)?|(?:19|20)[0-9]{2}年")),
    "rate": (re.compile(r"何割|何パーセント|何％|何%|利用率|割合|比率"), re.compile(_NUM + r"(?:%|％|割)")),
}


NAMES = {"amount": "金額", "date": "日付", "people": "人数", "count": "件数", "duration": "期間", "rate": "割合"}   # as a summary names them
COUNTS = ("count", "people")   # a count of this city's cases has a national count in the sources to set beside it


# 「資格確認書をいつ送るのかという話は別として伺いたい」: what the asker sets aside is not asked
_SET_ASIDE = re.compile(r"[^。？?]*?(?:は|も)(?:別として|別にして|さておき|ともかく(?:として)?)[、,]?")


def expected(question: str) -> list[str]:
    """The kinds of fact the question word asks for (「いつまでも」「いつでも」 ask no date, nor a clause the
    asker sets aside)."""
    q = _SET_ASIDE.sub("", normalize(question))
    return [name for name, (ask, _) in TYPES.items() if ask.search(q)]


def answers(kind: str, text: str) -> bool:
    return bool(TYPES[kind][1].search(normalize(text)))
