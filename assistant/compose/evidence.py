"""Evidence sentences: every retrieved chunk split into verbatim sentences, scored and diversified."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.chunk.sentences import quotable_spans
from assistant.index.lexical import tokenize
from assistant.normalize import normalize
from assistant.values import Hit

# Words that say nothing about the topic: they neither prove nor disprove coverage.
GENERIC = {"誰", "責任", "何", "市", "どう", "する", "ある", "いる", "なる", "こと", "もの", "よう", "ため", "問題",
           "今回", "件", "際", "場合", "説明", "自治体", "質問", "教える", "本当", "言う", "思う", "について",
           "べき", "できる", "れる", "られる", "なぜ", "原因", "理由", "どこ", "どちら", "悪い", "聞く", "答える",
           "どの", "あの", "この", "その", "これ", "それ", "ない", "いい", "良い", "市長", "私", "我々", "うち",
           "記者", "会見", "ください", "です", "ます", "か", "ね", "よ", "では", "じゃあ", "結局", "一体",
           "やはり", "とても", "方", "ところ", "上", "中", "後", "前", "ん", "の", "的", "等", "など", "いう",
           "要する", "つまり", "要は", "ずばり", "端的", "簡単", "一言", "言い切る", "件", "話"}


@dataclass
class Candidate:
    text: str
    chunk_rank: int
    hit: Hit
    start: int
    end: int
    tokens: frozenset = field(default_factory=frozenset)
    score: float = 0.0
    overlap: float = 0.0     # IDF-weighted share of the question's topical words in this sentence
    similarity: float = 0.0  # cosine between the question and this sentence (vectors built at index time)
    features: object = None  # the ranking features (ranking.features), once ranked


@lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset:
    return frozenset(tokenize(text))


def content_tokens(text: str) -> frozenset:
    return frozenset(t for t in _tokens(text) if t not in GENERIC and len(t) > 0)


@lru_cache(maxsize=1024)
def content_nouns(question: str, things: bool = False) -> tuple[str, ...]:
    """The question's common and proper nouns (normalised forms), less the words that name no topic
    — with things=True, also less people's names (「河野デジタル大臣」 is the sources' デジタル大臣) and
    nouns of action (「陳謝」「郵送」), leaving the things it is about (「コンビニ」「免許」「写し」)."""
    from sudachipy import SplitMode
    from assistant.index.lexical import _tokenizer
    out = []
    for m in _tokenizer().tokenize(normalize(question), SplitMode.A):
        pos, form = m.part_of_speech(), m.normalized_form().lower()
        if (pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and len(form) > 1 and form not in GENERIC
                and not (things and pos[2] in ("人名", "サ変可能"))):
            out.append(form)
    return tuple(dict.fromkeys(out))


def echoes(sentence: str, question: str, share: float = 0.8) -> bool:
    """The sentence names hardly anything the question does not (this `share` of its nouns or more):
    it restates the question's premise rather than answering it."""
    nouns = content_nouns(sentence)
    asked = set(content_nouns(question))
    return len(nouns) >= 2 and sum(n in asked for n in nouns) >= share * len(nouns)


def unknown_nouns(question: str, vocabulary, things: bool = False) -> list[str]:
    """The question's nouns that no indexed passage uses (「暗証番号」「ゆうちょ」 in a corpus about
    linking errors): what it asks about is not in the sources."""
    return [n for n in content_nouns(question, things) if n not in vocabulary]


def unfamiliar(question: str, vocabulary, at_least: int, share: float) -> bool:
    """Most of what the question talks about is absent from the sources: at least `at_least` of its
    nouns, and at least `share` of them, occur in no indexed passage (「ふるさと納税の返礼品」)."""
    nouns = content_nouns(question)
    unknown = [n for n in nouns if n not in vocabulary]
    return len(unknown) >= at_least and len(unknown) >= share * len(nouns)


def candidates(hits: list[Hit], sentence_index=None, query_vector=None) -> list[Candidate]:
    out = []
    for rank, h in enumerate(hits):
        text = h.chunk.text
        for s, e in quotable_spans(text):
            out.append(Candidate(text[s:e], rank, h, s, e, _tokens(text[s:e])))
    if sentence_index is not None and query_vector is not None and out:
        sims = sentence_index.similarities(query_vector, [(c.hit.chunk.id, c.start, c.end) for c in out])
        for c, sim in zip(out, sims):
            c.similarity = float(sim)
    return out


