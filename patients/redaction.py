"""Finding ID and phone numbers in free text, and replacing them with opaque tokens (pure).

Rasa stores every user message in its tracker store, so the gateway replaces sensitive numbers
before the text reaches Rasa: `PII-ID-…`, `PII-PHONE-…`, `PII-NUM-…` (`TOKEN_PATTERN`); the action
server resolves tokens through `patients.vault.PIIVault`.

What counts as sensitive: resident IDs (also typed in groups, ``440106 19900101 1234``, and with
a lower-case x), HK/Macau permits and passports (letters + digits), mainland/HK/Macau mobiles
(``+86 138-1234-5678``), and any other run of 8 or more digits, because a mistyped ID or phone
is still someone's ID or phone. Dates, times, prices, 6-digit codes and menu numbers are not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

SensitiveKind = Literal["id_document", "phone", "digits"]

TOKEN_PREFIXES: dict[SensitiveKind, str] = {
    "id_document": "PII-ID-",
    "phone": "PII-PHONE-",
    "digits": "PII-NUM-",
}
TOKEN_KINDS: dict[str, SensitiveKind] = {"ID": "id_document", "PHONE": "phone", "NUM": "digits"}
# Lower-case RFC 4648 base32 without padding; at least 10 characters (50 bits).
TOKEN_PATTERN = re.compile(r"PII-(?P<kind>ID|PHONE|NUM)-(?P<key>[a-z2-7]{10,})(?![a-z2-7])")


@dataclass(frozen=True, slots=True)
class SensitiveSpan:
    kind: SensitiveKind
    start: int
    end: int
    value: str  # exactly as typed: text[start:end]


# Permits and passports: 1–2 letters + 7–8 digits, or H/M + 10 digits (older 回乡证).
_LETTERED = re.compile(
    r"(?<![0-9A-Za-z])(?:[A-Za-z]{1,2}\d{7,8}|[HMhm]\d{10})(?![0-9A-Za-z])", re.ASCII
)
# A group of digits; X ends a resident ID and is part of the group then.
_GROUP = re.compile(r"\d+(?:[Xx](?![0-9A-Za-z]))?")
# Typed between groups of one number: 138 1234 5678, 138-1234-5678, 440106 19900101 1234.
_JOINERS = frozenset({" ", "-", "\u00a0", "\u3000", "－", "‐", "‑"})
_SPACES = frozenset({" ", "\u00a0", "\u3000"})
_MOBILE = re.compile(r"(?:(?:00)?86)?1[3-9]\d{9}|(?:00)?852[4-9]\d{7}|(?:00)?8536\d{7}")
_MIN_RUN = 8
_MAX_GROUPS = 5


@dataclass(frozen=True, slots=True)
class _Group:
    start: int
    end: int
    digits: str  # ASCII digits (and a final X), whatever digits were typed

    @property
    def has_check_x(self) -> bool:
        return self.digits.endswith("X")


def find_sensitive(text: str) -> list[SensitiveSpan]:
    """Every sensitive number in `text`, in order, never overlapping."""
    taken: list[tuple[int, int]] = [m.span() for m in TOKEN_PATTERN.finditer(text)]
    spans: list[SensitiveSpan] = []
    for match in _LETTERED.finditer(text):
        if not _overlaps(match.span(), taken):
            spans.append(SensitiveSpan("id_document", match.start(), match.end(), match.group()))
            taken.append(match.span())
    groups = [
        _Group(m.start(), m.end(), unicodedata.normalize("NFKC", m.group()).upper())
        for m in _GROUP.finditer(text)
        if not _overlaps(m.span(), taken)
    ]
    spans.extend(_numbers(text, groups))
    return sorted(spans, key=lambda s: s.start)


def redact(text: str, make_token: Callable[[SensitiveSpan], str]) -> str:
    """`text` with every sensitive span replaced by `make_token(span)`."""
    parts: list[str] = []
    position = 0
    for span in find_sensitive(text):
        parts.append(text[position : span.start])
        parts.append(make_token(span))
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def _numbers(text: str, groups: list[_Group]) -> list[SensitiveSpan]:
    spans: list[SensitiveSpan] = []
    i = 0
    while i < len(groups):
        found = _id_or_phone(text, groups, i) or _digit_run(text, groups, i)
        if found is None:
            i += 1
            continue
        span, last = found
        spans.append(span)
        i = last + 1
    return spans


def _id_or_phone(text: str, groups: list[_Group], i: int) -> tuple[SensitiveSpan, int] | None:
    """The longest chain of groups from `i` that spells a resident ID or a mobile number."""
    best: tuple[SensitiveSpan, int] | None = None
    digits = ""
    for j in range(i, min(len(groups), i + _MAX_GROUPS)):
        if j > i and (groups[j - 1].has_check_x or not _joined(text, groups[j - 1], groups[j])):
            break
        digits += groups[j].digits
        start, end = groups[i].start, groups[j].end
        if len(digits) == 18 and digits[:17].isdigit():
            best = (SensitiveSpan("id_document", start, end, text[start:end]), j)
        elif digits.isdigit() and _MOBILE.fullmatch(digits):
            if start > 0 and text[start - 1] in "+＋":
                start -= 1
            best = (SensitiveSpan("phone", start, end, text[start:end]), j)
        if len(digits) >= 18:
            break
    return best


def _digit_run(text: str, groups: list[_Group], i: int) -> tuple[SensitiveSpan, int] | None:
    """Any other long number: a spaced chain (1234 5678 9012) or one run of 8+ digits."""
    j = i
    while (
        j + 1 < len(groups)
        and len(groups[j].digits) >= 3
        and len(groups[j + 1].digits) >= 3
        and text[groups[j].end : groups[j + 1].start] in _SPACES
    ):
        j += 1
    if j > i and sum(len(g.digits) for g in groups[i : j + 1]) >= 10:
        start, end = groups[i].start, groups[j].end
        return SensitiveSpan("digits", start, end, text[start:end]), j
    group = groups[i]
    if len(group.digits) < _MIN_RUN or _is_compact_date(group.digits) or _is_decimal(text, group):
        return None
    return SensitiveSpan("digits", group.start, group.end, text[group.start : group.end]), i


def _joined(text: str, left: _Group, right: _Group) -> bool:
    return text[left.end : right.start] in _JOINERS


def _is_compact_date(digits: str) -> bool:
    """20260305: people type dates this way; they are not identifiers."""
    if len(digits) != 8 or not digits.isdigit() or not 1900 <= int(digits[:4]) <= 2099:
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def _is_decimal(text: str, group: _Group) -> bool:
    before = text[max(group.start - 2, 0) : group.start]
    after = text[group.end : group.end + 2]
    return bool(re.fullmatch(r"\d\.", before) or re.fullmatch(r"\.\d", after))


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)
