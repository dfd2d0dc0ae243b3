"""Which reports are never shown in chat, from an admin-editable list (`sensitive.yml`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from integrations.his.report_models import ReportSummary

DEFAULT_FILE = Path(__file__).with_name("sensitive.yml")
FILE_VARIABLE = "REPORTS_SENSITIVE_FILE"


@dataclass(frozen=True)
class SensitivePolicy:
    test_codes: frozenset[str]
    where_to_get: str

    def is_sensitive(self, report: ReportSummary, result_codes: Iterable[str] = ()) -> bool:
        # Any sensitivity or restricted-confidentiality label the hospital sets counts: a
        # list of known labels would show every label it does not know in full.
        if report.is_sensitive or report.code.upper() in self.test_codes:
            return True
        return any(code.upper() in self.test_codes for code in result_codes)

    def advice(self, institution: str | None) -> str:
        return self.where_to_get.format(institution=institution or "开单医院")


def load_policy(path: Path) -> SensitivePolicy:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    codes = data.get("test_codes") or []
    where = data.get("where_to_get")
    if not isinstance(codes, list) or not isinstance(where, str):
        raise ValueError(f"{path}: test_codes is a list of codes, where_to_get a text")
    return SensitivePolicy(
        test_codes=frozenset(str(code).upper() for code in codes),
        where_to_get=where.strip(),
    )


@lru_cache(maxsize=1)
def sensitive_policy() -> SensitivePolicy:
    """The configured policy, read once per process."""
    return load_policy(Path(os.environ.get(FILE_VARIABLE) or DEFAULT_FILE))
