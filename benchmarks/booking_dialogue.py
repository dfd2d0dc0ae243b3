"""The end-to-end latency of booking turns through the WeChat endpoint (`benchmarks.load`,
scenario `booking`).

Each simulated resident binds a patient through the dialogue (consent, relation, name, ID,
phone, the SMS code read from the SMS stand-in), then books: 「帮我约…儿科的号」 (the booking form
starts and searches the hospital's free slots), 「1」 (a slot is chosen and a confirmation shown)
and 「1」 (confirmed: the patient is registered with the hospital on the first booking and the
appointment is made). The latency of each booking turn is measured per POST, from just before
it is sent until the passive reply has been read; residents run one after another, so the
numbers are the latency of one booking turn on an idle system. Nothing asserts on speed.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import httpx

from sandbox.wechat.sender import WeChatSender, random_openid

STEPS = ("start (form + slot search)", "choose a slot", "confirm (register + book)")


def _resident_id(serial: int) -> str:
    first17 = f"44010419700101{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


@dataclass
class DialogueTurns:
    """Latencies of the measured turns of one dialogue, over residents run one by one."""

    residents: int
    completed: int  # residents whose last turn got the expected answer
    # step name → latencies in ms
    latencies: dict[str, list[float]]

    def summary(self) -> dict[str, object]:
        return {
            "residents": self.residents,
            "completed": self.completed,
            "steps": {
                step: {
                    "p50_ms": round(statistics.median(ms), 1),
                    "max_ms": round(max(ms), 1),
                }
                for step, ms in self.latencies.items()
                if ms
            },
        }


async def say_timed(wechat: WeChatSender, user: str, text: str) -> tuple[str, float]:
    """The passive reply to `text` and how long it took, in ms."""
    started = time.perf_counter()
    reply = await wechat.text(user, text)
    return reply.content or "", (time.perf_counter() - started) * 1000


async def bind_patient(
    wechat: WeChatSender,
    sms: httpx.AsyncClient,
    user: str,
    *,
    name: str,
    resident_id: str,
    phone: str,
) -> None:
    """Bind a patient (本人) through the dialogue, reading the code from the SMS stand-in."""
    for text in ("添加就诊人", "1", "1", name, resident_id, phone):
        await say_timed(wechat, user, text)
    found = (await sms.get("/sandbox/messages", params={"phone": f"+86{phone}"})).json()
    await say_timed(wechat, user, str(found[-1]["params"]["code"]))


async def booking_turns(
    gateway_url: str, token: str, sms_url: str, residents: int
) -> DialogueTurns:
    latencies: dict[str, list[float]] = {step: [] for step in STEPS}
    booked = 0
    async with (
        httpx.AsyncClient(base_url=gateway_url, timeout=30) as client,
        httpx.AsyncClient(base_url=sms_url, timeout=10) as sms,
    ):
        wechat = WeChatSender(client, token=token)
        for serial in range(residents):
            user = random_openid()
            await bind_patient(
                wechat,
                sms,
                user,
                name="陈大文",
                resident_id=_resident_id(serial),
                phone=f"139{serial:08d}",
            )
            reply = ""
            for step, text in zip(STEPS, ("帮我约儿科的号，最早的", "1", "1"), strict=True):
                reply, ms = await say_timed(wechat, user, text)
                latencies[step].append(ms)
            booked += "预约成功" in reply
    return DialogueTurns(residents, booked, latencies)
