"""Loading and checking the triage data files (`triage/data/*.yml`).

A broken file (an unknown department or level, a flag without phrases) fails loudly at start-up
rather than triaging wrongly later.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from triage.model import Level

DATA_DIR = Path(__file__).resolve().parent / "data"
# Fills a reading shorter than what was written (typos.yml); no phrase contains it.
PADDING = "_"


class KnowledgeError(ValueError):
    """A data file does not follow its format."""


@dataclass(frozen=True)
class RedFlag:
    name: str
    label: str
    level: Level
    any: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...]
    min_age: float | None
    max_age: float | None
    sex: str | None
    advice: str
    # Longer words inside which this flag's own words do not count (想死 in 热到想死, 想死你了)
    unless: tuple[str, ...] = ()
    # Further sets of groups, each an alternative to `all_of` (抽筋 + 口吐白沫, or 抽筋 + 分钟)
    or_all_of: tuple[tuple[tuple[str, ...], ...], ...] = ()

    def group_sets(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """`all_of` and each `or_all_of` set: the flag counts when every group of one matches."""
        return tuple(groups for groups in (self.all_of, *self.or_all_of) if groups)


@dataclass(frozen=True)
class Entry:
    """A symptom or a named condition."""

    name: str
    phrases: tuple[str, ...]
    departments: tuple[str, ...]
    level: Level
    children_keep: bool
    sex: str | None
    pregnancy: bool
    history: bool = False  # a past event: red-flag words inside its own words do not count


@dataclass(frozen=True)
class Modifiers:
    child_max_age: float
    child_department: str
    child_keep: frozenset[str]
    pregnancy_department: str
    pregnancy_keep: frozenset[str]
    pregnancy_phrases: tuple[str, ...]
    elderly_min_age: float
    elderly_escalate_to: Level
    elderly_phrases: tuple[str, ...]
    sex_words: dict[str, tuple[str, ...]]
    child_words: tuple[str, ...]
    elderly_words: tuple[str, ...]
    fever_urgent_from: float
    fever_infant_months: float
    # A reading at or above either is same-day; the entry is added as if its words were said.
    pressure_urgent_systolic: int | None = None
    pressure_urgent_diastolic: int | None = None
    pressure_entry: str | None = None
    # …and counts as the first all_of group (the reading) of this red flag
    pressure_red_flag: str | None = None
    # An oxygen saturation (%) below `oxygen_below` is this red flag.
    oxygen_red_flag: str | None = None
    oxygen_below: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """When each follow-up question is worth asking (followup.yml); names are entry names."""

    max_questions: int = 3
    pregnancy_ages: tuple[float, float] = (15, 50)
    pregnancy_ask_when: frozenset[str] = frozenset()
    pregnancy_urgent_when: frozenset[str] = frozenset()
    fever_ask_children: bool = False
    fever_ask_when: frozenset[str] = frozenset()
    severity_ask_when: frozenset[str] = frozenset()
    severity_said_by: tuple[str, ...] = ()
    severe_red_flags: dict[str, frozenset[str]] = field(default_factory=dict)  # flag → entries
    self_care_max_days: float | None = None
    duration_said_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    departments: dict[str, str]
    red_flags: tuple[RedFlag, ...]
    entries: tuple[Entry, ...]
    modifiers: Modifiers
    follow_up: FollowUp = field(default_factory=FollowUp)
    # what was written (a slip, a regional word) → the word meant, padded to the same length
    typos: dict[str, str] = field(default_factory=dict)


def load_knowledge(data_dir: Path = DATA_DIR) -> Knowledge:
    departments = _departments(_read(data_dir / "departments.yml"))
    words_file = data_dir / "words.yml"
    words = _words(_read(words_file)) if words_file.exists() else {}
    red_flags = _red_flags(_read(data_dir / "red_flags.yml"), departments, words)
    entries = tuple(
        entry
        for name in ("symptoms.yml", "conditions.yml")
        for entry in _entries(_read(data_dir / name), departments, name, words)
    )
    modifiers = _modifiers(_read(data_dir / "modifiers.yml"), departments, entries, red_flags)
    follow_up_file = data_dir / "followup.yml"
    follow_up = (
        _follow_up(_read(follow_up_file), entries, red_flags)
        if follow_up_file.exists()
        else FollowUp()
    )
    typos_file = data_dir / "typos.yml"
    typos = _typos(_read(typos_file)) if typos_file.exists() else {}
    return Knowledge(departments, red_flags, entries, modifiers, follow_up, typos)


def _read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path.name}: not a mapping")
    return data


def _departments(data: dict[str, Any]) -> dict[str, str]:
    found = data.get("departments")
    if not isinstance(found, dict) or not found:
        raise KnowledgeError("departments.yml: no departments")
    return {str(code): str(name) for code, name in found.items()}


def _level(value: Any, where: str) -> Level:
    try:
        return Level(str(value))
    except ValueError:
        raise KnowledgeError(f"{where}: unknown level {value!r}") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise KnowledgeError(f"{where}: expected a list of phrases")
    phrases = tuple(str(v) for v in value)
    if any(not phrase.strip("* ") for phrase in phrases):
        raise KnowledgeError(f"{where}: an empty phrase (a stray comma?) would match everything")
    return phrases


def _words(data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """words.yml: named word classes (`pain: [痛, 疼]`) that phrases use as `{pain}`."""
    found = data.get("words") or {}
    if not isinstance(found, dict):
        raise KnowledgeError("words.yml words: must map a class name to its words")
    words: dict[str, tuple[str, ...]] = {}
    for name, members in found.items():
        where = f"words.yml {name}"
        if not _CLASS_NAME.fullmatch(str(name)):
            raise KnowledgeError(f"{where}: a class name is lower-case letters and _")
        words[str(name)] = _strings(members, where)
        if not words[str(name)] or any(set(word) & set("{}*") for word in words[str(name)]):
            raise KnowledgeError(f"{where}: needs words, without {{}} or *")
    return words


_CLASS_NAME = re.compile(r"[a-z_]+")
_CLASS_USE = re.compile(r"\{([a-z_]+)\}")


def _phrases(value: Any, where: str, words: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A phrase list with each `{class}` replaced by every word of its class (words.yml), so
    `{press}*{chest}*{pain}` stands for 按*胸*痛, 按*心口*痛, 揿*胸*疼…, in the order written."""
    phrases: dict[str, None] = {}  # ordered and without repeats
    for phrase in _strings(value, where):
        pieces = _CLASS_USE.split(phrase)  # literal, class, literal, class, …, literal
        if "{" in phrase or "}" in phrase:
            if any(set(literal) & set("{}") for literal in pieces[::2]):
                raise KnowledgeError(f"{where}: {phrase!r} has a stray brace")
            if unknown := sorted(set(pieces[1::2]) - set(words)):
                raise KnowledgeError(f"{where}: {phrase!r} uses unknown word classes {unknown}")
        choices = [(literal,) for literal in pieces[::2]]
        classes = [words[name] for name in pieces[1::2]]
        slots = [slot for pair in itertools.zip_longest(choices, classes) for slot in pair if slot]
        for combination in itertools.product(*slots):
            phrases["".join(combination)] = None
    return tuple(phrases)


