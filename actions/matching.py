"""Pure matching of what a resident typed against institution names."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from integrations.his import Institution

# Words every institution name shares; they say nothing about which one the user means.
_GENERIC_WORDS = ("社区卫生服务中心", "医院", "中心", "社区", "街")


def _core(name: str) -> str:
    for word in _GENERIC_WORDS:
        name = name.replace(word, "")
    return name


def rank_institutions(
    query: str, institutions: Sequence[Institution], *, limit: int = 3, cutoff: float = 0.34
) -> list[Institution]:
    """Institutions whose names look like `query`, best first (tolerates typos and short names)."""
    query_core = _core(query.strip())
    if not query_core:
        return []
    scored: list[tuple[float, Institution]] = []
    for institution in institutions:
        name_core = _core(institution.name)
        if query_core in name_core or name_core in query_core:
            score = 1.0
        else:
            score = SequenceMatcher(None, query_core, name_core).ratio()
        if score >= cutoff:
            scored.append((score, institution))
    scored.sort(key=lambda pair: (-pair[0], pair[1].name))
    return [institution for _, institution in scored[:limit]]
