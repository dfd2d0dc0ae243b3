"""The curated plain-Chinese glossary of tests (`glossary.yml`): what a test measures, in one
line, written and reviewed by people, never generated, never about this person's diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).with_name("glossary.yml")


@dataclass(frozen=True)
class GlossaryEntry:
    code: str
    name: str
    aliases: tuple[str, ...]
    meaning: str


class Glossary:
    def __init__(self, entries: dict[str, GlossaryEntry]) -> None:
        self._entries = entries
        # Every name and alias, longest first (so 糖化血红蛋白 is HBA1C, not HGB's 血红蛋白):
        # sorted once, not for every message.
        self._names = sorted(
            (
                (name.upper(), entry.code)
                for entry in entries.values()
                for name in (entry.name, *entry.aliases)
                if len(name) >= 2
            ),
            key=lambda item: len(item[0]),
            reverse=True,
        )

    def __len__(self) -> int:
        return len(self._entries)

    def meaning(self, code: str) -> str | None:
        entry = self._entries.get(code.upper())
        return entry.meaning if entry else None

    def entry(self, code: str) -> GlossaryEntry | None:
        return self._entries.get(code.upper())

    def codes_named_in(self, text: str) -> list[str]:
        """Test codes whose name or alias the text contains, longest name first (so 糖化血红蛋白
        is HBA1C, not HGB's 血红蛋白)."""
        folded = text.upper()
        found: list[str] = []
        for name, code in self._names:
            if name in folded:
                found.append(code)
                folded = folded.replace(name, " ")
        return found


def load_glossary(path: Path) -> Glossary:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    tests = data.get("tests")
    if not isinstance(tests, dict):
        raise ValueError(f"{path}: no `tests` mapping")
    entries: dict[str, GlossaryEntry] = {}
    for code, item in tests.items():
        if not isinstance(item, dict) or not item.get("name") or not item.get("meaning"):
            raise ValueError(f"{path}: {code} needs a name and a meaning")
        entries[str(code).upper()] = GlossaryEntry(
            code=str(code).upper(),
            name=str(item["name"]),
            aliases=tuple(str(alias) for alias in item.get("aliases") or ()),
            meaning=str(item["meaning"]).strip(),
        )
    return Glossary(entries)


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    return load_glossary(GLOSSARY_FILE)
