"""Two real gateway processes behind one Redis, as in production behind a load balancer:
WeChat's retries land on either; the dialogue runs once per message, every late reply is pushed
once, and both processes share one access_token (fetched once from the WeChat API stand-in)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from aiohttp import web
from aiohttp.test_utils import TestServer

from sandbox.wechat.sender import WeChatSender, random_openid

pytestmark = pytest.mark.services

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
TOKEN = "two-process-token"
APP_ID = "wxtwoprocess00001"
# Longer than all three of WeChat's tries (each answered within the 0.5 s budget below), even on a
# loaded machine: every reply is pushed, so the shared access_token is always needed.
TURN_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def redis_db() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"this test needs Redis at {REDIS_URL}: {exc}")
    yield REDIS_URL
    client.close()


@pytest.fixture
async def slow_rasa() -> AsyncIterator[dict]:
    """Rasa's REST channel, slow, recording each (sender, message) it is asked."""
    state: dict = {"asked": []}

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        state["asked"].append((body["sender"], body["message"]))
        await asyncio.sleep(TURN_SECONDS)
        return web.json_response([{"text": f"答复：{body['message']}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        state["url"] = str(server.make_url("")).rstrip("/")
        yield state


@pytest.fixture
def processes(slow_rasa, redis_db, tmp_path) -> Iterator[dict]:
    wechat_port, gw1, gw2 = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": f"{APP_ID[:-4]}{uuid.uuid4().hex[:4]}",  # a fresh token per run
        "WECHAT_APP_SECRET": "two-process-secret",
        "WECHAT_API_BASE_URL": f"http://127.0.0.1:{wechat_port}",
        "WECHAT_API_PORT": str(wechat_port),
        "RASA_URL": slow_rasa["url"],
        "REDIS_URL": redis_db,
        # Its own namespace: other gateways on this Redis (the e2e system) must not take its jobs.
        "REDIS_KEY_PREFIX": f"test-two-processes-{uuid.uuid4().hex[:8]}:",
        "REPLY_BUDGET_SECONDS": "0.5",
        "GATEWAY_HOST": "127.0.0.1",
    }
    started = []
    try:
        stand_in = subprocess.Popen(
            [sys.executable, "-m", "sandbox.wechat"],
            env=env,
            cwd=REPO,
            stdout=(tmp_path / "wechat.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        started.append(stand_in)
        wait_ready(f"http://127.0.0.1:{wechat_port}/sandbox/stats", stand_in)
        for port in (gw1, gw2):
            gateway = subprocess.Popen(
                [sys.executable, "-m", "integrations.wechat"],
                env={**env, "GATEWAY_PORT": str(port)},
                cwd=REPO,
                stdout=(tmp_path / f"gateway-{port}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            started.append(gateway)
            wait_ready(f"http://127.0.0.1:{port}/healthz", gateway)
        yield {"wechat": f"http://127.0.0.1:{wechat_port}", "gateways": [gw1, gw2]}
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)


async def test_retries_across_two_processes_run_once_push_once_share_one_token(
    processes, slow_rasa
):
    users = [random_openid() for _ in range(6)]
    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
        for port in processes["gateways"]
    ]
    senders = [WeChatSender(client, token=TOKEN) for client in clients]

    async def deliver(user_index: int, user: str) -> list[str]:
        msg_id = 900000 + user_index
        answers = []
        # WeChat's three tries, alternating between the two processes.
        for attempt in range(3):
            sender = senders[(user_index + attempt) % 2]
            answers.append((await sender.text(user, "荔湾有哪些医院", msg_id=msg_id)).body)
            await asyncio.sleep(0.2)
        return answers

    answers = await asyncio.gather(*(deliver(i, u) for i, u in enumerate(users)))
    async with httpx.AsyncClient(base_url=processes["wechat"]) as wechat:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            sent = (await wechat.get("/sandbox/sent")).json()
            if len(sent) >= len(users):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        sent = (await wechat.get("/sandbox/sent")).json()
        stats = (await wechat.get("/sandbox/stats")).json()
    for client in clients:
        await client.aclose()

    # Rasa saw each message once, although each was delivered three times to two processes.
    assert Counter(sender for sender, _ in slow_rasa["asked"]) == Counter(users)
    # Every user got exactly one answer: passive (to a retry) or pushed.
    passive = Counter(
        u for u, a in zip(users, answers, strict=True) if any(body != "success" for body in a)
    )
    pushed = Counter(message["touser"] for message in sent)
    assert passive + pushed == Counter(users)
    # Both processes pushed with one shared access_token, fetched once.
    assert stats["fetches"]["stable_token"] + stats["fetches"]["token"] == 1
