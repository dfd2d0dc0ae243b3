"""Pure text normalisation for Chinese user messages, shared by the Rasa component and tests.

Residents type on phones with full-width keyboards and, in Guangzhou, often in traditional
characters (Hong Kong/Macau input methods). Both are folded here so the model sees one form.
Every mapping is one character to one character, so entity offsets stay valid.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_TABLE_PATH = Path(__file__).parent / "data" / "traditional_to_simplified.tsv"

_FULLWIDTH_START = 0xFF01  # '！'
_FULLWIDTH_END = 0xFF5E  # '～'
_FULLWIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = 0x3000


@lru_cache(maxsize=1)
def _translation_table() -> dict[int, int]:
    table: dict[int, int] = {
        code: code - _FULLWIDTH_OFFSET for code in range(_FULLWIDTH_START, _FULLWIDTH_END + 1)
    }
    table[_IDEOGRAPHIC_SPACE] = ord(" ")
    for line in _TABLE_PATH.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, simplified = line.split("\t")
        table[ord(traditional)] = ord(simplified)
    return table


def normalize_text(text: str) -> str:
    """Fold full-width ASCII to half-width and traditional characters to simplified ones."""
    return text.translate(_translation_table())
