"""How a patient is related to the WeChat user who acts for them (粤健通-style family members)."""

from __future__ import annotations

from enum import StrEnum


class Relation(StrEnum):
    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


RELATION_LABELS: dict[Relation, str] = {
    Relation.SELF: "本人",
    Relation.SPOUSE: "配偶",
    Relation.PARENT: "父母",
    Relation.CHILD: "子女",
    Relation.GRANDPARENT: "祖父母/外祖父母",
    Relation.SIBLING: "兄弟姐妹",
    Relation.OTHER: "其他",
}


def parse_relation(value: str) -> Relation | None:
    """A relation from its code or its Chinese label; None when it is neither."""
    text = value.strip()
    try:
        return Relation(text.lower())
    except ValueError:
        pass
    return next((r for r, label in RELATION_LABELS.items() if label == text), None)
