"""Which reports are never shown or named in chat or notices (PIPL sensitive information), from
an admin-editable list (`sensitive_reports.yml`, or the file `REPORTS_SENSITIVE_FILE` names).

Shared by the action server (report lookup) and the gateway (report-ready notices), so both
hide the same reports. A report is sensitive when the hospital labels it (`meta.security`), or
its test code, or (for a full report) any of its results' codes, is on the list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import yaml

DEFAULT_FILE = Path(__file__).with_name("sensitive_reports.yml")
FILE_VARIABLE = "REPORTS_SENSITIVE_FILE"


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class LabelledReport(Protocol):
    """What the policy reads of a report (`integrations.his.report_models` fits)."""

    @property
    def code(self) -> str: ...

    @property
    def security_labels(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SensitivePolicy:
    test_codes: frozenset[str]
    where_to_get: str

    def is_sensitive(self, report: LabelledReport) -> bool:
        # Any sensitivity or restricted-confidentiality label the hospital sets counts: a list
        # of known labels would show every label it does not know in full.
        if report.security_labels or report.code.upper() in self.test_codes:
            return True
        results: Iterable[_Coded] = getattr(report, "results", ())  # a full report's lines
        return any(result.code.upper() in self.test_codes for result in results)

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
