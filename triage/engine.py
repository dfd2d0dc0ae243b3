"""The triage engine: red flags first, then symptoms and named conditions, then age, sex and
pregnancy. Pure and fast: one scan of the message per phrase index.

Errs toward safety: a red flag counts unless it is plainly negated (没有胸痛); a flag limited
to an age counts when the age is unknown but the words point that way; with several answers the
more urgent level wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from nlu.components.text_normalization import normalize_text
from triage.knowledge import Entry, Knowledge, RedFlag, load_knowledge
from triage.model import Facts, Level, TriageResult
from triage.phrases import Match, PhraseIndex, clause_breaks, normalise
from triage.profile import (
    Profile,
    age_in_text,
    blood_pressure_in_text,
    oxygen_in_text,
    temperature_in_text,
)

FALLBACK_DEPARTMENT = "general_medicine"
_RANK_WEIGHTS = (3.0, 2.0, 1.0, 0.5)
_LEVEL_WORDS = {
    Level.EMERGENCY_AMBULANCE: "请立即拨打120",
    Level.EMERGENCY: "请马上去急诊科",
    Level.URGENT: "建议今天就到急诊或当天门诊就诊",
    Level.ROUTINE: "建议预约门诊就诊",
    Level.SELF_CARE: "可以先在家观察护理，如加重或持续不好再就诊",
}
_FEVER_WORDS = ("发烧", "发热", "高烧", "烧到", "热度")
INFANT_FEVER_ADVICE = "3个月以下的宝宝发烧要马上去急诊，路上注意保暖和呼吸，不要自行用退烧药。"


class TriageEngine:
    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge
        self._flags = {flag.name: flag for flag in knowledge.red_flags}
        typos = knowledge.typos
        self._typos = typos
        self._typo_pattern = (
            re.compile("|".join(map(re.escape, sorted(typos, key=len, reverse=True))))
            if typos
            else None
        )
        self._flag_index = self._index(_flag_phrases(knowledge.red_flags))
        self._unless_index = self._index(
            (flag.name, phrase) for flag in knowledge.red_flags for phrase in flag.unless
        )
        self._entries = {str(i): entry for i, entry in enumerate(knowledge.entries)}
        self._by_name = {entry.name: entry for entry in knowledge.entries}
        self._entry_index = self._index(
            (key, phrase) for key, entry in self._entries.items() for phrase in entry.phrases
        )
        m = knowledge.modifiers
        self._word_index = self._index(
            [
                *((f"sex:{sex}", word) for sex, words in m.sex_words.items() for word in words),
                *(("child", word) for word in m.child_words),
                *(("elderly", word) for word in m.elderly_words),
                *(("pregnant", word) for word in m.pregnancy_phrases),
                *(("confused", word) for word in m.elderly_phrases),
                *(("fever", word) for word in _FEVER_WORDS),
            ]
        )

    @property
    def knowledge(self) -> Knowledge:
        return self._k

    @property
    def departments(self) -> dict[str, str]:
        return dict(self._k.departments)

    def triage(
        self,
        text: str,
        age: float | None = None,
        sex: str | None = None,
        facts: Facts | None = None,
    ) -> TriageResult:
        """`facts`: the answers to follow-up questions (triage/followup.py), if any."""
        facts = facts or Facts()
        norm, breaks = self._normalise(text), clause_breaks(text)
        words = {m.key for m in self._word_index.find(norm, breaks) if not m.negated}
        profile = self._profile(text, words, age, sex, facts)
        child = self._is_child(profile, words)
        entries, spans = self._entries_in(norm, breaks, profile)
        entries = self._with_pressure(entries, profile)
        names = [e.name for e in entries]
        history = [m for m in spans if self._entries[m.key].history]
        flags, negated = self._red_flags(norm, breaks, profile, child, words, facts, history)
        flags = self._severe_flags(flags, names, facts)
        ranking = self._ranking(entries)
        level = _most_cautious([e.level for e in entries]) if entries else Level.ROUTINE
        level = self._adjust_level(level, names, profile, facts, child, words)
        ranking = self._shift_for_person(ranking, entries, profile, child)
        if flags:
            most = flags[0]
            alternatives = [code for code in ranking if code != "emergency"]
            return TriageResult(
                department="emergency",
                level=most.level,
                red_flags=tuple(flag.name for flag in flags),
                reason=self._flag_reason(flags),
                alternatives=tuple(alternatives[:3]),
                matched=tuple(names),
                advice=most.advice,
            )
        department = ranking[0] if ranking else FALLBACK_DEPARTMENT
        return TriageResult(
            department=department,
            level=level,
            red_flags=(),
            reason=self._reason(names, department, level),
            alternatives=tuple(code for code in ranking[1:4]),
            matched=tuple(names),
            negated_red_flags=negated,
        )

    def _normalise(self, text: str) -> str:
        """`normalise`, with input-method slips and regional words read as the word meant
        (自沙 → 自杀, 心肝头 → _心口; typos.yml). Each reading keeps the length, so clause breaks
        and match offsets still hold."""
        norm = normalise(text)
        if self._typo_pattern is None:
            return norm
        return self._typo_pattern.sub(lambda m: self._typos[m.group()], norm)

    def _index(self, phrases: Iterable[tuple[str, str]]) -> PhraseIndex:
        """A phrase index whose phrases are read like the messages (a phrase written with 头壳
        must still match 头壳 once the message's 头壳 is read as 头)."""
        return PhraseIndex((key, self._normalise(phrase)) for key, phrase in phrases)

    # --- the person -----------------------------------------------------------------------

    def profile(
        self,
        text: str,
        age: float | None = None,
        sex: str | None = None,
        facts: Facts | None = None,
    ) -> Profile:
        """Who the message is about (for the follow-up planner)."""
        words = {
            m.key
            for m in self._word_index.find(self._normalise(text), clause_breaks(text))
            if not m.negated
        }
        return self._profile(text, words, age, sex, facts or Facts())

    def is_child(self, profile: Profile, text: str) -> bool:
        words = {
            m.key
            for m in self._word_index.find(self._normalise(text), clause_breaks(text))
            if not m.negated
        }
        return self._is_child(profile, words)

    def names_someone_else(self, text: str) -> bool:
        """Whether the words are about another person (我妈, 个仔, 宝宝, 阿伯), not the writer."""
        for m in self._word_index.find(self._normalise(text), clause_breaks(text)):
            if m.key in ("child", "elderly"):
                return True
            # 男/女 alone say a sex (我是女的), not another person.
            if m.key.startswith("sex:") and m.length >= 2:
                return True
        return False

    def mentions_fever(self, text: str) -> bool:
        """Whether the text says anything about a fever, either way (发烧, 冇发烧, 38度)."""
        norm = self._normalise(text)
        return any(m.key == "fever" for m in self._word_index.find(norm)) or (
            temperature_in_text(normalize_text(text).lower()) is not None
        )

    def _profile(
        self, text: str, words: set[str], age: float | None, sex: str | None, facts: Facts
    ) -> Profile:
        if sex not in ("male", "female"):
            found = [key.split(":", 1)[1] for key in words if key.startswith("sex:")]
            sex = found[0] if len(set(found)) == 1 else None
        pregnant = facts.pregnant if facts.pregnant is not None else "pregnant" in words
        # Not `normalise`: it drops the point of 38.5 and the slash of 185/115.
        readable = normalize_text(text).lower()
        systolic, diastolic = blood_pressure_in_text(readable)
        return Profile(
            age_years=age if age is not None else age_in_text(text),
            sex=sex,
            pregnant=pregnant and sex != "male",
            temperature=temperature_in_text(readable) or facts.temperature,
            systolic=systolic,
            diastolic=diastolic,
            oxygen=oxygen_in_text(readable),
        )

    def _is_child(self, profile: Profile, words: set[str]) -> bool:
        if profile.age_years is not None:
            return profile.age_years <= self._k.modifiers.child_max_age
        # 「有咗bb想产检」: a pregnant woman's bb is not the patient.
        return "child" in words and not profile.pregnant

    def _is_elderly(self, profile: Profile, words: set[str]) -> bool:
        if profile.age_years is not None:
            return profile.age_years >= self._k.modifiers.elderly_min_age
        return "elderly" in words

    # --- red flags ------------------------------------------------------------------------

    def _red_flags(
        self,
        norm: str,
        breaks: frozenset[int],
        profile: Profile,
        child: bool,
        words: set[str],
        facts: Facts,
        history: Sequence[Match] = (),
    ) -> tuple[list[RedFlag], tuple[str, ...]]:
        """The red flags that apply, most urgent first, and those only named negated. A flag's
        word inside the name of a past event (中风 in 中风后遗症) or inside one of the flag's own
        `unless` words (想死 in 热到想死) does not count."""
        unless = self._unless_index.find(norm, breaks)
        matches = [
            m
            for m in self._flag_index.find(norm, breaks)
            if not any(_inside(m, h) for h in history)
            and not any(u.key == m.key.split("#", 1)[0] and _inside(m, u) for u in unless)
        ]
        hits = {m.key for m in matches if not m.negated}
        pressure_flag = self._k.modifiers.pressure_red_flag
        if pressure_flag and self._pressure_high(profile):
            hits.add(f"{pressure_flag}#0")  # the reading is the flag's first group, in numbers
        oxygen_flag, oxygen_below = (
            self._k.modifiers.oxygen_red_flag,
            self._k.modifiers.oxygen_below,
        )
        low = profile.oxygen is not None and oxygen_below and profile.oxygen < oxygen_below
        if oxygen_flag and low:
            hits.add(oxygen_flag)  # a low reading is the flag, as if its words were said
        negated_hits = {m.key.split("#", 1)[0] for m in matches if m.negated}
        found: list[RedFlag] = []
        for flag in self._k.red_flags:
            by_any = flag.name in hits
            by_all = any(
                all(_group_key(flag, s, i) in hits for i in range(len(groups)))
                for s, groups in enumerate(flag.group_sets())
            )
            if (by_any or by_all) and self._applies(flag, profile, child):
                found.append(flag)
        m = self._k.modifiers
        if "confused" in words and self._is_elderly(profile, words):
            found.append(self._elderly_confusion(m.elderly_escalate_to))
        infant = profile.age_years is not None and profile.age_years * 12 < m.fever_infant_months
        fever = "fever" in words or (profile.temperature or 0) >= 37.5 or bool(facts.fever)
        if infant and fever and not any(f.name == "infant_fever" for f in found):
            found.append(self._infant_fever())
        named = {flag.name for flag in found}
        negated = tuple(sorted(n for n in negated_hits if n in self._flags and n not in named))
        return sorted(found, key=lambda flag: flag.level.rank), negated

    def _severe_flags(
        self, flags: list[RedFlag], names: Sequence[str], facts: Facts
    ) -> list[RedFlag]:
        """A pain the resident called severe when asked (剧烈腹痛) is that red flag."""
        if not facts.severe:
            return flags
        present = {flag.name for flag in flags}
        for flag_name, entries in self._k.follow_up.severe_red_flags.items():
            flag = self._flags.get(flag_name)
            if flag and flag_name not in present and entries.intersection(names):
                flags = [*flags, flag]
        return sorted(flags, key=lambda flag: flag.level.rank)

    def _adjust_level(
        self,
        level: Level,
        names: Sequence[str],
        profile: Profile,
        facts: Facts,
        child: bool,
        words: set[str],
    ) -> Level:
        m, f = self._k.modifiers, self._k.follow_up
        if profile.temperature is not None and profile.temperature >= m.fever_urgent_from:
            level = level.at_least(Level.URGENT)
        fever = "fever" in words or (profile.temperature or 0) >= 37.5 or bool(facts.fever)
        if fever and self._is_elderly(profile, words):
            level = level.at_least(Level.URGENT)  # the elderly show serious infection mildly
        if child:
            level = level.at_least(Level.ROUTINE)  # a child is seen, not told to wait at home
        if facts.severe:
            level = level.at_least(Level.URGENT)
        if profile.pregnant and f.pregnancy_urgent_when.intersection(names):
            level = level.at_least(Level.URGENT)  # pain or bleeding in pregnancy: same day
        days, limit = facts.duration_days, f.self_care_max_days
        if level is Level.SELF_CARE and days is not None and limit is not None and days >= limit:
            level = Level.ROUTINE  # it has not gone away on its own: see a doctor
        return level

    @staticmethod
    def _applies(flag: RedFlag, profile: Profile, child: bool) -> bool:
        age = profile.age_years
        if flag.sex and profile.sex and flag.sex != profile.sex:
            return False
        if age is None:
            # Unknown age: a children's flag counts when the words speak of a child.
            return flag.max_age is None or child
        if flag.min_age is not None and age < flag.min_age:
            return False
        return flag.max_age is None or age <= flag.max_age

    def _elderly_confusion(self, level: Level) -> RedFlag:
        existing = self._flags.get("sudden_confusion")
        advice = existing.advice if existing else "请马上送急诊，路上留意呼吸和意识。"
        return RedFlag("elderly_confusion", "老人突然糊涂", level, (), (), 65, None, None, advice)

    def _infant_fever(self) -> RedFlag:
        existing = self._flags.get("infant_fever")
        advice = existing.advice if existing else INFANT_FEVER_ADVICE
        return RedFlag(
            "infant_fever", "小婴儿发热", Level.EMERGENCY, (), (), None, 0.25, None, advice
        )

    # --- symptoms and conditions ------------------------------------------------------------

    def _entries_in(
        self, norm: str, breaks: frozenset[int], profile: Profile
    ) -> tuple[list[Entry], list[Match]]:
        """The entries named (the longest reading wins) and where their words are."""
        matches = [m for m in self._entry_index.find(norm, breaks) if not m.negated]
        chosen: list[Entry] = []
        taken: list[Match] = []
        for match in sorted(matches, key=lambda m: (-m.length, m.start)):
            if any(match.start < t.end and t.start < match.end for t in taken):
                continue  # the longest reading wins: 糖化血红蛋白 is not 血红蛋白
            entry = self._entries[match.key]
            if entry.sex and profile.sex and entry.sex != profile.sex:
                continue
            taken.append(match)
            if entry not in chosen:
                chosen.append(entry)
        return chosen, taken

    def _pressure_high(self, profile: Profile) -> bool:
        """Whether a blood pressure read from the words is at the same-day line or above."""
        m = self._k.modifiers
        return (
            profile.systolic is not None
            and m.pressure_urgent_systolic is not None
            and profile.systolic >= m.pressure_urgent_systolic
        ) or (
            profile.diastolic is not None
            and m.pressure_urgent_diastolic is not None
            and profile.diastolic >= m.pressure_urgent_diastolic
        )

    def _with_pressure(self, entries: list[Entry], profile: Profile) -> list[Entry]:
        """A blood pressure read as very high adds its entry (modifiers.yml blood_pressure)."""
        entry = self._by_name.get(self._k.modifiers.pressure_entry or "")
        if not self._pressure_high(profile) or entry is None or entry in entries:
            return entries
        return [*entries, entry]

    @staticmethod
    def _ranking(entries: Sequence[Entry]) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for entry in entries:
            for rank, code in enumerate(entry.departments):
                weight = _RANK_WEIGHTS[min(rank, len(_RANK_WEIGHTS) - 1)]
                scores[code] += weight
                first_seen.setdefault(code, len(first_seen))
        return sorted(scores, key=lambda code: (-scores[code], first_seen[code]))

    def _shift_for_person(
        self, ranking: list[str], entries: Sequence[Entry], profile: Profile, child: bool
    ) -> list[str]:
        m = self._k.modifiers
        top = ranking[0] if ranking else FALLBACK_DEPARTMENT
        pregnant = profile.pregnant or any(e.pregnancy for e in entries)
        pregnancy_applies = pregnant and profile.sex != "male" and not child
        if pregnancy_applies and top not in m.pregnancy_keep:
            return _first(m.pregnancy_department, ranking)
        if child:
            keeps = top in m.child_keep or any(
                e.children_keep and e.departments[0] == top for e in entries
            )
            if not keeps:
                return _first(m.child_department, ranking)
        return ranking

    # --- wording --------------------------------------------------------------------------

    def _reason(self, names: Sequence[str], department: str, level: Level) -> str:
        name = self._k.departments.get(department, department)
        if not names:
            return f"暂时没听出具体症状，可以先看{name}，{_LEVEL_WORDS[level]}。"
        listed = "、".join(names[:3])
        return f"您提到{listed}，建议看{name}，{_LEVEL_WORDS[level]}。"

    @staticmethod
    def _flag_reason(flags: Sequence[RedFlag]) -> str:
        labels = "、".join(dict.fromkeys(flag.label for flag in flags))
        return f"{labels}可能很危险，{_LEVEL_WORDS[flags[0].level]}。"


def _flag_phrases(flags: Iterable[RedFlag]) -> list[tuple[str, str]]:
    phrases: list[tuple[str, str]] = []
    for flag in flags:
        phrases.extend((flag.name, phrase) for phrase in flag.any)
        for s, groups in enumerate(flag.group_sets()):
            for i, group in enumerate(groups):
                phrases.extend((_group_key(flag, s, i), phrase) for phrase in group)
    return phrases


def _group_key(flag: RedFlag, group_set: int, group: int) -> str:
    """The index key of a flag's group: `name#group` for `all_of` (the blood-pressure reading
    stands for `name#0`), `name#set.group` for an `or_all_of` set."""
    if group_set == 0 and flag.all_of:
        return f"{flag.name}#{group}"
    return f"{flag.name}#{group_set}.{group}"


def _inside(match: Match, outer: Match) -> bool:
    """Whether `match` lies within the longer match `outer`."""
    return outer.start <= match.start and match.end <= outer.end and outer.length > match.length


def _most_cautious(levels: Iterable[Level]) -> Level:
    return min(levels, key=lambda level: level.rank)


def _first(code: str, ranking: list[str]) -> list[str]:
    return [code, *(c for c in ranking if c != code)]


@lru_cache(maxsize=1)
def default_engine() -> TriageEngine:
    return TriageEngine(load_knowledge())


def triage(
    text: str, age: float | None = None, sex: str | None = None, facts: Facts | None = None
) -> TriageResult:
    """Triage one message with the shipped knowledge."""
    return default_engine().triage(text, age=age, sex=sex, facts=facts)
