"""Phrase matching on normalised text, with negation.

A phrase is a substring (`胸痛`) or parts joined by `*` ("then, within 6 characters":
`胸口*痛` matches 胸口好痛). A match right after a negation cue (没有胸痛, 冇发烧) or with a cue
in a `*` gap (胸口唔痛) is negated, except where the cue belongs to a word that denies nothing
(无缘无故, 是不是, or a symptom such as 冇晒力 or 唔舒服).
Matching is indexed by each phrase's first two characters, so a message is scanned once
whatever the size of the lexicon (thousands of texts a second).
"""

from __future__ import annotations

import re
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
# Words holding a cue that negate nothing: "out of nowhere", "please", "I don't know", questions
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
    # Symptoms that hold a cue: they deny nothing that follows them. 「好唔舒服胸口痛」 is chest
    # pain, 「冇晒力叫佢都冇反应」 is someone who does not respond, 「讲唔清半边身麻」 a stroke.
    "唔舒服",
    "冇晒力",
    "冇力",
    "冇乜力",
    "没力",
    "无力",
    "没精神",
    "冇精神",
    "无精神",
    "没胃口",
    "冇胃口",
    "没反应",
    "冇反应",
    "冇乜反应",
    "冇咩反应",
    "没什么反应",
    "没有反应",
    "无反应",
    "冇知觉",
    "没知觉",
    "没有知觉",
    "唔清醒",
    "唔认得",
    "唔够气",
    "唔停",
    "唔郁",
    "冇意思",
    "没意思",
    "冇用",
    "没用",
    "没效",
    "冇效",
    "唔见效",
    "没好转",
    "冇好转",
    "未退",
    "没退",
    "唔退",
    "止唔住",
    "顶唔顺",
    "受唔了",
    "睡唔着",
    "瞓唔着",
    "食唔落",
    "吞唔落",
    "讲唔清",
    "讲唔到",
    "讲唔出",
    "透唔到",
    "透唔过",
    "唞唔到",
    "企唔稳",
    "行唔到",
    "郁唔到",
    "举唔起",
    "拎唔起",
    "揸唔住",
    "叫唔醒",
    "叫唔应",
    "唔记得",
    "唔知",
    "没想到",
    "冇想到",
    # no stool (a symptom): 「几日冇屙屎冇放屁」 is a blocked bowel, not two denials
    "冇屙屎",
    "没大便",
    "冇大便",
    "没拉屎",
    "没排便",
    "冇排便",
    "无排便",
    "唔小心",
    "不小心",
    "冇留神",
    "没留神",
    "无意中",
    # "not right", "can't bear it": complaints, not denials (胸口有啲唔妥闷闷地 is chest
    # discomfort; a 不 inside a `*` gap would otherwise negate it)
    "唔妥",
    "不妥",
    "唔对路",
    "唔对劲",
    "不对劲",
    "不舒服",
    "唔自在",
    "不自在",
    "不停",
    "不断",
    "受不了",
    "顶不住",
    "顶不顺",
    "忍不住",
    "止不住",
    "停不下",
    "吃不下",
    "睡不着",
    "站不稳",
    "站不起",
    "走不了",
    "动不了",
    "起不来",
    "直不起",
    "直唔返",
    "行唔直",
    "企唔直",
    "伸唔直",
    "行不直",
    "抬不住",
    "抬唔起",
    "撑不住",
    "说不出",
    "讲不出",
    "喘不过",
    "透不过",
    "吸不上",
    "躺不下",
    "抬不起",
    "举不起",
    "拿不住",
    "叫不醒",
    "看不清",
    "看不见",
    "睁不开",
)
# Voice transcripts arrive as words split by spaces with spoken fillers between them
# (「嗯 那个 就是 头痛 然后 脖子 僵」). A filler standing alone between spaces says nothing and
# would stretch a `*` gap past its limit, so it is dropped before matching.
_FILLER = re.compile(r"(?:(?<=\s)|^)(?:嗯+|呃+|啊+|哦+|那个|就是|然后)(?=\s|$)")
_DROP = str.maketrans("著囗", "着口", " \t\r\n,，.。!！?？、;；:：~～\"'“”‘’()（）")


# Punctuation that ends a clause: a negation before it does not reach past it.
_CLAUSE_BREAKS = frozenset("\n,，.。!！?？、;；")


