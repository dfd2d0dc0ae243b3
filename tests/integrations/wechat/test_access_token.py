"""One access_token for all processes: `AccessTokenProvider` against the WeChat API stand-in
(in-process) and both store backends, Redis being the real one (the tests fail without it).
Providers built on one store stand for gateway processes sharing that store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from integrations.wechat.api import (
    AccessTokenProvider,
    InvalidAppCredentials,
    RetryPolicy,
    WeChatUnavailable,
)
from integrations.wechat.state import Store
from sandbox.wechat.api_server import ControlUpdate, FailureSpec, WeChatSandbox, create_app

APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-secret"
TOKEN_KEY = f"wechat:access_token:{APP_ID}"
LOCK_KEY = f"wechat:access_token:{APP_ID}:lock"


class FakeClock:
    """Shared by the stand-in and the providers, so both see the same time."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> FastAPI:
    return create_app(APP_ID, APP_SECRET, clock=clock)


@pytest.fixture
def sandbox(app: FastAPI) -> WeChatSandbox:
    state: WeChatSandbox = app.state.wechat
    return state


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


@pytest.fixture
def make_provider(store: Store, http: httpx.AsyncClient, clock: FakeClock) -> Iterator[Any]:
    def make(secret: str = APP_SECRET, **options: Any) -> AccessTokenProvider:
        options.setdefault("retry", RetryPolicy(retries=2, backoff=0))
        return AccessTokenProvider(store, http, APP_ID, secret, clock=clock, **options)

    yield make


def fetches(sandbox: WeChatSandbox) -> dict[str, int]:
    counts: dict[str, int] = sandbox.stats()["fetches"]
    return counts


async def test_token_is_fetched_once_and_shared(make_provider, sandbox: WeChatSandbox):
    first, second = make_provider(), make_provider()
    token = await first.get()
    assert await second.get() == token
    assert await first.get() == token
    assert fetches(sandbox) == {"token": 0, "stable_token": 1, "stable_token_force": 0}


async def test_concurrent_first_use_fetches_once(make_provider, sandbox: WeChatSandbox):
    providers = [make_provider(), make_provider()]
    tokens = await asyncio.gather(*(providers[i % 2].get() for i in range(20)))
    assert len(set(tokens)) == 1
    assert fetches(sandbox)["stable_token"] == 1


async def test_token_is_stored_with_its_expiry(make_provider, store: Store, clock: FakeClock):
    token = await make_provider().get()
    raw = await store.get(TOKEN_KEY)
    assert raw is not None
    assert json.loads(raw) == {"access_token": token, "expires_at": clock.now + 7200}


async def test_redis_ttl_is_lifetime_minus_safety_margin(http, clock, redis_namespace):
    store = await redis_namespace.store()
    await AccessTokenProvider(store, http, APP_ID, APP_SECRET, clock=clock).get()
    raw = redis_namespace.raw()
    ttl_ms = await raw.pttl(redis_namespace.prefix + TOKEN_KEY)
    await raw.aclose()
    assert 6800_000 < ttl_ms <= 6900_000


async def test_token_is_replaced_five_minutes_before_it_expires(
    make_provider, sandbox: WeChatSandbox, clock: FakeClock
):
    provider = make_provider()
    old = await provider.get()
    clock.advance(6899)
    assert await provider.get() == old
    clock.advance(1)
    new = await provider.get()
    assert new != old  # WeChat hands out the next token in the last 5 minutes
    assert fetches(sandbox) == {"token": 0, "stable_token": 2, "stable_token_force": 0}


async def test_invalidating_the_current_token_forces_one_refresh(
    make_provider, sandbox: WeChatSandbox
):
    provider = make_provider()
    old = await provider.get()
    new = await provider.invalidate(old)
    assert new != old
    assert await provider.get() == new
    # A normal-mode fetch (which returned the refused token again), then the forced one.
    assert fetches(sandbox) == {"token": 0, "stable_token": 3, "stable_token_force": 1}


async def test_processes_invalidating_the_same_token_refresh_once(
    make_provider, sandbox: WeChatSandbox
):
    providers = [make_provider(), make_provider()]
    old = await providers[0].get()
    successors = await asyncio.gather(*(providers[i % 2].invalidate(old) for i in range(10)))
    assert len(set(successors)) == 1
    assert successors[0] != old
    assert fetches(sandbox)["stable_token_force"] == 1


async def test_invalidating_an_already_replaced_token_fetches_nothing(
    make_provider, sandbox: WeChatSandbox
):
    first, second = make_provider(), make_provider()
    old = await first.get()
    new = await first.invalidate(old)
    before = fetches(sandbox)
    assert await second.invalidate(old) == new
    assert fetches(sandbox) == before


async def test_no_force_refresh_when_wechat_already_has_a_newer_token(
    make_provider, sandbox: WeChatSandbox
):
    provider = make_provider()
    old = await provider.get()
    newer = sandbox.fetch_stable_token(force_refresh=True).value  # someone else forced one
    assert await provider.invalidate(old) == newer
    assert fetches(sandbox)["stable_token_force"] == 1  # only the other party's


async def test_wrong_secret_fails_every_caller_with_one_fetch(
    make_provider, sandbox: WeChatSandbox
):
    providers = [make_provider(secret="wrong"), make_provider(secret="wrong")]
    results = await asyncio.gather(
        *(providers[i % 2].get() for i in range(10)), return_exceptions=True
    )
    assert all(isinstance(result, InvalidAppCredentials) for result in results)
    assert {result.errcode for result in results if isinstance(result, InvalidAppCredentials)} == {
        40125
    }
    assert fetches(sandbox)["stable_token"] == 0  # refused before counting
    assert sandbox.calls["/cgi-bin/stable_token"] == 1


async def test_transient_http_errors_on_fetch_are_retried(make_provider, sandbox: WeChatSandbox):
    sandbox.apply(
        ControlUpdate(fail_next=FailureSpec(http_status=503, count=2, path="/cgi-bin/stable_token"))
    )
    assert await make_provider().get()
    assert sandbox.calls["/cgi-bin/stable_token"] == 3


async def test_a_crashed_lock_holder_only_delays_the_others(make_provider, store: Store):
    await store.set_nx(LOCK_KEY, "a process that died", ttl=0.3)
    assert await make_provider(poll_interval=0.02).get()


async def test_waiting_for_a_stuck_refresh_gives_up(make_provider, store: Store):
    await store.set_nx(LOCK_KEY, "a process that hangs", ttl=30)
    with pytest.raises(WeChatUnavailable):
        await make_provider(wait_timeout=0.2, poll_interval=0.02).get()
