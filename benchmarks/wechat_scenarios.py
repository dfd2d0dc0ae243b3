"""WeChat's 5-second deadline under stress: a retry storm and a slow hospital (`benchmarks.load`).

WeChat waits 5 s for the passive reply to a message, then delivers the same message (same MsgId)
again, three tries in all; a reply that comes later is dropped. The gateway answers every POST
within its 4.5 s budget and pushes a late reply through the customer-service API. Two scenarios,
each at a concurrency that saturates the machine (every message at once by default):

- retry storm: every user sends one message that runs a custom action (荔湾有哪些医院), delivered
  as WeChat delivers a message it got no answer to: the same MsgId at 0, 5 and 10 s, the retries
  fired whatever the first delivery answered;
- slow hospital: the sandbox hospital answers every FHIR call after `latency` seconds (longer
  than the budget), and distinct users each send that message once: every POST must still be
  answered within the deadline, and every reply must come by push.

For each: the POSTs answered within 5 s (response time measured per POST, from just before it is
sent until its answer has been read), the user turns Rasa recorded more than once (read from the
trackers through Rasa's HTTP API), the messages lost (no passive reply within 5 s on any delivery
and no customer-service push to the user within `push_wait_s` after the last POST) and those
answered twice (a passive reply within 5 s and a push, or the same text pushed twice; the parts of
one long reply are one answer). A passive reply after 5 s counts as none: WeChat would have
dropped it. Pushes are read from the WeChat API stand-in's `/sandbox/sent`.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from sandbox.wechat.sender import WeChatSender, random_openid

DEADLINE_S = 5.0  # WeChat's wait for a passive reply
STORM_TEXT = "荔湾有哪些医院"  # one custom action calling the hospital
RETRY_OFFSETS_S = (0.0, 5.0, 10.0)  # WeChat's three tries of one message
POST_TIMEOUT_S = 20.0  # well past the deadline, so late answers are measured, not cut off
PUSH_WAIT_S = 60.0  # after the last POST, how long pushes may take to arrive
PUSH_SETTLE_S = 3.0  # once every message is answered, wait this long for stray second answers
POLL_S = 0.5
TRACKER_CONCURRENCY = 8
FALLBACK_MARK = "系统有点忙"  # the gateway's texts.SERVICE_BUSY
MAX_PROBLEMS = 10  # examples of lost / twice-answered / duplicated messages kept in the results


class ScenarioError(Exception):
    """The scenario could not be measured (the stand-ins or Rasa's API did not answer)."""


@dataclass(frozen=True)
class Plan:
    key: str
    title: str
    messages: int  # one per user
    offsets_s: tuple[float, ...]  # deliveries of each message, from the scenario's start
    concurrency: int  # POSTs in flight at most
    hospital_latency_s: float | None = None
    text: str = STORM_TEXT


def storm_plan(users: int, concurrency: int) -> Plan:
    return Plan("storm", "retry storm", users, RETRY_OFFSETS_S, concurrency)


def slow_plan(messages: int, concurrency: int, latency_s: float) -> Plan:
    return Plan("slow", "slow hospital", messages, (0.0,), concurrency, latency_s)


@dataclass(frozen=True)
class Delivery:
    """One POST of a message: when it went out, how long its answer took, what the answer was."""

    user: str
    attempt: int
    sent_at_s: float  # from the scenario's start
    latency_s: float
    status: int | None
    passive: str | None  # the text of a passive reply; None for `success`, errors
    error: str | None = None

    @property
    def in_time(self) -> bool:
        return self.status == 200 and self.latency_s <= DEADLINE_S


@dataclass(frozen=True)
class DeadlineStats:
    scenario: str
    title: str
    text: str
    messages: int
    deliveries: int
    concurrency: int
    hospital_latency_s: float | None
    within_deadline: int  # POSTs answered (HTTP 200) within 5 s
    within_deadline_pct: float | None
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    post_errors: int  # transport failures and non-200 answers
    late_passive: int  # POSTs whose passive reply came after 5 s (WeChat drops those)
    answered_passively: int  # messages with a passive reply within 5 s
    answered_by_push: int  # messages with a customer-service push
    busy_answers: int  # messages answered with the 系统有点忙 fallback
    lost: int
    answered_twice: int
    rasa_duplicates: int  # user turns recorded more than once for one message
    rasa_missing: int  # messages Rasa never recorded
    pushes: int  # customer-service messages to these users (the parts of a long reply count)
    last_push_s: float | None  # from the scenario's start
    push_wait_s: float  # how long after the last POST the harness waited for pushes
    wall_s: float
    problems: list[str] = field(default_factory=list)


# --- running a scenario ----------------------------------------------------------------------


def loopback_client(base_url: str, pool: int, timeout: float) -> httpx.AsyncClient:
    if urlsplit(base_url).hostname != "127.0.0.1":
        raise ScenarioError(f"refusing to load anything but 127.0.0.1: {base_url}")
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
        trust_env=False,
    )


