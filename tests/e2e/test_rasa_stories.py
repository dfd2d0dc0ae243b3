"""Rasa's own story tests (`rasa test core`) on the trained model: every step of the stories in
tests/stories/ (happy paths, corrections, digressions, stops, hand-offs) must be predicted."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scripts.launcher import RASA_BIN, REPO, current_model

pytestmark = pytest.mark.e2e


def test_every_story_step_is_predicted(tmp_path: Path) -> None:
    model = current_model()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make model` first")
    result = subprocess.run(
        [
            str(RASA_BIN),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(REPO / "tests" / "stories"),
            "--out",
            str(tmp_path),
            "--no-plot",
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failed = tmp_path / "failed_test_stories.yml"
    report = json.loads((tmp_path / "story_report.json").read_text(encoding="utf-8"))
    assert "# None of the test stories failed" in failed.read_text(encoding="utf-8"), (
        failed.read_text(encoding="utf-8")[-4000:]
    )
    assert report["conversation_accuracy"]["accuracy"] == 1.0
