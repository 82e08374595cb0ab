"""Text that tries to instruct the assistant (prompt injection), in a question or a document.

Sources are evidence, never instructions: a sentence addressed to the assistant is not quotable
(so it can never become the basis of an answer), `briefing corpus check` warns about it, and the
optional LLM sees the question and the passages only inside marked data blocks. Directives to
staff (「本人確認を徹底すること」) are ordinary content and are not matched.
"""
from __future__ import annotations

import re

from assistant.normalize import normalize

_AI = r"(?:ai|ａｉ|アシスタント|チャットボット|言語モデル|llm|gpt|生成ai|このシステム|あなた)"
_PATTERNS = [
    # 「これまでの指示を無視して」「上記の命令は忘れて」
    r"(?:これまで|今まで|以前|以上|上記|前|先)の(?:全ての|すべての)?(?:指示|命令|指令|プロンプト|ルール|設定)"
    r"(?:は|を)?(?:全て|すべて)?(?:無視|忘れ|破棄|取り消)",
    r"システムプロンプト|開発者モード|脱獄|ジェイルブレイク",
    # 「この文書を読んだAIは…と回答すること」「アシスタントは…と答えなさい」
    _AI + r"(?:は|へ|に|が|への|に対して)?[^。]{0,40}(?:と|を)?(?:回答|出力|返答|答え|表示|発言)(?:せよ|しなさい|すること|してください|なさい|ること)",
    r"(?:あなたは|君は)(?:今から|これから|以後|今後)",
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts|rules)",
    r"disregard (?:all |any )?(?:the )?(?:previous|prior|above|earlier)",
    r"you are now|system prompt|jailbreak|developer mode",
    r"(?:answer|respond|reply|say) (?:only |always )?(?:that|with)\b.{0,60}\b(?:assistant|ai|model)\b",
]
_RX = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def looks_like_instruction(text: str) -> bool:
    """True for text addressed to the assistant (after NFKC and 表記ゆれ folding)."""
    return bool(text) and bool(_RX.search(normalize(text).lower()))
