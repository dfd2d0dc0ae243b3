"""From a triage department (a code of triage/data/departments.yml) to a department residents
can book in the district: the names in hospital_departments.yml, best first, the first one
some institution offers for booking (asked of the HIS on each answer, so a department that
opens or closes is seen at once)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from actions.services import his_client
from triage.engine import default_engine

MAPPING_FILE = Path(__file__).resolve().parent / "hospital_departments.yml"


@dataclass(frozen=True)
class BookableDepartment:
    name: str  # the hospitals' own name, as the booking form searches it
    institutions: tuple[str, ...]  # institutions offering it for booking


@lru_cache(maxsize=1)
def hospital_names() -> dict[str, tuple[str, ...]]:
    """Triage code → hospital department names, checked against the triage catalogue."""
    data = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8")) or {}
    mapping = {
        str(code): tuple(str(n) for n in names or ())
        for code, names in (data.get("departments") or {}).items()
    }
    unknown = sorted(set(mapping) - set(default_engine().departments))
    if unknown:
        raise ValueError(f"{MAPPING_FILE.name}: unknown triage departments {unknown}")
    return mapping


async def bookable_department(code: str) -> BookableDepartment | None:
    """The best bookable department for `code`, or None when no institution offers one.
    Raises `integrations.his.HISError` when the hospital directory cannot be read."""
    names = hospital_names().get(code, ())
    if not names:
        return None
    client = his_client()
    institutions = await client.search_institutions()
    departments = await client.list_departments([i.id for i in institutions])
    for name in names:
        offering = sorted(
            {
                d.institution_name
                for d in departments
                if d.name == name and d.bookable and d.institution_name
            }
        )
        if offering:
            return BookableDepartment(name, tuple(offering))
    return None
