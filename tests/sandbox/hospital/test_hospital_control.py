"""``/sandbox/control``: the latency control."""

import time

import httpx
from fastapi import FastAPI


async def test_latency_control_slows_fhir_requests_only(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hospital.test") as client:
        assert (await client.get("/sandbox/control")).json() == {"latency_seconds": 0.0}
        response = await client.post("/sandbox/control", json={"latency_seconds": 0.3})
        assert response.json() == {"latency_seconds": 0.3}
        started = time.monotonic()
        await client.get("/fhir/Organization/lw-lizhiwan-hospital")
        slowed = time.monotonic() - started
        await client.post("/sandbox/control", json={"latency_seconds": 0})
    assert slowed >= 0.3  # a lower bound set by the control itself, not a speed claim


async def test_latency_control_rejects_bad_values(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hospital.test") as client:
        response = await client.post("/sandbox/control", json={"latency_seconds": -1})
    assert response.status_code == 400
