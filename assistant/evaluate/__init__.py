"""Eval harness: the answers checked against the talk's conclusions (evals/cases.yaml)."""
