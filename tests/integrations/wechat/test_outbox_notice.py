"""A push that carries its own subscription message (a report-ready notice) falls back to it,
not to the generic template, when WeChat refuses the push; older queued jobs still load."""

from __future__ import annotations

import json

from integrations.wechat.api.errors import NotSubscribed, OutOfWindow
from integrations.wechat.outbox import Outbox, PushJob, SubscriptionNotice
from integrations.wechat.replies import TextPart
from integrations.wechat.state import MemoryStore

NOTICE = SubscriptionNotice("tmpl-report", {"thing1": "陈*强"})


class Calls:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[object, ...]] = []

    async def __call__(self, *args: object) -> None:
        self.calls.append(args)
        if self.error is not None:
            raise self.error


async def test_a_refused_push_sends_its_subscription_message_instead_of_the_template():
    text, template, notice = Calls(OutOfWindow(45015, "out")), Calls(), Calls()
    outbox = Outbox(MemoryStore(), text, fallback=template, send_notice=notice)
    await outbox.enqueue_parts("oU", [TextPart("报告已出")], notice=NOTICE)
    await outbox.process_one(timeout=0.01)
    assert notice.calls == [("oU", "tmpl-report", {"thing1": "陈*强"})]
    assert template.calls == []
    assert await outbox.failed() == []


async def test_a_refused_subscription_message_is_recorded_for_admins():
    outbox = Outbox(
        MemoryStore(),
        Calls(OutOfWindow(45015, "out")),
        send_notice=Calls(NotSubscribed(43101, "refuse")),
    )
    await outbox.enqueue_parts("oU", [TextPart("报告已出")], notice=NOTICE)
    await outbox.process_one(timeout=0.01)
    [failure] = await outbox.failed()
    assert "subscription message failed" in failure["reason"]
    assert failure["undelivered"] == ["报告已出"]


async def test_jobs_queued_before_notices_existed_still_load():
    legacy = {"openid": "oU", "parts": [{"text": "您好"}], "sent": 0, "attempt": 0}
    job = PushJob.loads(json.dumps({**legacy, "not_before": 0.0, "id": "j1"}))
    assert job.notice is None
    assert PushJob.loads(job.dumps()).notice is None
