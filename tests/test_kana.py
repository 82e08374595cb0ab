"""表記ゆれ of script: kana spellings of the sources' kanji nouns are read as the sources write them."""
from assistant.compose.kana import KanaReader, fold

SOURCES = ["障害者手帳の紐付け誤りの責任は都道府県にある。", "保険証の番号登録は保険者の事務である。",
           "紐付けの原因は事務処理の誤りである。", "利用者はマイナポータルからログアウトしなかった。"]


def reader() -> KanaReader:
    return KanaReader(lambda: SOURCES, "\n".join(SOURCES))


def test_hiragana_spellings_of_the_sources_nouns_become_their_kanji():
    assert reader().rewrite("しょうがいしゃてちょうの ひもづけは、どこの せきにんですか") == \
        "障害者手帳の 紐付けは、どこの 責任ですか"
    assert reader().rewrite("げんいんはなんですか") == "原因はなんですか"


def test_katakana_the_tokenizer_does_not_know_is_read_through_and_long_vowels_read_alike():
    assert reader().rewrite("ヒモヅケミスの原因って何？") == "紐付けミスの原因って何？"
    assert reader().rewrite("ホケンショーの番号、誰の責任？") == "保険証の番号、誰の責任？"
    assert fold("ショー") == fold("しょう") == "ショウ" and fold("ヒモズケ") == fold("ひもづけ")


def test_half_width_kana_is_read_as_full_width_and_katakana_grammar_is_written_in_hiragana():
    # 「ﾀﾞﾚﾉ」 left in katakana would hide the wh-word 誰 and leave a noun no source uses
    assert reader().rewrite("ｼｮｳｶﾞｲｼｬﾃﾁｮｳﾉﾋﾓﾂﾞｹﾐｽ ﾀﾞﾚﾉｾｷﾆﾝ?") == "障害者手帳の紐付けミス だれの責任?"
    assert reader().rewrite("ナゼ手帳の紐付けで誤りが起きたのか") == "なぜ手帳の紐付けで誤りが起きたのか"
    # a katakana word that reads as a noun or verb stays; so does what the sources write in katakana
    for q in ("ミスはダメ", "マイナポータルからログアウトしなかったのか", "カードリーダーで読む"):
        assert reader().rewrite(q) == q, q


def test_function_words_short_kana_and_what_the_sources_write_in_kana_are_left_alone():
    r = reader()
    for q in ("責任は都道府県にあるのでしょうか", "マイナポータルからログアウトしなかったのか",
              "ありがとうございました。よろしくおねがいします", "誰のせい？", "手帳の責任"):
        assert r.rewrite(q) == q, q


def test_the_sources_are_read_only_when_a_question_has_kana_to_read():
    calls = []
    r = KanaReader(lambda: calls.append(1) or SOURCES, "\n".join(SOURCES))
    assert r.rewrite("障害者手帳の責任は誰か") == "障害者手帳の責任は誰か" and calls == []   # no run of 4 kana
    r.rewrite("てちょうのせきにん")
    r.rewrite("ほけんしょうのせきにん")
    assert calls == [1]


def test_a_question_in_kana_is_answered_as_the_kanji_one_and_echoed_as_asked(briefing):
    q = "しょうがいしゃてちょうの ひもづけの せきにんは、どこに ありますか"
    ans = briefing.ask(q)
    kanji = briefing.ask("障害者手帳の 紐付けの 責任は、どこに ありますか")
    assert ans.question == q and not ans.abstained
    assert ans.summary == kanji.summary and ans.responsibility[0].actor == "prefecture"
