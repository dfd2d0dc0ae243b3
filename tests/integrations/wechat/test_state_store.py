"""Both store backends behave the same; the Redis one against the real Redis (fails if absent)."""

from __future__ import annotations

import asyncio

from integrations.wechat.state import MemoryStore, Store


async def test_set_nx_is_exclusive_and_expires(store: Store):
    assert await store.set_nx("claim", "a", ttl=0.2)
    assert not await store.set_nx("claim", "b", ttl=0.2)
    assert await store.get("claim") == "a"
    await asyncio.sleep(0.3)
    assert await store.get("claim") is None
    assert await store.set_nx("claim", "c", ttl=1)


async def test_concurrent_claims_have_one_winner(store: Store):
    results = await asyncio.gather(*(store.set_nx("race", str(i), ttl=5) for i in range(20)))
    assert sum(results) == 1


async def test_delete_if_equals_only_releases_own_lock(store: Store):
    await store.set("lock", "owner-1", ttl=5)
    assert not await store.delete_if_equals("lock", "owner-2")
    assert await store.get("lock") == "owner-1"
    assert await store.delete_if_equals("lock", "owner-1")
    assert await store.get("lock") is None


async def test_incr_starts_expiry_once(store: Store):
    assert [await store.incr("n", ttl=0.3) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.4)
    assert await store.incr("n", ttl=0.3) == 1


async def test_queue_is_fifo_and_pop_waits(store: Store):
    await store.push("q", "first")
    await store.push("q", "second")
    assert await store.length("q") == 2
    assert await store.items("q") == ["first", "second"]
    assert await store.pop("q", timeout=0.1) == "first"
    assert await store.pop("q", timeout=0.1) == "second"
    assert await store.pop("q", timeout=0.1) is None

    async def later() -> None:
        await asyncio.sleep(0.1)
        await store.push("q", "late")

    pusher = asyncio.create_task(later())
    assert await store.pop("q", timeout=2) == "late"
    await pusher


async def test_memory_store_sweeps_keys_nobody_reads_again():
    store = MemoryStore()
    for i in range(MemoryStore.SWEEP_EVERY_WRITES - 1):
        await store.set(f"once:{i}", "x", ttl=0.01)
    await asyncio.sleep(0.02)
    await store.set("trigger", "x", ttl=10)  # the sweep runs on this write
    assert len(store) == 1
