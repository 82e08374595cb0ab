"""What the question asks (decides which sections lead), and follow-up resolution.

Intents only order the answer; they never decide who is responsible or why.
"""
from __future__ import annotations

import re

from assistant.normalize import normalize

INTENTS: dict[str, tuple[str, ...]] = {
    "who": ("責任", "誰", "悪い", "落ち度", "のせい", "謝罪", "謝る", "謝ら", "責め", "非があ", "問われ",
            "実施者", "所管", "どこが", "どちらが", "市のミス", "自治体のミス", "市が間違", "自治体が間違",
            "せいに", "せいだ", "押しつけ", "押し付け", "逃げ", "批判", "仕方な", "筋違い", "責任逃れ", "言い逃れ",
            "無関係", "関係ない"),
    "why": ("なぜ", "何故", "原因", "理由", "どうして", "なんで", "何が起き", "何があっ", "経緯", "どういうこと",
            "何だった", "何が問題", "背景"),
    "tech_ops": ("技術", "運用", "システム", "不具合", "欠陥", "カードの問題", "カード自体", "バグ", "仕組み"),
    "explain": ("説明", "どう答え", "答えれば", "記者", "会見", "発言", "言えば", "伝え", "住民に", "議会",
                "反論", "公表", "広報", "コメント", "市民に", "問い合わせ", "言うべき", "受け止め", "案内", "黙っ"),
    "basis": ("根拠", "法律", "法的", "条文", "第", "条", "法令", "規定", "通知", "事務連絡", "定め"),
    "figures": ("何件", "件数", "何自治体", "どのくらい", "どれくらい", "いくつ", "規模", "結果", "何万"),
    "next": ("今後", "どうすれ", "対策", "再発", "防止", "すべき", "するべき", "何をす", "確認すべ", "点検",
             "備え", "課題", "取り組"),
}
SECTION_ORDER: dict[str, tuple[str, ...]] = {
    "who": ("理由", "根拠（法令・通知）", "自治体としての留意点"),
    "why": ("理由", "自治体としての留意点", "根拠（法令・通知）"),
    "tech_ops": ("理由", "自治体としての留意点", "根拠（法令・通知）"),
    "explain": ("自治体としての留意点", "理由", "根拠（法令・通知）"),
    "basis": ("根拠（法令・通知）", "理由", "自治体としての留意点"),
    "next": ("自治体としての留意点", "理由", "根拠（法令・通知）"),
    "figures": ("理由", "根拠（法令・通知）", "自治体としての留意点"),
}
_FOLLOW_UP_START = re.compile(r"^(では|じゃあ|それでは|それなら|なら|で、|その|それ|この|同じ|ちなみに|一方|逆に|また)")
_ANCHORS = re.compile(r"(保険証|健康保険|公金受取口座|障害者手帳|療育手帳|精神|共済|J-LIS|番号法|マイナンバーカード|"
                      r"総点検|標準化|ガバメントクラウド|オンライン資格確認|個人情報保護委員会|特定個人情報保護評価|"
                      r"住基|第\d+条|口座|手帳|ロッカー|チェックツール|2040)")


_FAILURE = ("誤り", "誤登録", "誤って", "ミス", "間違", "トラブル", "別人", "他人", "欠陥", "不具合", "壊れ",
            "起き", "起こ", "防げ", "謝罪", "謝", "問題", "失敗", "してしまっ")
# The rule is evals/LABELLING.md: a cause belongs to questions about a failure that happened.
# Not: what a term or text means (「4情報」とは…, not 「ということは」 or 「とは言えない」),
_DEFINITION = re.compile(r"(?<!こ)とは(?!言|いえ)|何を定め|定義|どういう意味|を指す|どんなこと")
# hypotheticals,
_HYPOTHETICAL = re.compile(r"たら[、。,]|場合(?:は|も|に)|ならば")
# remedies, checks, what to do next and the general framework of responsibility,
_REMEDY = re.compile(r"方法|防げ(?!なかった)|防止|返納|基準|今後|これから|再発|起きない|起こらない|確認すれば|"
                     r"確認しておけば|確認すべき|点検すれば|案内|どうすれば|何をすれば|準備|気を付け|どこまで|責任範囲")
# or a request for the legal basis.
_LEGAL_BASIS = re.compile(r"根拠|条文|法的")


def explicit_intents(question: str) -> list[str]:
    q = normalize(question)
    found = [name for name, cues in INTENTS.items() if any(c in q for c in cues)]
    if "basis" in found and not re.search(r"根拠|法律|法的|条文|法令|規定|第\d+条|通知|事務連絡|定め", q):
        found.remove("basis")
    return found


def detect_intents(question: str) -> list[str]:
    """What the question asks, most specific first; a bare question reads as 'what happened/why'."""
    return explicit_intents(question) or ["why"]


_ACTOR_MENTION = re.compile(r"市役所|市の|市が|市は|うちの市|自治体|国の|国が|国は|保険者|都道府県|県の|県が|デジタル庁|J-LIS|総理")


def asks_about_responsibility(question: str) -> bool:
    """Who-questions, and questions that pin a failure on a party (「市役所が…していなかったからではないか」)."""
    q = normalize(question)
    intents = explicit_intents(q)
    if {"who", "explain"} & set(intents):
        return True
    return bool(_ACTOR_MENTION.search(q)) and any(w in q for w in _FAILURE)


def asks_about_a_failure(question: str) -> bool:
    """Whether a cause type belongs in the answer (contract: `none` = not a question about a cause).
    Definitions and questions that name no failure and ask neither why nor who get `none`;
    which cause it was is never decided here, only by the evidence."""
    q = normalize(question)
    intents = set(explicit_intents(q))
    if _DEFINITION.search(q) or _HYPOTHETICAL.search(q) or _REMEDY.search(q):
        return False
    if _LEGAL_BASIS.search(q) and not {"why", "tech_ops"} & intents:
        return False
    return any(w in q for w in _FAILURE) or bool({"why", "tech_ops", "who"} & intents)


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous turn (「では市の責任は？」)."""
    q = normalize(question)
    return bool(_FOLLOW_UP_START.search(q)) or (len(q) <= 20 and not _ANCHORS.search(q))


def retrieval_query(question: str, history: list[str]) -> str:
    """The text used for retrieval: the question, plus the previous turn for follow-ups."""
    effective = ""
    for turn in [h for h in history if h and h.strip()] + [question]:
        effective = f"{effective} {turn}".strip() if effective and is_follow_up(turn) else turn
    return effective