def _red_flags(
    data: dict[str, Any], departments: dict[str, str], words: Mapping[str, tuple[str, ...]]
) -> tuple[RedFlag, ...]:
    advice = data.get("advice") or {}
    flags: list[RedFlag] = []
    for item in data.get("red_flags") or []:
        name = str(item.get("name") or "")
        where = f"red_flags.yml {name or '?'}"
        any_phrases = _phrases(item.get("any"), where, words)
        all_of = tuple(_phrases(group, where, words) for group in item.get("all_of") or [])
        or_all_of = tuple(
            tuple(_phrases(group, where, words) for group in groups or [])
            for groups in item.get("or_all_of") or []
        )
        if any(len(groups) < 2 for groups in or_all_of):
            raise KnowledgeError(f"{where}: each or_all_of set needs two groups or more")
        if not name or not (any_phrases or all_of or or_all_of):
            raise KnowledgeError(f"{where}: a flag needs a name and phrases")
        when = item.get("when") or {}
        advice_key = str(item.get("advice") or name)
        if advice_key not in advice:
            raise KnowledgeError(f"{where}: no advice {advice_key!r}")
        flags.append(
            RedFlag(
                name=name,
                label=str(item.get("label") or name),
                level=_level(item.get("level"), where),
                any=any_phrases,
                all_of=all_of,
                min_age=_number(when.get("min_age")),
                max_age=_number(when.get("max_age")),
                sex=when.get("sex"),
                advice=_unfold(str(advice[advice_key])),
                unless=_phrases(item.get("unless"), where, words),
                or_all_of=or_all_of,
            )
        )
    if not flags:
        raise KnowledgeError("red_flags.yml: no red flags")
    return tuple(flags)


