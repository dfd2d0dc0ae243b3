"""Text for WeChat: numbered choices, and texts cut or split under WeChat's 2048 bytes."""

from __future__ import annotations

from collections.abc import Sequence

from integrations.wechat import texts

MAX_REPLY_BYTES = 2048


def numbered_choices(titles: Sequence[str]) -> list[str]:
    return [f"{n}. {title}" for n, title in enumerate(titles, start=1)]


def trim_to_bytes(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` UTF-8 bytes, at a line end where possible."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(texts.MORE_TRUNCATED.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut + texts.MORE_TRUNCATED


def split_message(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-8 bytes, at line ends where possible,
    keeping the order (customer-service messages carry one part each)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode("utf-8")) > limit:  # one line longer than a whole message
            head = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
            parts.append(head)
            line = line[len(head) :]
        current = line
    if current or not parts:
        parts.append(current)
    return parts
