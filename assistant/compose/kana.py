"""表記ゆれ of script: a question written in kana where the sources write kanji.

「しょうがいしゃてちょうの ひもづけ」「ヒモヅケミス」「ホケンショー」 are the sources' 障害者手帳・紐付け・
保険証. The sources' own nouns, read by Sudachi, say which kanji a run of kana stands for. A stretch of
kana is rewritten only when
- it spells in full the reading of a noun (or a run of up to three nouns) the sources write with kanji,
  four kana at least (「しょう」 in 「でしょうか」 is too short to mean anything);
- it starts and ends where the question's own words do, and does not start on a particle or an
  auxiliary (Sudachi's reading of the question; a word Sudachi does not know may be split anywhere);
- the sources never write that stretch in kana themselves (「マイナポータル」 stays).
Long vowels (ショー/ショウ) and ヅ/ズ, ヂ/ジ are read alike. Half-width kana (ｼｮｳｶﾞｲｼｬ) is read as full-width.
What is left in katakana and reads, in hiragana, as nothing but particles, pronouns and adverbs
(「ダレノ」「ナゼ」「ノ」) is written in hiragana: 「…手帳ノ紐付けミス ダレノ責任?」 asks 誰の責任.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

_RUN = re.compile(r"[ぁ-ゖァ-ヺー]{4,}")
_HALF = re.compile(r"[\uff61-\uff9f]+")
_KATA = re.compile(r"[ァ-ヺー]+")
_GRAMMAR = ("助詞", "助動詞", "代名詞", "副詞")   # read in hiragana, these words ask or join: nothing the sources name
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
MIN_KANA = 4
_MAX_NOUNS = 3
_FUNCTION = ("助詞", "助動詞", "補助記号", "空白")
_LONG = {"A": "ア", "I": "イ", "U": "ウ", "E": "イ", "O": "ウ"}   # ー after e/o reads as イ/ウ (セー=セイ, ショー=ショウ)
_SAME = str.maketrans({"ヅ": "ズ", "ヂ": "ジ"})


def vowel(kana: str) -> str:
    """The vowel a kana ends on, from its Unicode name (「ョ」→ O, 「き」→ I); "" for ン, ー and the rest."""
    last = unicodedata.name(kana, "").rsplit(" ", 1)[-1][-1:]
    return last if last in _LONG else ""


def katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def fold(reading: str) -> str:
    """A reading in katakana, long vowels written out, ヅ/ヂ as ズ/ジ: the same length as its input."""
    out = []
    for c in katakana(reading).translate(_SAME):
        out.append(_LONG.get(vowel(out[-1]), "ー") if c == "ー" and out else c)
    return "".join(out)


class KanaReader:
    """Rewrites kana spellings of the sources' kanji nouns; built on first use from the sources' texts."""

    def __init__(self, texts: Callable[[], Iterable[str]], known_text: str):
        self._texts = texts
        self._spelled: dict[str, str] | None = None
        self._known = known_text   # the sources' own text (a stretch written there in kana stays)

    def _build(self) -> None:
        from sudachipy import SplitMode

        from assistant.index.lexical import _tokenizer
        tok, seen = _tokenizer(), defaultdict(Counter)
        for line in (line for text in self._texts() for line in text.split("\n") if line.strip()):
            nouns: list[tuple[str, str]] = []
            for m in [*tok.tokenize(line[:5000], SplitMode.C), None]:
                if m is not None and m.part_of_speech()[0] in ("名詞", "接尾辞") and m.reading_form():
                    nouns.append((m.surface(), m.reading_form()))
                    continue
                for i in range(len(nouns)):
                    for j in range(i + 1, min(i + _MAX_NOUNS, len(nouns)) + 1):
                        surface = "".join(s for s, _ in nouns[i:j])
                        reading = fold("".join(r for _, r in nouns[i:j]))
                        if _KANJI.search(surface) and len(reading) >= MIN_KANA:
                            seen[reading][surface] += 1
                nouns = []
        self._spelled = {r: c.most_common(1)[0][0] for r, c in seen.items()}

    def rewrite(self, question: str) -> str:
        question = _HALF.sub(lambda m: unicodedata.normalize("NFKC", m.group()), question)
        return self._grammar_in_hiragana(self._kanji(question))

    def _kanji(self, question: str) -> str:
        runs = list(_RUN.finditer(question))
        if not runs:
            return question
        if self._spelled is None:
            self._build()
        starts, ends = self._boundaries(question)
        out, at = [], 0
        for run in runs:
            i = run.start()
            while i < run.end():
                found = self._longest(question, i, run.end(), starts, ends)
                if found is None:
                    i += 1
                    continue
                j, kanji = found
                out += [question[at:i], kanji]
                at = i = j
        return "".join(out) + question[at:]

    def _longest(self, q: str, i: int, stop: int, starts: set[int], ends: set[int]) -> tuple[int, str] | None:
        if i not in starts:
            return None
        for j in range(stop, i + MIN_KANA - 1, -1):
            kanji = self._spelled.get(fold(q[i:j])) if j in ends else None
            if kanji and q[i:j] not in self._known:
                return j, kanji
        return None

    def _grammar_in_hiragana(self, q: str) -> str:
        """Katakana the sources do not write that reads, in hiragana, as grammar only (「ダレノ」→「だれの」)."""
        from sudachipy import SplitMode

        from assistant.index.lexical import _tokenizer

        def hiragana(m: re.Match) -> str:
            run = m.group()
            if run in self._known or "ー" in run:
                return run
            soft = "".join(chr(ord(c) - 0x60) for c in run)
            words = _tokenizer().tokenize(soft, SplitMode.C)
            grammar = all(w.part_of_speech()[0] in _GRAMMAR and not w.is_oov() for w in words)
            return soft if grammar and len(words) else run
        return _KATA.sub(hiragana, q)

    @staticmethod
    def _boundaries(q: str) -> tuple[set[int], set[int]]:
        """Where a rewritten stretch may start (a content word's start) and end (any word's end)."""
        from sudachipy import SplitMode

        from assistant.index.lexical import _tokenizer
        starts, ends, at = set(), {0}, 0
        for m in _tokenizer().tokenize(q, SplitMode.C):
            a, b = m.begin(), m.end()
            inner = range(a, b + 1) if m.is_oov() else (a, b)
            ends.update(inner)
            if m.part_of_speech()[0] not in _FUNCTION:
                starts.update(inner if m.is_oov() else (a,))
            at = b
        ends.add(at)
        return starts, ends