def _entries(
    data: dict[str, Any],
    departments: dict[str, str],
    file: str,
    words: Mapping[str, tuple[str, ...]],
) -> list[Entry]:
    entries: list[Entry] = []
    for item in data.get("entries") or []:
        name = str(item.get("name") or "")
        where = f"{file} {name or '?'}"
        codes = _strings(item.get("departments"), where)
        unknown = [code for code in codes if code not in departments]
        if not name or not codes or unknown:
            raise KnowledgeError(f"{where}: needs a name and known departments ({unknown})")
        phrases = _phrases(item.get("phrases"), where, words) or (name,)
        entries.append(
            Entry(
                name=name,
                phrases=phrases,
                departments=codes,
                level=_level(item.get("level", "routine"), where),
                children_keep=item.get("children") == "keep",
                sex=item.get("sex"),
                pregnancy=bool(item.get("pregnancy")),
                history=bool(item.get("history")),
            )
        )
    return entries


def _modifiers(
    data: dict[str, Any],
    departments: dict[str, str],
    entries: tuple[Entry, ...] = (),
    red_flags: tuple[RedFlag, ...] = (),
) -> Modifiers:
    children, pregnancy, elderly = data["children"], data["pregnancy"], data["elderly"]
    fever, pressure = data["fever"], data.get("blood_pressure") or {}
    pressure_entry, pressure_flag = pressure.get("entry"), pressure.get("red_flag")
    if pressure_entry is not None and pressure_entry not in {entry.name for entry in entries}:
        raise KnowledgeError(f"modifiers.yml blood_pressure: unknown entry {pressure_entry!r}")
    if pressure_flag is not None and not any(
        flag.name == pressure_flag and flag.all_of for flag in red_flags
    ):
        raise KnowledgeError(
            f"modifiers.yml blood_pressure: {pressure_flag!r} is no red flag with all_of groups"
        )
    oxygen = data.get("oxygen") or {}
    oxygen_flag = oxygen.get("red_flag")
    if oxygen_flag is not None and oxygen_flag not in {flag.name for flag in red_flags}:
        raise KnowledgeError(f"modifiers.yml oxygen: unknown red flag {oxygen_flag!r}")
    for code in (children["department"], pregnancy["department"]):
        if code not in departments:
            raise KnowledgeError(f"modifiers.yml: unknown department {code}")
    return Modifiers(
        child_max_age=float(children["max_age"]),
        child_department=str(children["department"]),
        child_keep=frozenset(children.get("keep") or ()),
        pregnancy_department=str(pregnancy["department"]),
        pregnancy_keep=frozenset(pregnancy.get("keep") or ()),
        pregnancy_phrases=_strings(pregnancy.get("phrases"), "modifiers.yml pregnancy"),
        elderly_min_age=float(elderly["min_age"]),
        elderly_escalate_to=_level(elderly["escalate_to"], "modifiers.yml elderly"),
        elderly_phrases=_strings(elderly.get("phrases"), "modifiers.yml elderly"),
        sex_words={
            sex: _strings(words, "modifiers.yml sex_words")
            for sex, words in (data.get("sex_words") or {}).items()
        },
        child_words=_strings(data.get("child_words"), "modifiers.yml child_words"),
        elderly_words=_strings(data.get("elderly_words"), "modifiers.yml elderly_words"),
        fever_urgent_from=float(fever["urgent_from"]),
        fever_infant_months=float(fever["infant_months"]),
        pressure_urgent_systolic=_whole(pressure.get("urgent_systolic")),
        pressure_urgent_diastolic=_whole(pressure.get("urgent_diastolic")),
        pressure_entry=str(pressure_entry) if pressure_entry is not None else None,
        pressure_red_flag=str(pressure_flag) if pressure_flag is not None else None,
        oxygen_red_flag=str(oxygen_flag) if oxygen_flag is not None else None,
        oxygen_below=_whole(oxygen.get("red_flag_below")),
    )


