"""What the question asks (decides which sections lead), and follow-up resolution.

Intents only order the answer; they never decide who is responsible or why.
"""
from __future__ import annotations

import re

from assistant.normalize import normalize

INTENTS: dict[str, tuple[str, ...]] = {
    "who": ("責任", "誰", "悪い", "落ち度", "のせい", "謝罪", "謝る", "謝ら", "責め", "非があ", "問われ",
            "実施者", "所管", "どこが", "どちらが", "市のミス", "自治体のミス", "市が間違", "自治体が間違"),
    "why": ("なぜ", "何故", "原因", "理由", "どうして", "なんで", "何が起き", "何があっ", "経緯", "どういうこと",
            "何だった", "何が問題", "背景"),
    "tech_ops": ("技術", "運用", "システム", "不具合", "欠陥", "カードの問題", "カード自体", "バグ", "仕組み"),
    "explain": ("説明", "どう答え", "答えれば", "記者", "会見", "発言", "言えば", "伝え", "住民に", "議会",
                "反論", "公表", "広報", "コメント", "市民に", "問い合わせ"),
    "basis": ("根拠", "法律", "法的", "条文", "第", "条", "法令", "規定", "通知", "事務連絡", "定め"),
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
}
_FOLLOW_UP_START = re.compile(r"^(では|じゃあ|それでは|それなら|なら|で、|その|それ|この|同じ|ちなみに|一方|逆に|また)")
_ANCHORS = re.compile(r"(保険証|健康保険|公金受取口座|障害者手帳|療育手帳|精神|共済|J-LIS|番号法|マイナンバーカード|"
                      r"総点検|標準化|ガバメントクラウド|オンライン資格確認|個人情報保護委員会|特定個人情報保護評価|"
                      r"住基|第\d+条|口座|手帳|ロッカー|チェックツール|2040)")


def detect_intents(question: str) -> list[str]:
    q = normalize(question)
    found = [name for name, cues in INTENTS.items() if any(c in q for c in cues)]
    if "basis" in found and not re.search(r"根拠|法律|法的|条文|法令|規定|第\d+条|通知|事務連絡|定め", q):
        found.remove("basis")
    return found or ["why"]


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
