"""The end-to-end latency of report turns through the WeChat endpoint (`benchmarks.load`,
scenario `reports`).

Each simulated resident binds the sandbox hospital's elderly demo patient through the dialogue
(each with their own phone: the SMS stand-in limits codes per number), then asks 「查报告」 (the
hospital patient is found by the ID document and the half-year list read), 「我的血常规出来了吗」
(the list, then the report with its results, the institution's phone, rendering, the access
trail) and 「电解质结果」 (the same with a critical value: the staff alert is written too).
Residents run one after another, so the numbers are one turn's latency on an idle system.
Nothing asserts on speed.
"""

from __future__ import annotations

import httpx

from benchmarks.booking_dialogue import DialogueTurns, bind_patient, say_timed
from sandbox.hospital.reports.demo import DEMO_PATIENTS
from sandbox.wechat.sender import WeChatSender, random_openid

TURNS = (
    ("list (find patient + list)", "查报告"),
    ("one test (list + report)", "我的血常规出来了吗"),
    ("critical value (+ alert)", "电解质结果"),
)


async def report_turns(gateway_url: str, token: str, sms_url: str, residents: int) -> DialogueTurns:
    elder = DEMO_PATIENTS["elder"]
    latencies: dict[str, list[float]] = {step: [] for step, _ in TURNS}
    completed = 0
    async with (
        httpx.AsyncClient(base_url=gateway_url, timeout=30) as client,
        httpx.AsyncClient(base_url=sms_url, timeout=10) as sms,
    ):
        wechat = WeChatSender(client, token=token)
        for serial in range(residents):
            user = random_openid()
            phone = f"137{serial:08d}"
            await bind_patient(
                wechat, sms, user, name=elder.name, resident_id=elder.resident_id, phone=phone
            )
            reply = ""
            for step, text in TURNS:
                reply, ms = await say_timed(wechat, user, text)
                latencies[step].append(ms)
            completed += "危急值" in reply
    return DialogueTurns(residents, completed, latencies)
