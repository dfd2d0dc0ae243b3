"""Follow-up questions: which to ask (at most three, only where the answer changes the
department or the urgency) and how to read the resident's answers. Pure; the dialogue asks them
(actions/triage/form.py), the data says when each is worth asking (triage/data/followup.yml).

The order is the order a triage nurse asks in: what is wrong (only when nothing was
recognised), who and how old (a child goes to 儿科, a baby's fever is an emergency), whether she
may be pregnant, whether there is a fever, how bad the pain is, and how long it has lasted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum

from common.chinese_numbers import CHINESE_NUMERAL_CHARS, parse_number
from nlu.components.text_normalization import normalize_text
from triage.engine import TriageEngine
from triage.model import Facts, Level
from triage.phrases import normalise
from triage.profile import age_in_text, temperature_in_text


class Question(str, Enum):  # noqa: UP042 (triage/ also runs on Rasa's Python 3.10)
    DETAIL = "detail"
    WHO = "who"
    PREGNANCY = "pregnancy"
    FEVER = "fever"
    SEVERITY = "severity"
    DURATION = "duration"

    def __str__(self) -> str:
        return self.value


UNKNOWN = "unknown"  # an answer that says nothing usable: never asked again
FEVER_FROM = 37.3  # °C: a measured temperature from here on is a fever


def plan(
    engine: TriageEngine,
    text: str,
    *,
    age: float | None = None,
    sex: str | None = None,
    facts: Facts | None = None,
    answered: Sequence[Question] = (),
) -> list[Question]:
    """The questions of this triage: those answered first, then those still worth asking, at
    most `max_questions` in all. The dialogue asks the first one not yet answered."""
    facts = facts or Facts()
    result = engine.triage(text, age=age, sex=sex, facts=facts)
    follow = engine.knowledge.follow_up
    asked = list(dict.fromkeys(answered))
    if result.red_flags or len(asked) >= follow.max_questions:
        return asked
    pending: list[Question] = []

    def want(question: Question, worth_it: bool) -> None:
        if worth_it and question not in asked:
            pending.append(question)

    if not result.matched:
        # Nothing recognised: ask what is wrong once; after that, answer with what we have.
        want(Question.DETAIL, Question.DETAIL not in asked)
        return [*asked, *pending][: follow.max_questions]
    matched = set(result.matched)
    profile = engine.profile(text, age=age, sex=sex, facts=facts)
    child = engine.is_child(profile, text)
    fever_known = facts.fever is not None or engine.mentions_fever(text)
    norm = normalise(text)
    if profile.age_years is None:
        if child:
            # A child's department is 儿科 anyway; the age matters for a baby's fever.
            want(Question.WHO, bool(facts.fever) or engine.mentions_fever(text))
        else:
            keep = engine.knowledge.modifiers.child_keep
            want(Question.WHO, result.department not in keep)
    low, high = follow.pregnancy_ages
    of_age = profile.age_years is None or low <= profile.age_years <= high
    want(
        Question.PREGNANCY,
        profile.sex != "male"
        and of_age
        and not child
        and not profile.pregnant
        and facts.pregnant is None
        and bool(matched & follow.pregnancy_ask_when),
    )
    want(
        Question.FEVER,
        not fever_known
        and ((child and follow.fever_ask_children) or bool(matched & follow.fever_ask_when)),
    )
    want(
        Question.SEVERITY,
        facts.severe is None
        and result.level in (Level.ROUTINE, Level.SELF_CARE)
        and bool(matched & follow.severity_ask_when)
        and not any(word in norm for word in follow.severity_said_by),
    )
    want(
        Question.DURATION,
        facts.duration_days is None
        and result.level is Level.SELF_CARE
        and follow.self_care_max_days is not None
        and not any(word in norm for word in follow.duration_said_by),
    )
    return [*asked, *pending][: follow.max_questions]


def facts_from_answers(answers: Mapping[Question, str]) -> Facts:
    """The engine's facts from the answers as the dialogue keeps them (`yes`/`no`, a
    temperature for the fever, `severe`/`mild`, a number of days, or UNKNOWN)."""

    def yes_no(question: Question, yes: str = "yes", no: str = "no") -> bool | None:
        value = answers.get(question)
        return True if value == yes else False if value == no else None

    days = answers.get(Question.DURATION)
    degrees = _float(answers.get(Question.FEVER))
    fever = yes_no(Question.FEVER) if degrees is None else degrees >= FEVER_FROM
    return Facts(
        pregnant=yes_no(Question.PREGNANCY),
        fever=fever,
        temperature=degrees,
        severe=yes_no(Question.SEVERITY, "severe", "mild"),
        duration_days=_float(days),
    )


# --- reading answers -------------------------------------------------------------------------

_NUM = rf"[0-9]{{1,3}}|[{CHINESE_NUMERAL_CHARS}]{{1,4}}"
_BARE_AGE = re.compile(rf"^(?:我|佢|他|她|今年|大概|大约|差不多|有)*({_NUM})(?:多|几|来)?$")
_MONTHS_OLD = re.compile(rf"({_NUM}|半)\s*(?:个多|个)?\s*月")
_DECADES = re.compile(rf"([{CHINESE_NUMERAL_CHARS}]{{1,3}}十|[1-9]0)(?:多|几|来)")
_UNKNOWN_WORDS = (
    "不知道", "唔知", "不清楚", "唔清楚", "不确定", "唔确定", "说不准", "讲唔定", "不懂",
)  # fmt: skip
_NO_WORDS = ("没有", "没", "冇", "无", "不是", "唔系", "不会", "唔会", "不可能", "否", "不", "唔")
_YES_WORDS = ("有可能", "可能", "有", "是", "系", "对", "会", "怀了", "怀咗", "嗯", "好似")
_SEVERE_WORDS = (
    "很痛", "好痛", "非常", "剧", "厉害", "犀利", "受不了", "顶唔顺", "顶不住", "忍不住",
    "忍不了", "睡不着", "瞓唔着", "打滚", "好辛苦", "很辛苦", "痛死", "好严重", "很严重",
)  # fmt: skip
_MILD_WORDS = (
    "一点", "有点", "少少", "有啲", "还好", "还行", "可以忍", "能忍", "忍得住", "不太", "唔系好",
    "轻微", "隐隐", "不严重", "唔严重", "一般",
)  # fmt: skip
_BARE_TEMPERATURE = re.compile(
    r"(?<![0-9.])((?:3[5-9]|4[0-2])(?:\.[0-9])?)(?![0-9.]|岁|歲|天|日|周|月|年)"
)
_SCORE = re.compile(r"([0-9]{1,2})\s*分")
_DURATION = re.compile(
    rf"({_NUM}|半|几|好几|一两|两三|三四)\s*(?:多)?\s*(个多|个)?\s*"
    r"(天|日|晚|周|星期|礼拜|个礼拜|个星期|月|年)"
)
_UNIT_DAYS = {"天": 1, "日": 1, "晚": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30, "年": 365}
_ROUGH = {"半": 0.5, "几": 3.0, "好几": 4.0, "一两": 1.5, "两三": 2.5, "三四": 3.5}
_RECENT = {
    "刚刚": 0, "刚才": 0, "今天": 0, "今日": 0, "今朝": 0, "今早": 0, "今晚": 0, "啱啱": 0,
    "昨天": 1, "昨晚": 1, "琴日": 1, "寻日": 1, "昨日": 1, "前天": 2, "前日": 2,
    "好耐": 30, "很久": 30, "好久": 30, "好多年": 365, "很多年": 365,
}  # fmt: skip


def read_age(text: str) -> float | None:
    """「5岁」「八个月」「45」「七十几」「我阿妈八十多岁」 → years; None when it gives no age."""
    if (age := age_in_text(text)) is not None:
        return age
    compact = normalise(text)
    if match := _MONTHS_OLD.search(compact):
        months = 0.5 if match.group(1) == "半" else parse_number(match.group(1))
        return months / 12 if months is not None else None
    if match := _BARE_AGE.match(compact):
        value = parse_number(match.group(1))
        return float(value) if value is not None and 0 < value <= 120 else None
    if match := _DECADES.search(compact):
        value = parse_number(match.group(1))
        return float(value) if value is not None and 0 < value <= 120 else None
    return None


def read_yes_no(text: str, intent: str | None = None) -> bool | None:
    """「有可能」「系」→ yes; 「没有」「冇」「唔系」→ no; 「不知道」 or anything else → None.
    The NLU's affirm/deny decide when the words do not (a tapped choice)."""
    compact = normalise(text)
    if any(word in compact for word in _UNKNOWN_WORDS):
        return None
    if any(compact.startswith(word) for word in _NO_WORDS):
        return False
    if any(compact.startswith(word) for word in _YES_WORDS):
        return True
    if any(word in compact for word in _NO_WORDS[:8]):  # 「应该冇」「好似没有」
        return False
    if any(word in compact for word in _YES_WORDS[:7]):  # 「应该有」「估计系」
        return True
    if intent in ("affirm", "deny"):
        return intent == "affirm"
    return None


