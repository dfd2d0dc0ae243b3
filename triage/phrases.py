"""Phrase matching on normalised text, with negation.

A phrase is a substring (`胸痛`) or parts joined by `*` ("then, within 6 characters":
`胸口*痛` matches 胸口好痛). A match right after a negation cue (没有胸痛, 冇发烧) or with a cue in
a `*` gap (胸口唔痛) is negated. Matching is indexed by each phrase's first character, so a
message is scanned once whatever the size of the lexicon (thousands of texts a second).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nlu.components.text_normalization import normalize_text

GAP = 6  # characters a `*` may skip
# Cues that negate what follows within 2 characters. 不 is not among them: 不断抽筋, 不停,
# 叫不醒 are symptoms; a 不 inside a `*` gap (胸口不痛) still negates.
# 非 is not one either: 非常头痛 is a very bad headache.
PRECEDING_CUES = ("没有", "没", "无", "未", "冇", "唔", "否认", "不是", "并非", "并无", "无明显")
GAP_CUES = ("不", "没", "冇", "唔", "无", "未")
# Words holding a cue that negate nothing: "out of nowhere", "please", and questions
# (是不是中风 asks about a stroke; it does not deny one). Masked before looking for cues.
NOT_NEGATIONS = (
    "无缘无故",
    "无端端",
    "无啦啦",
    "唔该",
    "是不是",
    "系唔系",
    "系咪",
    "要不要",
    "要唔要",
    "使唔使",
    "有没有",
    "有冇",
    "会不会",
    "会唔会",
    "是否",
)
_DROP = str.maketrans("著", "着", " \t\r\n,，.。!！?？、;；:：~～\"'“”‘’()（）")


def normalise(text: str) -> str:
    """Simplified, half-width, lower-case, without spaces or punctuation (著 is read 着:
    睡不著 in Hong Kong writing)."""
    return normalize_text(text).lower().translate(_DROP)


@dataclass(frozen=True)
class Match:
    key: str  # what the phrase stands for (an entry or a red flag)
    start: int
    end: int
    negated: bool

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class _Phrase:
    key: str
    parts: tuple[str, ...]


class PhraseIndex:
    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        """`phrases`: (key, phrase) pairs."""
        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)
        for key, phrase in phrases:
            parts = tuple(normalise(part) for part in phrase.split("*") if part.strip())
            if parts:
                self._by_first[parts[0][0]].append(_Phrase(key, parts))

    def find(self, text: str) -> list[Match]:
        """Every match in normalised `text` (use `normalise` first)."""
        cues = _mask_non_negations(text)
        found: list[Match] = []
        for start, char in enumerate(text):
            for phrase in self._by_first.get(char, ()):
                match = _match_at(phrase, text, cues, start)
                if match is not None:
                    found.append(match)
        return found


def _mask_non_negations(text: str) -> str:
    """`text` with the words of NOT_NEGATIONS blanked (same length, so offsets hold)."""
    for word in NOT_NEGATIONS:
        if word in text:
            text = text.replace(word, "#" * len(word))
    return text


def _match_at(phrase: _Phrase, text: str, cues: str, start: int) -> Match | None:
    first = phrase.parts[0]
    if not text.startswith(first, start):
        return None
    end = start + len(first)
    gap_negated = False
    for part in phrase.parts[1:]:
        found = text.find(part, end, end + GAP + len(part))
        if found < 0:
            return None
        gap = cues[end:found]
        gap_negated = gap_negated or any(cue in gap for cue in GAP_CUES)
        end = found + len(part)
    negated = gap_negated or _negated_before(cues, start)
    return Match(phrase.key, start, end, negated)


def _negated_before(text: str, start: int) -> bool:
    before = text[max(0, start - 5) : start]
    for cue in PRECEDING_CUES:
        at = before.rfind(cue)
        if at >= 0 and len(before) - (at + len(cue)) <= 2:
            return True
    return False
