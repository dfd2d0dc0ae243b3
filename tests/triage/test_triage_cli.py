"""`frontdoor triage`: JSON lines in, one JSON line out per input, bad lines answered in place."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from triage_fixtures import small_knowledge

from triage.cli import run_lines
from triage.engine import TriageEngine
from triage.knowledge import load_knowledge

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine(tmp_path: Path) -> TriageEngine:
    return TriageEngine(load_knowledge(small_knowledge(tmp_path)))


def test_one_answer_per_line_and_errors_in_place(engine: TriageEngine) -> None:
    lines = [
        {"text": "心口好痛"},
        {"text": "咳嗽", "age": 5},
        "not json",
        {"text": "头痛", "age": -3},
        {"text": "头痛", "sex": "x"},
        {"age": 3},
        {"text": "月经不调", "sex": "female"},
    ]
    source = io.StringIO(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n\n"
    )
    sink = io.StringIO()
    assert run_lines(engine, source, sink) == 4
    answers = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["department"] == "emergency" and answers[0]["red_flags"] == ["chest_pain"]
    assert answers[0]["level"] == "emergency_ambulance"
    assert answers[1]["department"] == "pediatrics"
    assert set(answers[1]) >= {"department", "level", "red_flags", "reason", "alternatives"}
    assert all("error" in answers[i] for i in (2, 3, 4, 5))
    assert answers[6]["department"] == "gynecology"


def test_the_installed_command_runs_the_shipped_knowledge() -> None:
    command = Path(sys.executable).with_name("frontdoor")
    assert command.exists(), "make setup installs the `frontdoor` command into the venv"
    done = subprocess.run(
        [str(command), "triage"],
        input='{"text": "我心口好痛，出冷汗", "age": 66}\n{"text": "牙痛三天"}\n',
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["level"] == "emergency_ambulance" and first["department"] == "emergency"
    assert second["department"] == "stomatology"
