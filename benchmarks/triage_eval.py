"""Triage quality on the labelled evaluation sets, and speed: `python -m benchmarks.triage_eval`.

Reads the sets in tests/triage/ (written apart from the engine's lexicon; see its README) and
prints, for each: red-flag recall (goal 100%), false emergency rate (non-red-flag cases answered
as an emergency), exact level accuracy, safe-level rate (level correct or more cautious; goal
≥ 97%), department top-1 and top-3 accuracy (an acceptable department first / among the first
three), and texts per second on one core. Nothing asserts: the numbers go to the README.

`--set dev…dev5|holdout|fresh|fresh2|fresh3|all` chooses the set (default: every set there
is, one table each). The development sets (`dev` to `dev5`) also list the misses
that matter; misses are never listed for the held-out half or the fresh sets (`--show-misses`
with them is refused): they are never looked at case by case, so that they keep measuring words
the knowledge was not written from.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.engine import default_engine
from triage.model import Level, TriageResult

EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "triage"
SETS: dict[str, tuple[str, ...]] = {
    "dev": ("eval_dev.jsonl",),
    "holdout": ("eval_holdout.jsonl",),
    "all": ("eval_dev.jsonl", "eval_holdout.jsonl"),
    # Written afterwards by a separate author who never saw the engine or the other sets.
    "fresh": ("eval_fresh.jsonl",),
    # More fresh sets by other authors, each scored once at the end of a round.
    "fresh2": ("eval_fresh2.jsonl",),
    "fresh3": ("eval_fresh3.jsonl",),
    "fresh4": ("eval_fresh4.jsonl",),
    # Further development sets by further authors, one per round of the knowledge (each scored
    # once before it is read, then tuned on).
    "dev2": ("eval_dev2.jsonl",),
    "dev3": ("eval_dev3.jsonl",),
    "dev4": ("eval_dev4.jsonl",),
    "dev5": ("eval_dev5.jsonl",),
    "dev6": ("eval_dev6.jsonl",),
    "dev7": ("eval_dev7.jsonl",),
}
DEFAULT_ORDER = (
    *("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7"),
    *("holdout", "fresh", "fresh2", "fresh3", "fresh4"),
)
# Sets whose misses may be read (the others are held out).
DEVELOPMENT_SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7")
EMERGENCIES = (Level.EMERGENCY_AMBULANCE, Level.EMERGENCY)


@dataclass
class Scores:
    cases: int = 0
    red_flag_cases: int = 0
    red_flags_caught: int = 0
    other_cases: int = 0
    false_emergencies: int = 0
    level_exact: int = 0
    level_safe: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[str] = field(default_factory=list)
    under_triage: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, case: dict[str, Any], result: TriageResult) -> None:
        self.cases += 1
        expected = Level(case["level"])
        wanted = case["departments"]
        ranked = [result.department, *result.alternatives]
        if case.get("red_flag"):
            self.red_flag_cases += 1
            if result.level in EMERGENCIES:
                self.red_flags_caught += 1
            else:
                self.misses.append(f"{case['id']} {case['text']} → {result.level.value}")
        else:
            self.other_cases += 1
            if result.level in EMERGENCIES and expected not in EMERGENCIES:
                self.false_emergencies += 1
                flags = ",".join(result.red_flags)
                self.false_alarms.append(
                    f"{case['id']} {case['text']} → {result.level.value} [{flags}]"
                    f" (want {expected.value})"
                )
        self.level_exact += result.level is expected
        if result.level.rank <= expected.rank:
            self.level_safe += 1
        elif not case.get("red_flag"):
            self.under_triage.append(
                f"{case['id']} {case['text']} → {result.level.value} (want {expected.value})"
            )
        self.top1 += result.department in wanted
        self.top3 += any(code in wanted for code in ranked[:3])

    def summary(self) -> dict[str, Any]:
        def share(n: int, d: int) -> float:
            return round(100 * n / d, 1) if d else 0.0

        return {
            "cases": self.cases,
            "red_flag_recall_pct": share(self.red_flags_caught, self.red_flag_cases),
            "red_flag_cases": self.red_flag_cases,
            "false_emergency_rate_pct": share(self.false_emergencies, self.other_cases),
            "level_exact_pct": share(self.level_exact, self.cases),
            "level_safe_pct": share(self.level_safe, self.cases),
            "department_top1_pct": share(self.top1, self.cases),
            "department_top3_pct": share(self.top3, self.cases),
        }


def load_cases(name: str, eval_dir: Path = EVAL_DIR) -> list[dict[str, Any]]:
    """The labelled cases of set `name` (dev, holdout or all)."""
    cases: list[dict[str, Any]] = []
    for file in SETS[name]:
        text = (eval_dir / file).read_text(encoding="utf-8")
        cases.extend(json.loads(line) for line in text.splitlines() if line.strip())
    return cases


def score(cases: list[dict[str, Any]]) -> Scores:
    engine = default_engine()
    scores = Scores()
    for case in cases:
        scores.add(case, engine.triage(case["text"], age=case.get("age"), sex=case.get("sex")))
    return scores


def speed(cases: list[dict[str, Any]]) -> float:
    """Texts per second on one core (engine only, data loaded)."""
    engine = default_engine()
    texts = [case["text"] for case in cases] * max(1, 5000 // max(1, len(cases)))
    started = time.perf_counter()
    for text in texts:
        engine.triage(text)
    return len(texts) / (time.perf_counter() - started)


def _exists(name: str) -> bool:
    return all((EVAL_DIR / file).exists() for file in SETS[name])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default=None,
        help="which cases to score (default: every set, one table each)",
    )
    parser.add_argument(
        "--show-misses",
        action="store_true",
        help="list the misses (development sets only; the default with a development set)",
    )
    parser.add_argument("--show", type=int, default=50, help="how many misses to list")
    args = parser.parse_args()
    if args.show_misses and args.set not in DEVELOPMENT_SETS:
        parser.error("--show-misses is for the development sets: held-out misses are never shown")
    show_misses = args.set in DEVELOPMENT_SETS
    names = [args.set] if args.set else [name for name in DEFAULT_ORDER if _exists(name)]
    all_cases: list[dict[str, Any]] = []
    for name in names:
        cases = load_cases(name)
        all_cases.extend(cases)
        scores = score(cases)
        print(f"== {name} ({', '.join(SETS[name])})")
        print(json.dumps(scores.summary(), ensure_ascii=False, indent=2))
        if show_misses:
            print(f"\nred flags missed ({len(scores.misses)}):")
            for line in scores.misses[: args.show]:
                print("  " + line)
            print(f"\nunder-triaged, not red flags ({len(scores.under_triage)}):")
            for line in scores.under_triage[: args.show]:
                print("  " + line)
            print(f"\nfalse emergencies ({len(scores.false_alarms)}):")
            for line in scores.false_alarms[: args.show]:
                print("  " + line)
            print()
    per_second = speed(all_cases)
    print(f"speed: {per_second:,.0f} texts/s on one core (engine only, data loaded)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
