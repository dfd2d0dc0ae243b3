"""Starts the whole system (sandbox hospital, action server, Rasa with the trained model,
gateway) with the same launcher as `make run`, on free ports, against the real Redis and
PostgreSQL. Needs the model `make model` trains; fails with instructions when it is missing."""

from __future__ import annotations

import base64
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from sandbox.wechat.sender import WeChatSender
from scripts.launcher import System, build_system, current_model

TOKEN = "e2e-token"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _temporary_schema(kind: str) -> Iterator[str]:
    schema = f"{kind}_e2e_{uuid.uuid4().hex[:8]}"
    url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        pytest.fail(f"the end-to-end suite needs PostgreSQL at {url}: {exc}")
    yield schema
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """The sandbox hospital's schema."""
    yield from _temporary_schema("hospital")


@pytest.fixture(scope="session")
def frontdoor_schema() -> Iterator[str]:
    """frontdoor's own records (patients, vault), as a separate database would hold them."""
    yield from _temporary_schema("frontdoor")


@pytest.fixture(scope="session")
def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"the end-to-end suite needs Redis at {REDIS_URL}: {exc}")
    return client


ADMIN_TOKEN = "e2e-admin-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def system(
    postgres_schema: str, frontdoor_schema: str, redis_client: redis.Redis, tmp_path_factory
) -> Iterator[System]:
    model = current_model()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make model` (or `make test`) first")
    rasa_port, action_port, his_port, gateway_port, wechat_port, sms_port = (
        _free_port() for _ in range(6)
    )
    separator = "&" if "?" in POSTGRES_URL else "?"
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": "wxe2e0000000000000",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "HIS_BASE_URL": f"http://127.0.0.1:{his_port}/fhir",
        "GATEWAY_PORT": str(gateway_port),
        "WECHAT_API_BASE_URL": f"http://127.0.0.1:{wechat_port}",
        # The slow-hospital tests make FHIR calls take seconds; the client must wait for them.
        "HIS_TIMEOUT_SECONDS": "20",
        "GATEWAY_HOST": "127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": f"frontdoor-e2e-{uuid.uuid4().hex[:8]}:",
        "DATABASE_URL": f"{POSTGRES_URL}{separator}options=-csearch_path%3D{postgres_schema}",
        "FRONTDOOR_DATABASE_URL": (
            f"{POSTGRES_URL}{separator}options=-csearch_path%3D{frontdoor_schema}"
        ),
        "FRONTDOOR_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SMS_BASE_URL": f"http://127.0.0.1:{sms_port}",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        # Report-ready notices: poll the hospital every second instead of every minute.
        "REPORT_WATCH_INTERVAL_SECONDS": "1",
    }
    log_dir = Path(tmp_path_factory.mktemp("e2e-logs"))
    running = build_system(environ, model=model, log_dir=log_dir)
    running.start(timeout=300)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def wechat(system: System) -> AsyncIterator[WeChatSender]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=10) as client:
        yield WeChatSender(client, token=TOKEN)
