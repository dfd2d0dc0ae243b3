"""Shared state of gateway processes: an in-process store by default, Redis when configured."""

from integrations.wechat.state.store import MemoryStore, RedisStore, Store, open_store

__all__ = ["MemoryStore", "RedisStore", "Store", "open_store"]