def read_severity(text: str, intent: str | None = None) -> bool | None:
    """True for severe (「好痛」「痛到瞓唔着」, 7 of 10 or more), False for mild, else None."""
    compact = normalise(text)
    if match := _SCORE.search(compact):
        return int(match.group(1)) >= 7
    if any(word in compact for word in _MILD_WORDS):
        return False
    if any(compact.startswith(word) for word in _NO_WORDS):  # 「不厉害」「唔系好犀利」
        return False
    if any(word in compact for word in _SEVERE_WORDS):
        return True
    return read_yes_no(text, intent)  # 「痛得厉害吗？」「是」 = severe


def answer_value(question: Question, text: str, intent: str | None = None) -> str | None:
    """The answer to `question` as the dialogue keeps it (see facts_from_answers), or None when
    the words do not answer it. A DETAIL answer is the words themselves, kept apart."""
    if question is Question.DETAIL:
        return "given"
    if question is Question.WHO:
        age = read_age(text)
        return None if age is None else f"{age:g}"
    if question is Question.DURATION:
        days = read_duration(text)
        return None if days is None else f"{days:g}"
    if question is Question.SEVERITY:
        severe = read_severity(text, intent)
        return None if severe is None else ("severe" if severe else "mild")
    if question is Question.FEVER:
        degrees = read_temperature(text)
        if degrees is not None:
            return f"{degrees:g}"  # the temperature itself: 39.5 makes it urgent
    answer = read_yes_no(text, intent)
    return None if answer is None else ("yes" if answer else "no")


def read_temperature(text: str) -> float | None:
    """「38度5」「39.5」「烧到40」 → °C, also a bare number (the answer to "多少度？")."""
    folded = normalize_text(text).lower()
    if (degrees := temperature_in_text(folded)) is not None:
        return degrees
    if match := _BARE_TEMPERATURE.search(folded):
        return float(match.group(1))
    return None


def read_duration(text: str) -> float | None:
    """「三天」「两个星期」「半个月」「好几天」「刚刚」「琴日开始」 → days; None otherwise."""
    compact = normalise(text)
    if match := _DURATION.search(compact):
        amount_text, _, unit = match.groups()
        amount = _ROUGH.get(amount_text)
        if amount is None:
            number = parse_number(amount_text)
            amount = float(number) if number is not None else None
        if amount is not None:
            key = unit.removeprefix("个")
            return amount * _UNIT_DAYS.get(key, 1)
    for word, days in _RECENT.items():
        if word in compact:
            return float(days)
    return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, UNKNOWN) else None
    except ValueError:
        return None
