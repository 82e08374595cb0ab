"""Verify the eval case files against the corpus (run: .venv/bin/python evals/check_cases.py).

Checks, for evals/cases.yaml (held-out cases joined it, tagged `heldout`):
- the YAML loads with yaml.safe_load and every case has the schema fields;
- ids are unique;
- every `sources` id is a real corpus document;
- every key-point phrasing (2–12 chars after NFKC) occurs in the body sentences (not the
  front matter or headings) of at least one of the case's sources, both after NFKC and after the project's full normalisation;
  each key point keeps at least one phrasing that the full normalisation leaves unchanged;
- no `forbidden` phrase occurs anywhere in the corpus (NFKC, fully normalised, and with
  whitespace removed),
  nor in the case's own question;
- counts per conclusion, persona, primary_actor, cause, and the rule minima.
Exit status is non-zero when anything fails.
"""
from __future__ import annotations

import collections
import pathlib
import re
import sys
import unicodedata

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
try:
    from assistant.normalize import normalize  # the project's own folding
except Exception:  # pragma: no cover - fall back to NFKC only
    def normalize(t: str) -> str:
        return unicodedata.normalize("NFKC", t)

ACTORS = {"prime_minister", "health_insurer", "prefecture", "municipality", "ppc", "jlis",
          "resident", "national_government", None}
CAUSES = {"operational", "technical", "institutional", "mixed", "none"}
PERSONAS = {"mayor", "reporter", "hostile_reporter", "staff", "resident", "council"}
CONCLUSIONS = [f"C{i}" for i in range(1, 16)]
CORE = {"C3", "C4", "C6", "C7", "C8"}


def nfkc(t: str) -> str:
    return unicodedata.normalize("NFKC", t)


def load_corpus() -> dict[str, dict]:
    docs = {}
    for p in sorted((ROOT / "corpus").rglob("*.md")):
        if p.name == "README.md":
            continue
        text = p.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        meta, body = (yaml.safe_load(m.group(1)), m.group(2)) if m else ({}, text)
        # sentences only: headings are chunk metadata, not quotable answer text
        sentences = "\n".join(l for l in body.splitlines() if not l.lstrip().startswith("#"))
        docs[p.stem] = {"meta": meta, "body": sentences, "full": text}
    return docs


