"""`briefing` command line (contract §1). JSON/JSONL only on stdout; logs and progress on stderr."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from assistant.errors import BriefingError
from assistant.privacy import MaskingFilter, mask_my_number
from assistant.values import Filters


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskingFilter())
    handler.setLevel(logging.INFO if verbose else logging.WARNING)  # libraries set their own levels
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)
    for noisy in ("chromadb", "httpx", "sentence_transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _briefing(args):
    from assistant.service import Briefing
    return Briefing(store_dir=args.store)


def _filters(args) -> Filters:
    def day(s):
        return dt.date.fromisoformat(s) if s else None
    return Filters(kinds=tuple(args.kind or ()), issuers=tuple(args.issuer or ()), topics=tuple(args.topic or ()),
                   date_from=day(args.date_from), date_to=day(args.date_to))


# ---- commands
def cmd_index(args) -> int:
    from assistant.service import Briefing
    with Briefing(store_dir=args.store) as b:
        r = b.index(args.corpus, progress=not args.quiet)
    store = args.store or b.settings.store
    if args.format == "json":
        _emit({"documents": r.documents, "chunks": r.chunks, "added": r.added, "removed": r.removed,
               "unchanged": r.unchanged, "embedder": r.embedder, "seconds": r.seconds, "store": str(store)})
    else:
        print(f"indexed {r.documents} documents → {r.chunks} chunks (added {r.added}, removed {r.removed}, "
              f"unchanged {r.unchanged}) with {r.embedder} in {r.seconds}s → {store}")
    return 0


def cmd_corpus_check(args) -> int:
    from assistant.corpus_check import check_corpus
    from assistant.settings import get_settings
    report = check_corpus([Path(p) for p in (args.corpus or get_settings().corpus_folders())])
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    if report.warnings:
        status += f", {len(report.warnings)} warning(s)"
    print(f"corpus check: {report.documents} documents, {status}")
    return 0 if report.ok else 1


def cmd_search(args) -> int:
    with _briefing(args) as b:
        filters = _filters(args)
        if args.query is None:
            if args.format != "jsonl":
                raise BriefingError("no QUERY given", "pass a query, or use --format jsonl and send queries on stdin")
            for line in sys.stdin:
                if line.strip():
                    hits = b.search(line.strip(), args.k, filters)
                    _emit({"query": mask_my_number(line.strip()), "results": [h.as_json() for h in hits]})
            return 0
        hits = b.search(args.query, args.k, filters)
        if args.format in ("json", "jsonl"):
            _emit({"query": mask_my_number(args.query), "results": [h.as_json() for h in hits]})
        else:
            for h in hits:
                c = h.chunk
                loc = f" {c.locator}" if c.locator else ""
                print(f"{h.rank}. [{h.score:.3f}] {c.meta.title}{loc} ＞ {' ＞ '.join(c.heading_path)}  ({c.id})")
                print(f"   {c.text[:160].replace(chr(10), ' ')}")
    return 0


def cmd_ask(args) -> int:
    with _briefing(args) as b:
        filters = _filters(args)
        if args.question is None:
            if args.format != "jsonl":
                raise BriefingError("no QUESTION given", "pass a question, or use --format jsonl with questions on stdin")
            for line in sys.stdin:
                if line.strip():
                    try:
                        question, history = _jsonl_question(line.strip())
                    except BriefingError as err:   # one bad line is reported in place; the batch goes on
                        _emit({"question": mask_my_number(line.strip()[:200]), "error": str(err), "abstained": True})
                        continue
                    _emit(_ask_json(b, question, filters, history))
            return 0
        if args.format in ("json", "jsonl"):
            _emit(_ask_json(b, args.question, filters))
        else:
            from assistant.present.text import answer_as_text
            print(answer_as_text(b.ask(args.question, filters=filters, channel="cli")))
    return 0


def _jsonl_question(line: str) -> tuple[str, list[str]]:
    """A line is a question, or a JSON object {"question": …, "history": [earlier questions]}."""
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return line, []   # not JSON after all: a question that starts with a brace
        if isinstance(obj, dict) and "question" in obj:
            history = obj.get("history") or []
            if not isinstance(obj["question"], str) or not isinstance(history, list) \
                    or not all(isinstance(h, str) for h in history):
                raise BriefingError("a JSON line needs \"question\" as text and \"history\" as a list of texts",
                                    'e.g. {"question": "では市の責任は？", "history": ["保険証の紐付け誤りは誰の責任か"]}')
            return obj["question"], history
    return line, []


def _ask_json(b, question: str, filters: Filters, history: list[str] | None = None) -> dict:
    try:
        return b.ask(question, history=history or [], filters=filters, channel="cli").model_dump(mode="json")
    except BriefingError as err:  # one bad line must not stop a batch: report it in place
        return {"question": mask_my_number(question), "error": str(err), "abstained": True}


def cmd_eval(args) -> int:
    from assistant.evaluate.harness import run_eval
    return run_eval(cases=Path(args.cases) if args.cases else None, report_dir=Path(args.report), store=args.store,
                    thresholds=Path(args.thresholds), tag=args.tag)


def cmd_map(args) -> int:
    from assistant.present import handout
    with _briefing(args) as b:
        b.ensure_index()
        h = handout.build(b.store.affairs, b.store.chunks)
    if args.out:
        path = handout.export(h, Path(args.out))
        print(f"wrote {path} ({len(h.rows)} affairs, {len(h.sources)} quoted passages)", file=sys.stderr)
        return 0
    if args.format == "json":
        from dataclasses import asdict
        _emit({"as_of": h.as_of, "rows": [asdict(r) for r in h.rows], "sources": [asdict(s) for s in h.sources]})
    else:
        print(handout.to_markdown(h), end="")
    return 0


def cmd_press(args) -> int:
    from assistant.present.press_cli import run_press
    return run_press(Path(args.questions), Path(args.out), store=args.store, title=args.title, save=args.save)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefing", description="Offline briefing assistant on the My Number linking errors")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    def store_opt(sp):
        sp.add_argument("--store", help="index folder (default .briefing or BRIEFING_STORE)")

    def filter_opts(sp):
        sp.add_argument("--kind", action="append", choices=["statute", "notice", "incident", "analysis", "guidance", "faq"])
        sp.add_argument("--issuer", action="append", help="issuer contains this text")
        sp.add_argument("--topic", action="append")
        sp.add_argument("--date-from", help="YYYY-MM-DD")
        sp.add_argument("--date-to", help="YYYY-MM-DD")

    sp = sub.add_parser("index", help="build or update the index from corpus folders")
    sp.add_argument("--corpus", action="append", type=Path,
                    help="corpus folder (repeatable; default corpus/ plus the site folder corpus-local/ when it exists)")
    store_opt(sp)
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("corpus", help="corpus tools")
    csub = sp.add_subparsers(dest="corpus_command", required=True)
    cp = csub.add_parser("check", help="validate corpus documents")
    cp.add_argument("--corpus", action="append", type=Path)
    cp.set_defaults(func=cmd_corpus_check)

    sp = sub.add_parser("search", help="retrieval only: ranked chunks with scores and metadata")
    sp.add_argument("query", nargs="?")
    sp.add_argument("--k", type=int, default=5)
    store_opt(sp)
    filter_opts(sp)
    sp.add_argument("--format", choices=["text", "json", "jsonl"], default="text")
    sp.set_defaults(func=cmd_search)

    sp = sub.add_parser("ask", help="one briefing answer (or many with --format jsonl on stdin)")
    sp.add_argument("question", nargs="?")
    store_opt(sp)
    filter_opts(sp)
    sp.add_argument("--format", choices=["text", "json", "jsonl"], default="text")
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("eval", help="run the eval set, write reports, exit non-zero below thresholds")
    sp.add_argument("--cases", help="one case file; default: evals/cases.yaml, then the frozen evals/holdout.yaml")
    sp.add_argument("--report", default="reports/eval")
    sp.add_argument("--thresholds", default="evals/thresholds.toml")
    sp.add_argument("--tag", help="only cases with this tag (e.g. heldout)")
    store_opt(sp)
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("map", help="the responsibility map (責任の整理): affair × 実施者 × the city's share × cause")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp.add_argument("--out", help="write a one-page handout: .docx or .md")
    store_opt(sp)
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser("press", help="draft a press Q&A (想定問答) document")
    sp.add_argument("--questions", required=True, help="text file, one question per line")
    sp.add_argument("--out", required=True, help="output .docx or .md")
    sp.add_argument("--title", default="想定問答")
    sp.add_argument("--save", action="store_true", help="also keep it as a draft the app's 想定問答 page opens")
    store_opt(sp)
    sp.set_defaults(func=cmd_press)

    from assistant.present.audit_cli import add_parser as add_audit
    from assistant.present.drafts_cli import add_parser as add_drafts
    add_audit(sub)
    add_drafts(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except BriefingError as err:
        print(f"error: {mask_my_number(str(err))}", file=sys.stderr)
        return 2
    except ValueError as err:  # e.g. a bad --date-from
        print(f"error: {mask_my_number(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