def normalise(text: str) -> str:
    """Simplified, half-width, lower-case, without spaces or punctuation (著 is read 着:
    睡不著 in Hong Kong writing; the look-alike 囗 is read 口: 胸囗痛 from a handwriting pad)."""
    return _folded(text).translate(_DROP)


def _folded(text: str) -> str:
    return _FILLER.sub("", normalize_text(text).lower())


def clause_breaks(text: str) -> frozenset[int]:
    """Where clauses end in `normalise(text)`: the offsets of the characters that follow a
    dropped clause punctuation mark (「唔出汗，乱讲嘢」: the break is before 乱)."""
    breaks: set[int] = set()
    kept = 0
    for char in _folded(text):
        if char in _CLAUSE_BREAKS:
            breaks.add(kept)
        elif char.translate(_DROP):
            kept += 1
    return frozenset(breaks)


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
        # Indexed by the first two characters (by the first one when the phrase starts with a
        # one-character part), then grouped by the whole first part, so each position of a
        # message tests each distinct first part once (一边手*没力 and 一边手*麻 share 一边手).
        by_one: dict[str, dict[str, list[_Phrase]]] = defaultdict(lambda: defaultdict(list))
        by_two: dict[str, dict[str, list[_Phrase]]] = defaultdict(lambda: defaultdict(list))
        for key, phrase in phrases:
            parts = tuple(normalise(part) for part in phrase.split("*") if part.strip())
            if parts:
                first = parts[0]
                bucket = by_one[first] if len(first) == 1 else by_two[first[:2]]
                bucket[first].append(_Phrase(key, parts))
        self._by_one = _frozen(by_one)
        self._by_two = _frozen(by_two)

    def find(self, text: str, breaks: frozenset[int] = frozenset()) -> list[Match]:
        """Every match in normalised `text` (use `normalise` first); `breaks` are where its
        clauses end (`clause_breaks`), which negation does not cross."""
        cues = _mask_non_negations(text)
        found: list[Match] = []
        by_one, by_two = self._by_one, self._by_two
        for start, char in enumerate(text):
            for first, group in (*by_one.get(char, ()), *by_two.get(text[start : start + 2], ())):
                if not text.startswith(first, start):
                    continue
                negated_before: bool | None = None  # the same for every phrase here
                for phrase in group:
                    end, gap_negated = _rest_at(phrase, text, cues, start + len(first))
                    if end < 0:
                        continue
                    if negated_before is None:
                        negated_before = _negated_before(cues, start, breaks)
                    found.append(Match(phrase.key, start, end, gap_negated or negated_before))
        return found


def _frozen(
    index: dict[str, dict[str, list[_Phrase]]],
) -> dict[str, tuple[tuple[str, tuple[_Phrase, ...]], ...]]:
    return {
        head: tuple((first, tuple(group)) for first, group in groups.items())
        for head, groups in index.items()
    }


_NOT_NEGATION = re.compile("|".join(map(re.escape, sorted(NOT_NEGATIONS, key=len, reverse=True))))


def _mask_non_negations(text: str) -> str:
    """`text` with the words of NOT_NEGATIONS blanked (same length, so offsets hold)."""
    return _NOT_NEGATION.sub(lambda m: "#" * len(m.group()), text)


def _rest_at(phrase: _Phrase, text: str, cues: str, end: int) -> tuple[int, bool]:
    """Where the phrase's other parts end after its first part ended at `end` (-1: they are not
    there), and whether a negation cue stands in a gap between them."""
    gap_negated = False
    for part in phrase.parts[1:]:
        found = text.find(part, end, end + GAP + len(part))
        if found < 0:
            return -1, False
        gap = cues[end:found]
        gap_negated = gap_negated or any(cue in gap for cue in GAP_CUES)
        end = found + len(part)
    return end, gap_negated


def _negated_before(text: str, start: int, breaks: frozenset[int]) -> bool:
    offset = max(0, start - 5)
    before = text[offset:start]
    for cue in PRECEDING_CUES:
        at = before.rfind(cue)
        if at < 0 or len(before) - (at + len(cue)) > 2:
            continue
        cue_end = offset + at + len(cue)
        if not any(cue_end <= b <= start for b in breaks):  # 「冇发烧，胸口痛」
            return True
    return False
