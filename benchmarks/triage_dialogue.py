"""The end-to-end latency of triage turns through the WeChat endpoint (`benchmarks.load`,
scenario `triage`).

Each simulated resident (no patient bound) sends a red flag (「我阿爸心口好痛，出晒冷汗」: the
NLU's red-flag check and the emergency answer), then 「头疼三天了」 (the triage form starts and
asks the first question), answers the questions as a resident would, and gets the answer (the
engine, then the hospital directory for the booking offer). Residents run one after another, so
the numbers are one turn's latency on an idle system. Nothing asserts on speed.
"""

from __future__ import annotations

import httpx

from benchmarks.booking_dialogue import DialogueTurns, say_timed
from sandbox.wechat.sender import WeChatSender, random_openid

ANSWERS = (("多大", "35岁"), ("发烧", "没有发烧"), ("痛得厉害", "还能忍受"), ("多久", "三天"))
STEPS = ("red flag → emergency answer", "symptoms → first question", "question", "answer + offer")


async def triage_turns(gateway_url: str, token: str, residents: int) -> DialogueTurns:
    latencies: dict[str, list[float]] = {step: [] for step in STEPS}
    completed = 0
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        wechat = WeChatSender(client, token=token)
        for _ in range(residents):
            user = random_openid()
            _, ms = await say_timed(wechat, user, "我阿爸心口好痛，出晒冷汗")
            latencies[STEPS[0]].append(ms)
            reply, ms = await say_timed(wechat, user, "头疼三天了")
            latencies[STEPS[1]].append(ms)
            for _ in range(3):
                answer = next((a for cue, a in ANSWERS if cue in reply), None)
                if answer is None:
                    break
                reply, ms = await say_timed(wechat, user, answer)
                asked = next((cue for cue, _ in ANSWERS if cue in reply), None)
                latencies[STEPS[2] if asked else STEPS[3]].append(ms)
            completed += "神经内科" in reply
    return DialogueTurns(residents, completed, latencies)
