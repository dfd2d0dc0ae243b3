"""A small key-value store interface with an in-process default and a Redis backend.

Everything gateway processes must agree on (dedupe claims, cached replies, the access_token,
locks, the outbound queue) goes through it, so several processes behind one Redis behave as one.
Keys are prefixed (`frontdoor:` by default) so the Redis can be shared.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import redis.asyncio as redis


class Store(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        """Set only if absent, atomically; True when this caller set it."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_if_equals(self, key: str, value: str) -> bool:
        """Delete only if it still holds `value` (releasing a lock one owns)."""
        ...

    async def incr(self, key: str, ttl: float) -> int:
        """Increment a counter, starting its expiry when it is created."""
        ...

    async def push(self, key: str, value: str) -> None:
        """Append to a queue."""
        ...

    async def pop(self, key: str, timeout: float) -> str | None:
        """Take the oldest queue item, waiting up to `timeout` seconds."""
        ...

    async def move(self, source: str, destination: str, timeout: float) -> str | None:
        """Atomically take the oldest item of `source` and append it to `destination`,
        waiting up to `timeout` seconds (a reliable queue: the item is never only in flight)."""
        ...

    async def remove(self, key: str, value: str) -> None:
        """Remove one occurrence of `value` from the queue `key`."""
        ...

    async def length(self, key: str) -> int: ...

    async def items(self, key: str) -> list[str]: ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """One process only: the embedded default when no REDIS_URL is configured."""

    # Expired keys are dropped when read, and in a sweep every this many writes, so keys that
    # are never read again (one per message) do not pile up in a long-running process.
    SWEEP_EVERY_WRITES = 1000

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float | None]] = {}
        self._writes = 0
        self._queues: dict[str, list[str]] = {}
        self._queue_changed = asyncio.Condition()

    def _live(self, key: str) -> str | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= time.monotonic():
            del self._values[key]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        self._writes += 1
        if self._writes % self.SWEEP_EVERY_WRITES == 0:
            now = time.monotonic()
            expired = [k for k, (_, exp) in self._values.items() if exp is not None and exp <= now]
            for key in expired:
                del self._values[key]
        return None if ttl is None else time.monotonic() + ttl

    def __len__(self) -> int:
        return len(self._values)

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._values[key] = (value, self._expiry(ttl))

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._values[key] = (value, self._expiry(ttl))
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def delete_if_equals(self, key: str, value: str) -> bool:
        if self._live(key) == value:
            del self._values[key]
            return True
        return False

    async def incr(self, key: str, ttl: float) -> int:
        current = self._live(key)
        if current is None:
            self._values[key] = ("1", self._expiry(ttl))
            return 1
        _, expires = self._values[key]
        self._values[key] = (str(int(current) + 1), expires)
        return int(current) + 1

    async def push(self, key: str, value: str) -> None:
        async with self._queue_changed:
            self._queues.setdefault(key, []).append(value)
            self._queue_changed.notify_all()

    async def pop(self, key: str, timeout: float) -> str | None:
        async with self._queue_changed:
            try:
                await asyncio.wait_for(
                    self._queue_changed.wait_for(lambda: bool(self._queues.get(key))), timeout
                )
            except TimeoutError:
                return None
            return self._queues[key].pop(0)

    async def move(self, source: str, destination: str, timeout: float) -> str | None:
        item = await self.pop(source, timeout)
        if item is not None:
            self._queues.setdefault(destination, []).append(item)
        return item

    async def remove(self, key: str, value: str) -> None:
        queue = self._queues.get(key, [])
        if value in queue:
            queue.remove(value)

    async def length(self, key: str) -> int:
        return len(self._queues.get(key, []))

    async def items(self, key: str) -> list[str]:
        return list(self._queues.get(key, []))

    async def aclose(self) -> None:
        return None


_DELETE_IF_EQUALS = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
_INCR_WITH_TTL = """
local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
return n
"""


class RedisStore:
    """Shared by every gateway process that points at the same Redis."""

    def __init__(self, url: str, *, prefix: str = "frontdoor:") -> None:
        self._redis = redis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def ping(self) -> None:
        await self._redis.ping()

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._k(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._redis.set(self._k(key), value, px=None if ttl is None else int(ttl * 1000))

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._redis.set(self._k(key), value, nx=True, px=int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def delete_if_equals(self, key: str, value: str) -> bool:
        deleted = await self._redis.eval(_DELETE_IF_EQUALS, 1, self._k(key), value)
        return bool(deleted)

    async def incr(self, key: str, ttl: float) -> int:
        count = await self._redis.eval(_INCR_WITH_TTL, 1, self._k(key), int(ttl * 1000))
        return int(count)

    async def push(self, key: str, value: str) -> None:
        await self._redis.rpush(self._k(key), value)

    async def pop(self, key: str, timeout: float) -> str | None:
        item = await self._redis.blpop([self._k(key)], timeout=max(timeout, 0.01))
        return None if item is None else str(item[1])

    async def move(self, source: str, destination: str, timeout: float) -> str | None:
        # Redis takes fractional timeouts (6.0+); redis-py's stubs say int.
        item = await self._redis.blmove(
            self._k(source),
            self._k(destination),
            max(timeout, 0.01),  # type: ignore[arg-type]
            "LEFT",
            "RIGHT",
        )
        return None if item is None else str(item)

    async def remove(self, key: str, value: str) -> None:
        await self._redis.lrem(self._k(key), 1, value)

    async def length(self, key: str) -> int:
        return int(await self._redis.llen(self._k(key)))

    async def items(self, key: str) -> list[str]:
        return [str(v) for v in await self._redis.lrange(self._k(key), 0, -1)]

    async def aclose(self) -> None:
        await self._redis.aclose()


def open_store(redis_url: str | None, *, prefix: str = "frontdoor:") -> Store:
    """Redis when a URL is configured, otherwise the in-process store."""
    return RedisStore(redis_url, prefix=prefix) if redis_url else MemoryStore()
