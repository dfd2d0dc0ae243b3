"""Store fixtures shared by the gateway's tests: the in-process store and an isolated namespace
in the real Redis (the tests fail, never skip, when Redis is missing)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio

from integrations.wechat.state import MemoryStore, RedisStore, Store

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


class RedisNamespace:
    """A key prefix of its own in the test Redis; every key under it is deleted afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"test:{uuid.uuid4().hex}:"
        self._stores: list[RedisStore] = []

    async def store(self) -> RedisStore:
        """A store in this namespace; several share their keys like gateway processes do."""
        backend = RedisStore(self.url, prefix=self.prefix)
        try:
            await backend.ping()
        except Exception as exc:
            pytest.fail(f"Redis at {self.url} is required: {exc}")
        self._stores.append(backend)
        return backend

    def raw(self) -> redis_asyncio.Redis:
        return redis_asyncio.Redis.from_url(self.url)

    async def cleanup(self) -> None:
        if not self._stores:
            return
        raw = self.raw()
        keys = [key async for key in raw.scan_iter(match=f"{self.prefix}*")]
        if keys:
            await raw.delete(*keys)
        await raw.aclose()
        for backend in self._stores:
            await backend.aclose()


@pytest.fixture
async def redis_namespace() -> AsyncIterator[RedisNamespace]:
    namespace = RedisNamespace(TEST_REDIS_URL)
    yield namespace
    await namespace.cleanup()


@pytest.fixture
async def redis_store(redis_namespace: RedisNamespace) -> RedisStore:
    return await redis_namespace.store()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_namespace: RedisNamespace) -> Store:
    if request.param == "memory":
        return MemoryStore()
    return await redis_namespace.store()