def _follow_up(
    data: dict[str, Any], entries: tuple[Entry, ...], red_flags: tuple[RedFlag, ...]
) -> FollowUp:
    known = {entry.name for entry in entries}
    flags = {flag.name for flag in red_flags}

    def names(value: Any, where: str) -> frozenset[str]:
        found = frozenset(_strings(value, f"followup.yml {where}"))
        if unknown := sorted(found - known):
            raise KnowledgeError(f"followup.yml {where}: unknown entries {unknown}")
        return found

    pregnancy, fever = data.get("pregnancy") or {}, data.get("fever") or {}
    severity, duration = data.get("severity") or {}, data.get("duration") or {}
    severe_flags = severity.get("red_flag_when") or {}
    if unknown_flags := sorted(set(severe_flags) - flags):
        raise KnowledgeError(f"followup.yml severity: unknown red flags {unknown_flags}")
    max_days = duration.get("self_care_max_days")
    return FollowUp(
        max_questions=int(data.get("max_questions", 3)),
        pregnancy_ages=(float(pregnancy.get("min_age", 15)), float(pregnancy.get("max_age", 50))),
        pregnancy_ask_when=names(pregnancy.get("ask_when"), "pregnancy.ask_when"),
        pregnancy_urgent_when=names(pregnancy.get("urgent_when"), "pregnancy.urgent_when"),
        fever_ask_children=bool(fever.get("ask_children")),
        fever_ask_when=names(fever.get("ask_when"), "fever.ask_when"),
        severity_ask_when=names(severity.get("ask_when"), "severity.ask_when"),
        severity_said_by=_strings(severity.get("said_by"), "followup.yml severity.said_by"),
        severe_red_flags={
            flag: names(entry_names, f"severity.red_flag_when.{flag}")
            for flag, entry_names in severe_flags.items()
        },
        self_care_max_days=_number(max_days),
        duration_said_by=_strings(duration.get("said_by"), "followup.yml duration.said_by"),
    )


def _typos(data: dict[str, Any]) -> dict[str, str]:
    """Slips and regional words (both sections) → the word meant, left-padded with `_` to the
    length of what was written, so that offsets hold (脑瓜子 → __头)."""
    typos: dict[str, str] = {}
    for section in ("typos", "regional"):
        found = data.get(section) or {}
        if not isinstance(found, dict):
            raise KnowledgeError(f"typos.yml {section}: must map what is written to the word meant")
        for wrong, right in ((str(w), str(r)) for w, r in found.items()):
            if not wrong.strip() or not right.strip() or wrong == right or len(right) > len(wrong):
                raise KnowledgeError(
                    f"typos.yml {wrong}: the word meant must differ and be no longer"
                )
            if wrong in typos:
                raise KnowledgeError(f"typos.yml {wrong}: listed twice")
            typos[wrong] = PADDING * (len(wrong) - len(right)) + right
    return typos


# YAML's folded blocks (>-) join lines with a space, which Chinese text does not have.
_FOLDED_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def _unfold(text: str) -> str:
    return _FOLDED_SPACE.sub("", text.strip())


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)
