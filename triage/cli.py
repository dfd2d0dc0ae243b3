"""The batch command for evaluation and admins: `frontdoor triage < cases.jsonl`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from triage.engine import TriageEngine, default_engine


def run_lines(engine: TriageEngine, source: TextIO, sink: TextIO) -> int:
    """Triage every JSON line of `source` into `sink`; returns the number of bad lines."""
    bad = 0
    for line in source:
        if not line.strip():
            continue
        try:
            answer: dict[str, Any] = _triage_line(engine, line)
        except ValueError as exc:
            bad += 1
            answer = {"error": str(exc)}
        sink.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return bad


def _triage_line(engine: TriageEngine, line: str) -> dict[str, Any]:
    case = json.loads(line)
    if not isinstance(case, dict) or not isinstance(case.get("text"), str):
        raise ValueError('each line needs {"text": "..."}')
    age = case.get("age")
    if age is not None and (not isinstance(age, int | float) or not 0 <= age <= 130):
        raise ValueError("age must be a number of years from 0 to 130")
    sex = case.get("sex")
    if sex not in (None, "male", "female"):
        raise ValueError('sex must be "male", "female" or null')
    return engine.triage(case["text"], age=age, sex=sex).as_json()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdoor triage", description=__doc__)
    parser.parse_args(argv)
    bad = run_lines(default_engine(), sys.stdin, sys.stdout)
    return 1 if bad else 0