def idf_weights(texts) -> dict[str, float]:
    """Corpus-level IDF: 手帳 weighs more than 登録, which nearly every passage mentions."""
    df: dict[str, int] = {}
    n = 0
    for text in texts:
        n += 1
        for t in _tokens(text):
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + max(n, 1) / d) for t, d in df.items()}


_FIGURE = re.compile(r"[0-9０-９][0-9０-９,，.]*\s*(?:件|万|自治体|団体|機関|%|％|倍)")


def overlap(cands: list[Candidate], query: str, idf: dict[str, float], settled: frozenset = frozenset(),
            settled_weight: float = 0.0) -> None:
    """Each sentence's IDF-weighted share of the question's topical words. Words in `settled` (the
    affair's own terms, once the affair is known) count for `settled_weight` of a word: every sentence
    on the affair has them; what the question asks about the affair is in its other words."""
    q = content_tokens(query)
    unseen = max(idf.values(), default=1.0)  # a word the corpus never uses is maximally specific
    keep = settled_weight if q - settled else 1.0
    weight = {t: idf.get(t, unseen) * (keep if t in settled else 1.0) for t in q}
    qw = sum(weight.values()) or 1.0
    for c in cands:
        c.overlap = sum(weight[t] for t in q & c.tokens) / qw


# A sentence that attributes its claim to someone (「吉本氏は…と述べた」).
_SPEECH = re.compile(r"(?:講演者|吉本|市長|委員|教授|学会)[^。]{0,40}?(?:は|によれば|によると)[^。]*"
                     r"(?:述べ|指摘し|語っ|話し|見方を示し|説明し|強調し|批判し)")


def reported_speech(text: str) -> bool:
    return bool(_SPEECH.search(text or ""))


def has_figure(text: str) -> bool:
    return bool(_FIGURE.search(text))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def mmr(cands: list[Candidate], k: int, lam: float = 0.7, max_sim: float = 0.7,
        said: tuple[str, ...] = (), vectors=None, said_vectors=None, max_cos: float = 1.0,
        cos_base: float = 0.8, same_chunk: float = 0.0) -> list[Candidate]:
    """Pick relevant sentences that do not repeat each other, nor what `said` already says.
    Redundancy is the larger of word overlap (Jaccard) and, when sentence vectors are given, cosine;
    near-duplicates (Jaccard above max_sim or cosine above max_cos) are dropped."""
    said_tokens = [_tokens(t) for t in said]
    index = {id(c): i for i, c in enumerate(cands)}
    chosen: list[Candidate] = []
    pool = sorted(cands, key=lambda c: -c.score)

    def redundancy(c: Candidate) -> tuple[float, float]:
        jac = max([jaccard(c.tokens, s.tokens) for s in chosen] + [jaccard(c.tokens, t) for t in said_tokens],
                  default=0.0)
        cos = 0.0
        if vectors is not None:
            v = vectors[index[id(c)]]
            sims = [float(vectors[index[id(s)]] @ v) for s in chosen]
            if said_vectors is not None and len(said_vectors):
                sims.append(float(np.max(said_vectors @ v)))
            cos = max(sims, default=0.0)
        return jac, cos

    while pool and len(chosen) < k:
        best, best_val = None, -1e9
        for c in pool:
            jac, cos = redundancy(c)
            if jac > max_sim or cos > max_cos:
                continue
            # embeddings rate any two sentences of one topic as similar: only cosine above cos_base counts
            # sentences of one passage tend to say one thing: spread the picks over passages
            same = same_chunk * sum(s.hit.chunk.id == c.hit.chunk.id for s in chosen)
            val = lam * c.score - (1 - lam) * (max(jac, max(cos - cos_base, 0.0) / (1 - cos_base)) + same)
            if val > best_val:
                best, best_val = c, val
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
    return chosen


def coverage(query: str, hits: list[Hit], idf_source: dict[str, float] | None = None) -> float | None:
    """Share of the question's topical words that the evidence contains (0..1); None when the
    question has no topical words at all (「要するに誰が悪いのか」)."""
    q = content_tokens(query)
    if not q:
        return None
    seen: set[str] = set()
    for h in hits:
        seen |= _tokens(h.chunk.context + " " + h.chunk.text)
    return len(q & seen) / len(q)