async def deliver(
    sender: WeChatSender,
    user: str,
    msg_id: int,
    plan: Plan,
    attempt: int,
    start: float,
    gate: asyncio.Semaphore,
) -> Delivery:
    await asyncio.sleep(max(0.0, start + plan.offsets_s[attempt - 1] - time.perf_counter()))
    async with gate:
        sent = time.perf_counter()
        try:
            reply = await sender.text(user, plan.text, msg_id=msg_id)
        except httpx.HTTPError as exc:
            latency = time.perf_counter() - sent
            failure = f"{type(exc).__name__}: {exc}"
            return Delivery(user, attempt, sent - start, latency, None, None, failure)
        latency = time.perf_counter() - sent
    passive = reply.content
    error = None if reply.status == 200 else f"HTTP {reply.status}: {reply.body[:200]}"
    return Delivery(user, attempt, sent - start, latency, reply.status, passive, error)


async def set_hospital_latency(his_control: httpx.AsyncClient, seconds: float) -> None:
    try:
        response = await his_control.post("/sandbox/control", json={"latency_seconds": seconds})
        response.raise_for_status()
        applied = response.json().get("latency_seconds")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise ScenarioError(f"could not set the hospital's latency to {seconds} s: {exc}") from exc
    if applied != seconds:
        raise ScenarioError(f"the hospital kept latency {applied} s instead of {seconds} s")


async def sent_messages(wechat_api: httpx.AsyncClient, users: set[str]) -> list[dict[str, Any]]:
    try:
        response = await wechat_api.get("/sandbox/sent")
        response.raise_for_status()
        sent: Any = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ScenarioError(f"could not read the WeChat API stand-in's pushes: {exc}") from exc
    return [m for m in sent if isinstance(m, dict) and m.get("touser") in users]


async def wait_for_pushes(
    wechat_api: httpx.AsyncClient, users: set[str], passive: set[str], wait_s: float
) -> tuple[list[dict[str, Any]], float]:
    """Pushes to `users`, once every user is answered (passively or by push) and no push came
    for PUSH_SETTLE_S, or after `wait_s`; and how long that took."""
    start = time.monotonic()
    seen, changed = -1, start
    while True:
        pushed = await sent_messages(wechat_api, users)
        now = time.monotonic()
        if len(pushed) != seen:
            seen, changed = len(pushed), now
        answered = passive | {m["touser"] for m in pushed}
        settled = users <= answered and now - changed >= PUSH_SETTLE_S
        if settled or now - start >= wait_s:
            return pushed, now - start
        await asyncio.sleep(POLL_S)


async def user_turns(
    rasa: httpx.AsyncClient, token: str, users: Sequence[str], text: str
) -> dict[str, int]:
    """How many user turns with `text` Rasa's tracker of each user holds."""
    gate = asyncio.Semaphore(TRACKER_CONCURRENCY)

    async def count(user: str) -> tuple[str, int]:
        async with gate:
            try:
                response = await rasa.get(f"/conversations/{user}/tracker", params={"token": token})
                response.raise_for_status()
                tracker: Any = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ScenarioError(f"could not read a tracker from Rasa's API: {exc}") from exc
        events = (tracker.get("events") or []) if isinstance(tracker, dict) else []
        turns = [e for e in events if e.get("event") == "user" and e.get("text") == text]
        return user, len(turns)

    return dict(await asyncio.gather(*(count(user) for user in users)))


def pushed_text(message: dict[str, Any]) -> str:
    payload = message.get("payload") or {}
    text = payload.get("text") if isinstance(payload, dict) else None
    return str(text.get("content", "")) if isinstance(text, dict) else ""


def percentile_ms(latencies_s: Sequence[float], p: int) -> float | None:
    ms = sorted(x * 1000 for x in latencies_s)
    if not ms:
        return None
    value = ms[0] if len(ms) == 1 else statistics.quantiles(ms, n=100, method="inclusive")[p - 1]
    return round(value, 1)


