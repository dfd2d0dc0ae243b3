"""The held-out NLU phrasings (tests/nlu/holdout) must never leak into the training data, or the
F1 reported in the README would measure memory instead of understanding."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain(example: str) -> str:
    """The text a resident typed: entity annotations removed, spaces ignored."""
    return re.sub(r"\s+", "", _ANNOTATION.sub(r"\1", example))


def examples(path: Path) -> dict[str, str]:
    """plain text → intent, for every example in an NLU file."""
    found: dict[str, str] = {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                found[plain(line[2:])] = block["intent"]
    return found


def test_no_held_out_phrasing_is_trained_on() -> None:
    training: dict[str, str] = {}
    for path in sorted((REPO / "nlu" / "data").glob("*.yml")):
        training.update(examples(path))
    held_out: dict[str, str] = {}
    for path in sorted((REPO / "tests" / "nlu" / "holdout").glob("*.yml")):
        held_out.update(examples(path))
    assert len(held_out) >= 150
    leaked = sorted(text for text in held_out if text in training)
    assert leaked == []


def test_annotations_are_removed_before_comparing() -> None:
    assert plain("帮我约[明天]的[儿科](department)的号") == "帮我约[明天]的儿科的号"
    assert plain('[牙科]{"entity": "department", "value": "口腔科"} 约 一个') == "牙科约一个"
