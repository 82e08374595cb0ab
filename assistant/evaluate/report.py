"""Eval reports: JSON (for the app), Markdown (for people), JUnit XML (for CI)."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from xml.sax.saxutils import escape

from assistant.index.records import write_atomic


def check_thresholds(metrics: dict, thresholds: dict) -> list[str]:
    failures = []
    for name, floor in thresholds.get("min", {}).items():
        if metrics.get(name, 0.0) < floor:
            failures.append(f"{name} {metrics.get(name)} < {floor}")
    for name, ceiling in thresholds.get("max", {}).items():
        if metrics.get(name, float("inf")) > ceiling:
            failures.append(f"{name} {metrics.get(name)} > {ceiling}")
    return failures


def write_reports(folder: Path, meta: dict, metrics: dict, thresholds: dict, failures: list[str], results) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    data = {**meta, "passed": not failures, "failures": failures, "metrics": metrics, "thresholds": thresholds,
            "cases": [{**asdict(r), "passed": r.passed} for r in results]}
    write_atomic(folder / "report.json", json.dumps(data, ensure_ascii=False, indent=2))
    write_atomic(folder / "report.md", _markdown(data))
    write_atomic(folder / "junit.xml", _junit(data))
    return data


def _markdown(d: dict) -> str:
    lines = [f"# Eval report ({d.get('set', 'dev')}) — {'PASS' if d['passed'] else 'FAIL'}", "",
             f"cases: `{d['cases_file']}` · {d['generated_at']} · embedder {d['embedder']}", "",
             "| metric | value | threshold |", "|---|---|---|"]
    th = {**{k: f"≥ {v}" for k, v in d["thresholds"].get("min", {}).items()},
          **{k: f"≤ {v}" for k, v in d["thresholds"].get("max", {}).items()}}
    lines += [f"| {k} | {v} | {th.get(k, '')} |" for k, v in d["metrics"].items()]
    if d.get("composer_params"):
        lines += ["", "composer parameters: `" + ", ".join(f"{k}={v}" for k, v in d["composer_params"].items()) + "`"]
    failed = [c for c in d["cases"] if not c["passed"]]
    lines += ["", f"## Failed cases ({len(failed)})", ""]
    lines += [f"- **{c['id']}** 「{c['question']}」: {'; '.join(c['reasons'])}" for c in failed] or ["none"]
    return "\n".join(lines) + "\n"


def _junit(d: dict) -> str:
    cases = []
    for c in d["cases"]:
        body = "" if c["passed"] else f'<failure message="{escape("; ".join(c["reasons"]), {chr(34): "&quot;"})}"/>'
        cases.append(f'  <testcase classname="evals" name="{escape(c["id"])}" time="{c["latency_ms"] / 1000:.3f}">'
                     f"{body}</testcase>")
    for f in d["failures"]:
        cases.append(f'  <testcase classname="evals.thresholds" name="{escape(f.split()[0])}">'
                     f'<failure message="{escape(f)}"/></testcase>')
    fails = sum(1 for c in d["cases"] if not c["passed"]) + len(d["failures"])
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="briefing-eval" tests="{len(cases)}" '
            f'failures="{fails}">\n' + "\n".join(cases) + "\n</testsuite>\n")