def summarize(
    plan: Plan,
    users: Sequence[str],
    deliveries: Sequence[Delivery],
    pushed: Sequence[dict[str, Any]],
    turns: Mapping[str, int],
    *,
    start_wall: float,
    push_wait_s: float,
    wall_s: float,
) -> DeadlineStats:
    by_user: dict[str, list[Delivery]] = {user: [] for user in users}
    for d in deliveries:
        by_user[d.user].append(d)
    pushes: dict[str, list[str]] = {user: [] for user in users}
    for message in pushed:
        pushes[message["touser"]].append(pushed_text(message))
    passive_users = {d.user for d in deliveries if d.passive is not None and d.in_time}
    pushed_users = {user for user, texts in pushes.items() if texts}
    problems: list[str] = []

    def note(user: str, what: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            answers = ", ".join(
                f"try {d.attempt} at {d.sent_at_s:.1f} s: {d.latency_s:.2f} s "
                + (d.error or ("passive" if d.passive is not None else "success"))
                for d in by_user[user]
            )
            problems.append(f"{user[:8]}…: {what} ({answers}; {len(pushes[user])} pushed)")

    lost = twice = busy = 0
    for user in users:
        answers = [d.passive for d in by_user[user] if d.passive is not None and d.in_time]
        answers += pushes[user]
        repeated_push = any(n > 1 for n in Counter(pushes[user]).values())
        if not answers:
            lost += 1
            note(user, "lost")
        elif (user in passive_users and user in pushed_users) or repeated_push:
            twice += 1
            note(user, "answered twice")
        if any(FALLBACK_MARK in (answer or "") for answer in answers):
            busy += 1
        if turns.get(user, 0) > 1:
            note(user, f"Rasa recorded {turns[user]} turns")
    latencies = [d.latency_s for d in deliveries]
    within = sum(d.in_time for d in deliveries)
    push_times = [float(m["time"]) - start_wall for m in pushed if "time" in m]
    return DeadlineStats(
        scenario=plan.key,
        title=plan.title,
        text=plan.text,
        messages=len(users),
        deliveries=len(deliveries),
        concurrency=plan.concurrency,
        hospital_latency_s=plan.hospital_latency_s,
        within_deadline=within,
        within_deadline_pct=round(within / len(deliveries) * 100, 1) if deliveries else None,
        p50_ms=percentile_ms(latencies, 50),
        p95_ms=percentile_ms(latencies, 95),
        max_ms=round(max(latencies) * 1000, 1) if latencies else None,
        post_errors=sum(d.error is not None for d in deliveries),
        late_passive=sum(d.passive is not None and not d.in_time for d in deliveries),
        answered_passively=len(passive_users),
        answered_by_push=len(pushed_users),
        busy_answers=busy,
        lost=lost,
        answered_twice=twice,
        rasa_duplicates=sum(max(0, turns.get(user, 0) - 1) for user in users),
        rasa_missing=sum(turns.get(user, 0) == 0 for user in users),
        pushes=len(pushed),
        last_push_s=round(max(push_times), 1) if push_times else None,
        push_wait_s=round(push_wait_s, 1),
        wall_s=round(wall_s, 1),
        problems=problems,
    )


async def run_plan(
    plan: Plan,
    *,
    gateway_url: str,
    wechat_token: str,
    env: Mapping[str, str],
    push_wait_s: float = PUSH_WAIT_S,
) -> DeadlineStats:
    """Send the plan's messages, wait for their pushes, read Rasa's trackers, summarize."""
    users = [random_openid() for _ in range(plan.messages)]
    posts = plan.messages * len(plan.offsets_s)
    his_base = env["HIS_BASE_URL"].removesuffix("/").removesuffix("/fhir")
    async with (
        loopback_client(gateway_url, posts, POST_TIMEOUT_S) as gateway,
        loopback_client(env["WECHAT_API_BASE_URL"], 4, 10.0) as wechat_api,
        loopback_client(his_base, 2, 10.0) as his_control,
        loopback_client(env["RASA_URL"], TRACKER_CONCURRENCY, 10.0) as rasa,
    ):
        try:
            (await wechat_api.delete("/sandbox/sent")).raise_for_status()
        except httpx.HTTPError as exc:
            raise ScenarioError(f"could not clear the stand-in's pushes: {exc}") from exc
        sender = WeChatSender(gateway, token=wechat_token)
        msg_ids = {user: secrets.randbits(62) for user in users}
        gate = asyncio.Semaphore(plan.concurrency)
        if plan.hospital_latency_s is not None:
            await set_hospital_latency(his_control, plan.hospital_latency_s)
        try:
            start_wall, start = time.time(), time.perf_counter()
            deliveries = await asyncio.gather(
                *(
                    deliver(sender, user, msg_ids[user], plan, attempt, start, gate)
                    for user in users
                    for attempt in range(1, len(plan.offsets_s) + 1)
                )
            )
            passive = {d.user for d in deliveries if d.passive is not None and d.in_time}
            pushed, waited = await wait_for_pushes(wechat_api, set(users), passive, push_wait_s)
        finally:
            if plan.hospital_latency_s is not None:
                await set_hospital_latency(his_control, 0.0)
        wall = time.perf_counter() - start
        turns = await user_turns(rasa, env["RASA_TOKEN"], users, plan.text)
    return summarize(
        plan,
        users,
        deliveries,
        pushed,
        turns,
        start_wall=start_wall,
        push_wait_s=waited,
        wall_s=wall,
    )


async def run_plans(
    plans: Sequence[Plan], *, gateway_url: str, wechat_token: str, env: Mapping[str, str]
) -> list[DeadlineStats]:
    results = []
    for plan in plans:
        progress(
            f"{plan.title}: {plan.messages} messages x {len(plan.offsets_s)} deliveries, "
            f"concurrency {plan.concurrency}"
            + (
                f", hospital latency {plan.hospital_latency_s:g} s"
                if plan.hospital_latency_s is not None
                else ""
            )
        )
        stats = await run_plan(plan, gateway_url=gateway_url, wechat_token=wechat_token, env=env)
        progress(
            f"{plan.title}: {fmt(stats.within_deadline_pct, '.1f', '%')} of POSTs within 5 s, "
            f"{stats.lost} lost, {stats.answered_twice} answered twice, "
            f"{stats.rasa_duplicates} duplicated in Rasa"
        )
        results.append(stats)
    return results


# --- report -------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def deadline_lines(results: Sequence[DeadlineStats]) -> list[str]:
    head = (
        f"{'scenario':<13}{'msgs':>5}{'POSTs':>6}{'<=5 s':>7}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'max ms':>8}{'passive':>8}{'pushed':>7}{'lost':>5}{'twice':>6}{'dup Rasa':>9}"
        f"{'last push':>10}"
    )
    lines = [
        "",
        "WeChat deadline (5 s): retry storm (same MsgId at 0, 5, 10 s) and slow hospital",
        "  <=5 s: POSTs answered within 5 s; passive/pushed: messages answered that way;",
        "  lost and twice (passive + push, or a push repeated) must be 0, and so must dup Rasa",
        "  (user turns Rasa recorded more than once); last push: s from the scenario's start",
        head,
        "-" * len(head),
    ]
    for s in results:
        lines.append(
            f"{s.title:<13}{s.messages:>5}{s.deliveries:>6}"
            f"{fmt(s.within_deadline_pct, '.1f', '%'):>7}{fmt(s.p50_ms, '.0f'):>8}"
            f"{fmt(s.p95_ms, '.0f'):>8}{fmt(s.max_ms, '.0f'):>8}{s.answered_passively:>8}"
            f"{s.answered_by_push:>7}{s.lost:>5}{s.answered_twice:>6}{s.rasa_duplicates:>9}"
            f"{fmt(s.last_push_s, '.1f', ' s'):>10}"
        )
    for s in results:
        details = [
            f"concurrency {s.concurrency}",
            f"{s.pushes} pushes",
            f"waited {s.push_wait_s:.0f} s for pushes after the last POST",
        ]
        if s.hospital_latency_s is not None:
            details.insert(0, f"hospital latency {s.hospital_latency_s:g} s")
        if s.post_errors:
            details.append(f"{s.post_errors} POSTs failed or non-200")
        if s.late_passive:
            details.append(f"{s.late_passive} passive replies after 5 s (dropped by WeChat)")
        if s.busy_answers:
            details.append(f"{s.busy_answers} answered with the 系统有点忙 fallback")
        if s.rasa_missing:
            details.append(f"{s.rasa_missing} never reached Rasa")
        lines += textwrap.wrap(
            f"{s.title}: " + ", ".join(details),
            width=len(head),
            initial_indent="  ",
            subsequent_indent="    ",
        )
        lines += [f"    {problem}" for problem in s.problems]  # long: kept on one line
    return lines


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