def main() -> int:
    docs = load_corpus()
    corpus_nfkc = "\n".join(nfkc(d["full"]) for d in docs.values())
    corpus_norm = "\n".join(normalize(d["full"]) for d in docs.values())
    corpus_nospace = re.sub(r"\s+", "", corpus_nfkc)
    all_bodies = "\n".join(nfkc(d["body"]) for d in docs.values())
    errors: list[str] = []
    stale: list[str] = []   # frozen holdout key points a later corpus edit made unreachable (reported, not fixed)
    seen_ids: set[str] = set()
    all_cases = {}
    files = sys.argv[1:] or ["cases.yaml", "holdout.yaml"]
    for name in (pathlib.Path(f).name for f in files):
        path = ROOT / "evals" / name
        if not path.is_file():
            continue
        frozen = name == "holdout.yaml"
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(cases, list), f"{name}: not a list"
        all_cases[name] = cases
        for c in cases:
            cid = c.get("id")
            where = f"{name}:{cid}"
            if not cid or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", cid):
                errors.append(f"{where}: bad id")
            if cid in seen_ids:
                errors.append(f"{where}: duplicate id")
            seen_ids.add(cid)
            if not c.get("question"):
                errors.append(f"{where}: no question")
            if c.get("persona") not in PERSONAS:
                errors.append(f"{where}: bad persona {c.get('persona')}")
            if c.get("out_of_scope"):
                if "oos" not in (c.get("tags") or []):
                    errors.append(f"{where}: out-of-scope case without the oos tag")
                continue
            for cc in c.get("conclusions") or []:
                if cc not in CONCLUSIONS:
                    errors.append(f"{where}: unknown conclusion {cc}")
            if not c.get("conclusions"):
                errors.append(f"{where}: no conclusions")
            exp = c.get("expect") or {}
            if "primary_actor" not in exp or exp["primary_actor"] not in ACTORS:
                errors.append(f"{where}: bad primary_actor {exp.get('primary_actor')}")
            if exp.get("cause") not in CAUSES:
                errors.append(f"{where}: bad cause {exp.get('cause')}")
            if any(a not in ACTORS or a is None for a in exp.get("not_first") or []):
                errors.append(f"{where}: bad not_first {exp.get('not_first')}")
            if exp.get("primary_actor") and exp["primary_actor"] in (exp.get("not_first") or []):
                errors.append(f"{where}: primary_actor is also in not_first")
            if exp.get("verdict") not in (None, "yes", "no", "partial"):
                errors.append(f"{where}: bad verdict {exp.get('verdict')}")
            if exp.get("coverage") not in (None, "full", "partial"):
                errors.append(f"{where}: bad coverage {exp.get('coverage')} (in-scope: full or partial)")
            if exp.get("verdict") and "yesno" not in (c.get("tags") or []):
                errors.append(f"{where}: verdict without the yesno tag")
            if c.get("history") and "followup" not in (c.get("tags") or []):
                errors.append(f"{where}: history without the followup tag")
            srcs = exp.get("sources") or []
            if not 1 <= len(srcs) <= 3:
                errors.append(f"{where}: needs 1-3 sources")
            missing = [s for s in srcs if s not in docs]
            if missing:
                errors.append(f"{where}: unknown sources {missing}")
            bodies = [docs[s]["body"] for s in srcs if s in docs]
            kps = exp.get("key_points") or []
            if not 1 <= len(kps) <= 3:
                errors.append(f"{where}: needs 1-3 key points")
            for kp in kps:
                if not isinstance(kp, list) or not kp:
                    errors.append(f"{where}: key point must be a non-empty list: {kp!r}")
                    continue
                if not any(normalize(p) == nfkc(p) for p in kp):
                    errors.append(f"{where}: key point {kp} has no normalisation-stable phrasing")
                for p in kp:
                    if not 2 <= len(nfkc(p)) <= 12:
                        errors.append(f"{where}: phrasing length {len(nfkc(p))}: {p}")
                if frozen:
                    # The holdout is never edited; a corpus edit may move a sentence, so each key point
                    # needs one phrasing somewhere in the corpus bodies (it can still be answered).
                    if not any(nfkc(p) in all_bodies for p in kp):
                        stale.append(f"{where}: no phrasing of a key point occurs in the corpus any more")
                    continue
                for p in kp:
                    if not any(nfkc(p) in nfkc(b) for b in bodies):
                        errors.append(f"{where}: phrasing not in sources (NFKC): {p}")
                    if not any(normalize(p) in normalize(b) for b in bodies):
                        errors.append(f"{where}: phrasing not in sources (normalised): {p}")
            forb = exp.get("forbidden") or []
            if len(forb) > 2:
                errors.append(f"{where}: more than 2 forbidden phrases")
            for f in forb:
                if (nfkc(f) in corpus_nfkc or normalize(f) in corpus_norm
                        or re.sub(r"\s+", "", nfkc(f)) in corpus_nospace):
                    errors.append(f"{where}: forbidden phrase occurs in corpus: {f}")
                if nfkc(f) in nfkc(c["question"]) or normalize(f) in normalize(c["question"]):
                    errors.append(f"{where}: forbidden phrase occurs in the question: {f}")

    for name, cases in all_cases.items():
        ins = [c for c in cases if not c.get("out_of_scope")]
        oos = [c for c in cases if c.get("out_of_scope")]
        print(f"\n=== {name}: {len(ins)} in-scope, {len(oos)} out-of-scope, {len(cases)} total")
        conc = collections.Counter(cc for c in ins for cc in c["conclusions"])
        print("per conclusion:", ", ".join(f"{k}={conc.get(k, 0)}" for k in CONCLUSIONS))
        print("per persona:", dict(collections.Counter(c["persona"] for c in cases)))
        print("per primary_actor:",
              dict(collections.Counter(str(c["expect"]["primary_actor"]) for c in ins)))
        print("per cause:", dict(collections.Counter(c["expect"]["cause"] for c in ins)))
        kp_n = sum(len(c["expect"]["key_points"]) for c in ins)
        ph_n = sum(len(kp) for c in ins for kp in c["expect"]["key_points"])
        fb_n = sum(len(c["expect"].get("forbidden") or []) for c in ins)
        print(f"key points: {kp_n} ({ph_n} phrasings); forbidden phrases: {fb_n}")
        if name == "cases.yaml":
            if len(ins) < 64:
                errors.append(f"{name}: only {len(ins)} in-scope cases (need 64)")
            if len(oos) < 8:
                errors.append(f"{name}: only {len(oos)} out-of-scope cases (need 8)")
            for k in CONCLUSIONS:
                need = 5 if k in CORE else 3
                if conc.get(k, 0) < need:
                    errors.append(f"{name}: {k} has {conc.get(k, 0)} cases (need {need})")
        elif name == "holdout.yaml":
            tagged = collections.Counter(t for c in cases for t in c.get("tags") or [])
            partial = sum(1 for c in ins if (c.get("expect") or {}).get("coverage") == "partial")
            print("per tag:", dict(tagged))
            if len(cases) < 40:
                errors.append(f"{name}: only {len(cases)} cases (need 40)")
            for tag, need in (("yesno", 8), ("followup", 5), ("local", 4), ("cross", 3), ("hostile", 4)):
                if tagged.get(tag, 0) < need:
                    errors.append(f"{name}: only {tagged.get(tag, 0)} cases tagged {tag} (need {need})")
            if len(oos) < 4 or partial < 4:
                errors.append(f"{name}: need at least 4 out-of-scope and 4 partial-coverage cases")

    print(f"\ncorpus documents: {len(docs)}")
    for line in stale:
        print("stale (holdout, left as frozen):", line)
    if errors:
        print(f"\n{len(errors)} PROBLEM(S):")
        for e in errors:
            print(" -", e)
        return 1
    print("OK: all key-point phrasings found in their sources; no forbidden phrase in the corpus.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
