"""Load benchmark: what the WeChat gateway costs on top of Rasa, and how a turn slows down as a
conversation grows.

`python -m benchmarks.load` (or `make bench`) starts the whole system with the launcher of
`make run`, on free loopback ports, with Rasa's in-memory tracker store (Redis with --redis) and
the sandbox hospital on SQLite in a temporary directory. It then measures from outside:

1. Gateway vs Rasa, in the same run. Signed WeChat text messages (XML, exactly as WeChat sends
   them) to the gateway's `POST /wechat`, and the same turns as JSON straight to Rasa's REST
   webhook, at each --concurrency level, for two message mixes: rules answered by a response only
   (你好 / 谢谢 / 你能做什么), and turns that each run one custom action calling the sandbox
   hospital (荔湾有哪些医院 / 社区医院有哪些科室). For each: throughput (turns/s), p50/p95/p99
   latency and errors (transport failure, non-200, the gateway's "系统有点忙" fallback or its
   rate-limit answer; the benchmark lifts the per-user rate limit), then
   the gateway/Rasa ratios of p50 and throughput and the gateway overhead,
   (gateway p50 - Rasa p50) / Rasa p50. Both targets are warmed up first, and the runs of one level
   go gateway, Rasa, Rasa, gateway (half the requests each time) so that drift in background load
   hits both alike. Every run has its own users (--users, 50 by default, one OpenID or sender id
   each), so conversations stay a few turns long.
2. Conversation length. One sender per target sends 你好 and 谢谢 alternately, turn after turn;
   the median latency of the turns around turn 1, 50 and 200 (turns 1-3, 48-52, 198-202) through
   the gateway and directly against Rasa, the two targets taking turns.
3. Retry storm (see `benchmarks.wechat_scenarios`). --storm-users users (40) each send one message
   that runs a custom action, delivered as WeChat does when it gets no answer: the same MsgId at
   0, 5 and 10 s, all users at once.
4. Slow hospital. The sandbox hospital answers every FHIR call after --slow-latency seconds (6),
   and --slow-messages distinct users (30) each send that message at once; every POST must be
   answered within WeChat's 5 s and every reply must come by customer-service push.
For 3 and 4: the share of POSTs answered within 5 s (and p50/p95/max response time), the user
turns Rasa recorded twice (must be 0), the messages lost (must be 0) or answered twice (must be 0)
and the time until the last push. Also: booking turns (`benchmarks.booking_dialogue`) and report
turns (`benchmarks.report_dialogue`) and triage turns (`benchmarks.triage_dialogue`), each
residents one after another. --scenarios picks which of load, conversation, booking, reports,
triage, storm, slow run.

Latency is measured per request from just before it is sent until its reply has been read and
checked. The table is printed and the results go to var/bench/latest.json. Numbers depend on the
machine and on whatever else runs on it: nothing here asserts on speed. The exit status is non-zero
only when the harness fails (no model, the system does not start, a service dies, a target never
answers during the warm-up). Every request goes to 127.0.0.1; every loop is bounded in requests
and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from benchmarks.booking_dialogue import booking_turns
from benchmarks.report_dialogue import report_turns
from benchmarks.triage_dialogue import triage_turns
from benchmarks.wechat_scenarios import (
    DeadlineStats,
    Plan,
    ScenarioError,
    deadline_lines,
    run_plans,
    slow_plan,
    storm_plan,
)
from integrations.wechat import texts
from sandbox.wechat.sender import WeChatSender, random_openid
from scripts.launcher import APP_PYTHON, REPO, System, build_system, current_model

Target = Literal["gateway", "rasa"]
TARGETS: tuple[Target, Target] = ("gateway", "rasa")
# Gateway, Rasa, Rasa, gateway: each target gets one early and one late half of the requests.
ABBA: tuple[tuple[Target, int], ...] = (("gateway", 0), ("rasa", 0), ("rasa", 1), ("gateway", 1))

BOOKING_RESIDENTS = 10
TOKEN = "bench-token"
FALLBACK_MARK = "系统有点忙"  # the gateway's texts.SERVICE_BUSY: Rasa failed or timed out
# The conversation sends hundreds of turns a minute from one user: lift the per-user rate limit
# (30 a minute by default), and count its answer as an error should it ever show up.
RATE_LIMIT_PER_MINUTE = "1000000"
SCENARIOS = ("load", "conversation", "booking", "reports", "triage", "storm", "slow")
CONVERSATION_TEXTS = ("你好", "谢谢")
MARK_WINDOW = 2  # turns on each side of a conversation mark
REQUEST_TIMEOUT_S = 10.0
RUN_BUDGET_S = 60.0  # one half-run stops sending after this
CONVERSATION_BUDGET_S = 180.0
WARMUP_BUDGET_S = 60.0
START_TIMEOUT_S = 300.0
OUTPUT = REPO / "var" / "bench" / "latest.json"
LOG_DIR = REPO / "var" / "bench" / "logs"


@dataclass(frozen=True)
class Mix:
    key: str
    title: str
    texts: tuple[str, ...]


MIXES = (
    Mix("no_custom_action", "no custom action", ("你好", "谢谢", "你能做什么")),
    Mix("one_custom_action", "one custom action", ("荔湾有哪些医院", "社区医院有哪些科室")),
)


class HarnessError(Exception):
    """The benchmark could not measure (as opposed to the system being slow or failing turns)."""


@dataclass(frozen=True)
class Config:
    concurrency: tuple[int, ...]
    requests: int
    users: int
    warmup: int
    marks: tuple[int, ...]
    quick: bool
    scenarios: tuple[str, ...]
    storm_users: int
    storm_concurrency: int
    slow_messages: int
    slow_concurrency: int
    slow_latency: float
    redis_url: str | None
    model: Path
    output: Path


@dataclass(frozen=True)
class Outcome:
    """One request: its latency, whether it counts as answered, and what came back."""

    latency_s: float
    ok: bool
    reply: str


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    wall_s: float
    planned: int


@dataclass(frozen=True)
class Stats:
    requests: int
    errors: int
    turns_per_s: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    not_sent: int  # requests left when a run hit its time budget


@dataclass(frozen=True)
class Comparison:
    mix: str
    title: str
    texts: tuple[str, ...]
    concurrency: int
    gateway: Stats
    rasa: Stats
    p50_ratio: float | None
    throughput_ratio: float | None
    gateway_overhead_pct: float | None


@dataclass(frozen=True)
class MarkStats:
    turns: int
    errors: int
    median_ms: float | None


@dataclass(frozen=True)
class Mark:
    turn: int
    first: int
    last: int
    gateway: MarkStats
    rasa: MarkStats
    gateway_overhead_pct: float | None


# --- sending ----------------------------------------------------------------------------------


Send = Callable[[str, str], Awaitable[Outcome]]


async def timed(call: Awaitable[tuple[bool, str]]) -> Outcome:
    start = time.perf_counter()
    try:
        ok, reply = await call
    except httpx.HTTPError as exc:
        ok, reply = False, f"{type(exc).__name__}: {exc}"
    return Outcome(time.perf_counter() - start, ok, reply)


async def gateway_turn(sender: WeChatSender, user: str, text: str) -> tuple[bool, str]:
    """One signed WeChat text message; answered means HTTP 200, a text reply, neither the
    fallback nor the rate limit's answer."""
    reply = await sender.text(user, text)
    content = reply.content
    if content is None:
        return False, f"HTTP {reply.status}: {reply.body[:200]}"
    return FALLBACK_MARK not in content and content != texts.RATE_LIMITED, content


async def rasa_turn(client: httpx.AsyncClient, user: str, text: str) -> tuple[bool, str]:
    """One turn on Rasa's REST webhook; answered means HTTP 200 with a JSON list of messages."""
    response = await client.post("/webhooks/rest/webhook", json={"sender": user, "message": text})
    if response.status_code != 200:
        return False, f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        payload: Any = response.json()
    except ValueError:
        return False, f"not JSON: {response.text[:200]}"
    if not isinstance(payload, list):
        return False, f"not a list: {response.text[:200]}"
    reply = "\n".join(str(m.get("text", "")) for m in payload if isinstance(m, dict))
    return FALLBACK_MARK not in reply, reply


class Clients:
    """Sends one turn to either target; both use keep-alive connections to 127.0.0.1."""

    def __init__(self, gateway: httpx.AsyncClient, rasa: httpx.AsyncClient) -> None:
        self._wechat = WeChatSender(gateway, token=TOKEN)
        self._rasa = rasa

    def send(self, target: Target, user: str, text: str) -> Awaitable[Outcome]:
        if target == "gateway":
            return timed(gateway_turn(self._wechat, user, text))
        return timed(rasa_turn(self._rasa, user, text))

    def sender(self, target: Target) -> Send:
        return lambda user, text: self.send(target, user, text)


def loopback_client(base_url: str, pool: int) -> httpx.AsyncClient:
    if urlsplit(base_url).hostname != "127.0.0.1":
        raise HarnessError(f"refusing to load anything but 127.0.0.1: {base_url}")
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
        trust_env=False,  # no proxy between the load generator and the system
    )


# --- load --------------------------------------------------------------------------------------


def make_jobs(users: Sequence[str], texts: Sequence[str], count: int) -> list[tuple[str, str]]:
    """`count` turns spread round-robin over `users`; each user's texts rotate through the mix."""
    n = len(users)
    return [(users[i % n], texts[(i + i // n) % len(texts)]) for i in range(count)]


async def run_load(
    send: Send, jobs: Sequence[tuple[str, str]], concurrency: int, budget_s: float
) -> Run:
    """Send `jobs` with `concurrency` requests in flight; stop taking new ones after `budget_s`."""
    outcomes: list[Outcome] = []
    pending = iter(jobs)
    start = time.perf_counter()
    deadline = start + budget_s

    async def worker() -> None:
        for user, text in pending:  # the iterator is shared: each job is sent once
            if time.perf_counter() > deadline:
                return
            outcomes.append(await send(user, text))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(outcomes, time.perf_counter() - start, len(jobs))


def percentile(sorted_ms: Sequence[float], p: int) -> float | None:
    if not sorted_ms:
        return None
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    return statistics.quantiles(sorted_ms, n=100, method="inclusive")[p - 1]


def summarize(runs: Sequence[Run]) -> Stats:
    """Latency over every request sent (failed ones too: a resident waits for those as well)."""
    outcomes = [o for run in runs for o in run.outcomes]
    wall = sum(run.wall_s for run in runs)
    latencies = sorted(o.latency_s * 1000 for o in outcomes)
    return Stats(
        requests=len(outcomes),
        errors=sum(not o.ok for o in outcomes),
        turns_per_s=rounded(len(outcomes) / wall if wall > 0 and outcomes else None, 2),
        p50_ms=rounded(percentile(latencies, 50)),
        p95_ms=rounded(percentile(latencies, 95)),
        p99_ms=rounded(percentile(latencies, 99)),
        not_sent=sum(run.planned for run in runs) - len(outcomes),
    )


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def overhead_pct(gateway_ms: float | None, rasa_ms: float | None) -> float | None:
    if gateway_ms is None or not rasa_ms:
        return None
    return round((gateway_ms - rasa_ms) / rasa_ms * 100, 1)


async def compare(clients: Clients, mix: Mix, concurrency: int, config: Config) -> Comparison:
    """The same load on both targets, in ABBA order, each target with its own fresh users."""
    jobs = {
        target: make_jobs(
            [random_openid() for _ in range(config.users)], mix.texts, config.requests
        )
        for target in TARGETS
    }
    half = config.requests // 2
    runs: dict[Target, list[Run]] = {target: [] for target in TARGETS}
    for target, part in ABBA:
        chunk = jobs[target][:half] if part == 0 else jobs[target][half:]
        run = await run_load(clients.sender(target), chunk, concurrency, RUN_BUDGET_S)
        runs[target].append(run)
    gateway, rasa = summarize(runs["gateway"]), summarize(runs["rasa"])
    progress(
        f"{mix.title}, concurrency {concurrency}: gateway p50 {fmt(gateway.p50_ms)} ms, "
        f"rasa p50 {fmt(rasa.p50_ms)} ms"
    )
    return Comparison(
        mix=mix.key,
        title=mix.title,
        texts=mix.texts,
        concurrency=concurrency,
        gateway=gateway,
        rasa=rasa,
        p50_ratio=ratio(gateway.p50_ms, rasa.p50_ms),
        throughput_ratio=ratio(gateway.turns_per_s, rasa.turns_per_s),
        gateway_overhead_pct=overhead_pct(gateway.p50_ms, rasa.p50_ms),
    )


async def warm_up(clients: Clients, count: int) -> dict[str, dict[str, str]]:
    """`count` turns per target over every text of both mixes, alternating targets.

    Returns the first reply to each text per target (a check that the mixes do what they say).
    Fails the harness when a target answers none of them.
    """
    texts = [text for mix in MIXES for text in mix.texts]
    users = {target: random_openid() for target in TARGETS}
    samples: dict[str, dict[str, str]] = {target: {} for target in TARGETS}
    answered = dict.fromkeys(TARGETS, 0)
    deadline = time.perf_counter() + WARMUP_BUDGET_S
    for i in range(count):
        if time.perf_counter() > deadline:
            break
        text = texts[i % len(texts)]
        for target in TARGETS:
            outcome = await clients.send(target, users[target], text)
            answered[target] += outcome.ok
            samples[target].setdefault(text, outcome.reply)
    silent = [target for target in TARGETS if count and not answered[target]]
    if silent:
        details = "; ".join(f"{t}: {next(iter(samples[t].values()), '')[:300]}" for t in silent)
        raise HarnessError(f"no answer during the warm-up from {', '.join(silent)}: {details}")
    return samples


# --- conversation length -----------------------------------------------------------------------


def mark_window(mark: int) -> tuple[int, int]:
    return max(1, mark - MARK_WINDOW), mark + MARK_WINDOW


def mark_stats(outcomes: Sequence[Outcome], first: int, last: int) -> MarkStats:
    window = outcomes[first - 1 : last]  # outcomes[k - 1] is turn k
    return MarkStats(
        turns=len(window),
        errors=sum(not o.ok for o in window),
        median_ms=rounded(
            statistics.median(o.latency_s * 1000 for o in window) if window else None
        ),
    )


async def conversation_length(clients: Clients, marks: Sequence[int]) -> list[Mark]:
    """One long conversation per target, sequential turns, the targets taking turns."""
    users = {target: random_openid() for target in TARGETS}
    outcomes: dict[Target, list[Outcome]] = {target: [] for target in TARGETS}
    last_turn = max(mark_window(mark)[1] for mark in marks)
    deadline = time.perf_counter() + CONVERSATION_BUDGET_S
    for turn in range(1, last_turn + 1):
        if time.perf_counter() > deadline:
            progress(f"conversation stopped at turn {turn - 1}: over {CONVERSATION_BUDGET_S:.0f} s")
            break
        text = CONVERSATION_TEXTS[(turn - 1) % len(CONVERSATION_TEXTS)]
        order = TARGETS if turn % 2 else TARGETS[::-1]
        for target in order:
            outcomes[target].append(await clients.send(target, users[target], text))
    result = []
    for mark in marks:
        first, last = mark_window(mark)
        gateway = mark_stats(outcomes["gateway"], first, last)
        rasa = mark_stats(outcomes["rasa"], first, last)
        overhead = overhead_pct(gateway.median_ms, rasa.median_ms)
        result.append(Mark(mark, first, last, gateway, rasa, overhead))
    return result


# --- the system --------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all held open while choosing, so none repeats)."""
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


def bench_environ(db_dir: Path, redis_url: str | None) -> dict[str, str]:
    rasa_port, action_port, his_port, gateway_port, wechat_port, sms_port = free_ports(6)
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "FRONTDOOR_ENV": "development",
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": "wxbench00000000000",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "HIS_BASE_URL": f"http://127.0.0.1:{his_port}/fhir",
        # The slow-hospital scenario makes FHIR calls take seconds: the actions must wait.
        "HIS_TIMEOUT_SECONDS": "20",
        "WECHAT_API_BASE_URL": f"http://127.0.0.1:{wechat_port}",
        "GATEWAY_PORT": str(gateway_port),
        "GATEWAY_HOST": "127.0.0.1",
        "RATE_LIMIT_PER_MINUTE": RATE_LIMIT_PER_MINUTE,
        "DATABASE_URL": f"sqlite:///{db_dir / 'sandbox_hospital.db'}",
        "FRONTDOOR_DATABASE_URL": f"sqlite:///{db_dir / 'frontdoor.db'}",
        "FRONTDOOR_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SMS_BASE_URL": f"http://127.0.0.1:{sms_port}",
    }
    if redis_url:
        environ["REDIS_URL"] = redis_url
    return environ


@contextmanager
def running_system(config: Config) -> Iterator[System]:
    """The whole system on free ports; stopped on the way out, whatever happens."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old in LOG_DIR.glob("*.log"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        environ = bench_environ(Path(tmp), config.redis_url)
        system = build_system(environ, model=config.model, log_dir=LOG_DIR)
        progress(f"starting the system (Rasa takes about a minute); logs in {LOG_DIR}/")
        try:
            try:
                system.start(timeout=START_TIMEOUT_S, on_wait=lambda line: progress(f"  {line}"))
            except (RuntimeError, TimeoutError) as exc:
                raise HarnessError(f"could not start the system: {exc}") from exc
            yield system
        finally:
            system.stop()


def dead_services(system: System) -> list[str]:
    return [s.name for s in system.services if s.process is None or s.process.poll() is not None]


def deadline_plans(config: Config) -> list[Plan]:
    plans = []
    if "storm" in config.scenarios:
        plans.append(storm_plan(config.storm_users, config.storm_concurrency))
    if "slow" in config.scenarios:
        plans.append(slow_plan(config.slow_messages, config.slow_concurrency, config.slow_latency))
    return plans


async def measure(system: System, config: Config) -> dict[str, Any]:
    pool = max(config.concurrency) * 2
    comparisons: list[Comparison] = []
    marks: list[Mark] = []
    async with (
        loopback_client(system.gateway_url, pool) as gateway,
        loopback_client(system.env["RASA_URL"], pool) as rasa,
    ):
        clients = Clients(gateway, rasa)
        progress(f"warming up both targets ({config.warmup} turns each)")
        samples = await warm_up(clients, config.warmup)
        if "load" in config.scenarios:
            comparisons = [
                await compare(clients, mix, concurrency, config)
                for mix in MIXES
                for concurrency in config.concurrency
            ]
        if "conversation" in config.scenarios:
            progress(f"conversation length: turns up to {max(config.marks) + MARK_WINDOW}")
            marks = await conversation_length(clients, config.marks)
    booking: dict[str, Any] = {}
    if "booking" in config.scenarios:
        progress(f"booking turns: {BOOKING_RESIDENTS} residents bind a patient and book")
        turns = await booking_turns(
            system.gateway_url, TOKEN, system.env["SMS_BASE_URL"], BOOKING_RESIDENTS
        )
        booking = turns.summary()
    reports: dict[str, Any] = {}
    if "reports" in config.scenarios:
        progress(f"report turns: {BOOKING_RESIDENTS} residents bind a patient and read reports")
        turns = await report_turns(
            system.gateway_url, TOKEN, system.env["SMS_BASE_URL"], BOOKING_RESIDENTS
        )
        reports = turns.summary()
    triage: dict[str, Any] = {}
    if "triage" in config.scenarios:
        progress(f"triage turns: {BOOKING_RESIDENTS} residents, a red flag and a triage each")
        turns = await triage_turns(system.gateway_url, TOKEN, BOOKING_RESIDENTS)
        triage = turns.summary()
    try:
        deadline = await run_plans(
            deadline_plans(config),
            gateway_url=system.gateway_url,
            wechat_token=TOKEN,
            env=system.env,
        )
    except ScenarioError as exc:
        raise HarnessError(str(exc)) from exc
    return {
        "load": comparisons,
        "conversation": marks,
        "booking": booking,
        "reports": reports,
        "triage": triage,
        "deadline": deadline,
        "sample_replies": samples,
    }


# --- machine and report ------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def python_version(python: Path) -> str:
    try:
        out = subprocess.run(
            [str(python), "--version"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip().removeprefix("Python ")


def rasa_version() -> str:
    found = sorted((REPO / ".venvs" / "rasa").glob("lib/python*/site-packages/rasa-*.dist-info"))
    return found[0].name.removeprefix("rasa-").removesuffix(".dist-info") if found else "unknown"


def machine_info() -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "python_harness": platform.python_version(),
        "python_app": python_version(APP_PYTHON),
        "python_rasa": python_version(REPO / ".venvs" / "rasa" / "bin" / "python"),
        "rasa": rasa_version(),
    }


def fmt(value: float | None, spec: str = ".1f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def header_lines(result: dict[str, Any]) -> list[str]:
    m, c = result["machine"], result["config"]
    trackers = f"Redis {c['redis_url']}" if c["redis_url"] else "in memory"
    lines = [
        f"frontdoor load benchmark, {result['started_at']}{' (--quick)' if c['quick'] else ''}",
        f"machine   nproc {m['nproc']}, {m['cpu_model']}, load average at start "
        + " ".join(str(x) for x in m["loadavg_start"])
        + f", at end {' '.join(str(x) for x in m['loadavg_end'])}",
        f"python    {m['python_harness']} (harness), {m['python_app']} (gateway, actions, "
        f"hospital), {m['python_rasa']} (Rasa {m['rasa']})",
        f"system    model {Path(c['model']).name}, trackers {trackers}, hospital on SQLite",
        f"scenarios {', '.join(c['scenarios'])}; warm-up {c['warmup']} turns per target",
    ]
    if "load" in c["scenarios"]:
        lines += [
            f"load      {c['requests']} turns per target and level, {c['users']} users per run,",
            "          runs of each level in order gateway, rasa, rasa, gateway (half the turns "
            "each)",
        ]
    return lines


def load_lines(comparisons: Sequence[Comparison]) -> list[str]:
    head = (
        f"{'mix':<18}{'conc':>5}  {'target':<8}{'turns':>6}{'errors':>7}"
        f"{'turns/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    )
    lines = [
        "",
        "Gateway vs Rasa (errors: transport failure, non-200, the 系统有点忙 fallback or the rate "
        "limit)",
        head,
        "-" * len(head),
    ]
    for comp in comparisons:
        for target, stats in (("gateway", comp.gateway), ("rasa", comp.rasa)):
            lines.append(
                f"{comp.title:<18}{comp.concurrency:>5}  {target:<8}{stats.requests:>6}"
                f"{stats.errors:>7}{fmt(stats.turns_per_s):>9}{fmt(stats.p50_ms):>9}"
                f"{fmt(stats.p95_ms):>9}{fmt(stats.p99_ms):>9}"
                + (f"  ({stats.not_sent} not sent: time budget)" if stats.not_sent else "")
            )
    ratio_head = (
        f"{'mix':<18}{'conc':>5}  {'p50 gateway/rasa':>17}{'turns/s gateway/rasa':>22}"
        f"{'gateway overhead':>18}"
    )
    lines += ["", ratio_head, "-" * len(ratio_head)]
    for comp in comparisons:
        lines.append(
            f"{comp.title:<18}{comp.concurrency:>5}  {fmt(comp.p50_ratio, '.2f', 'x'):>17}"
            f"{fmt(comp.throughput_ratio, '.2f', 'x'):>22}"
            f"{fmt(comp.gateway_overhead_pct, '+.1f', '%'):>18}"
        )
    return lines


def conversation_lines(marks: Sequence[Mark]) -> list[str]:
    head = (
        f"{'turn':>5}  {'turns':<9}{'gateway ms':>11}{'rasa ms':>9}{'errors g/r':>12}"
        f"{'gateway overhead':>18}"
    )
    lines = [
        "",
        "Conversation length (one sender per target, 你好/谢谢 alternating; median of the turns)",
        head,
        "-" * len(head),
    ]
    for mark in marks:
        errors = f"{mark.gateway.errors}/{mark.rasa.errors}"
        lines.append(
            f"{mark.turn:>5}  {f'{mark.first}-{mark.last}':<9}{fmt(mark.gateway.median_ms):>11}"
            f"{fmt(mark.rasa.median_ms):>9}{errors:>12}"
            f"{fmt(mark.gateway_overhead_pct, '+.1f', '%'):>18}"
            + ("  (not reached)" if mark.gateway.turns < mark.last - mark.first + 1 else "")
        )
    return lines


def dialogue_lines(title: str, done: str, turns: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"{title} through the gateway ({turns['residents']} residents one after another, "
        f"{turns['completed']} {done})",
    ]
    for step, stats in turns["steps"].items():
        lines.append(
            f"  {step:<30} p50 {stats['p50_ms']:>7.1f} ms   max {stats['max_ms']:>7.1f} ms"
        )
    return lines


def report(
    result: dict[str, Any],
    comparisons: Sequence[Comparison],
    marks: Sequence[Mark],
    deadline: Sequence[DeadlineStats],
) -> str:
    lines = header_lines(result)
    if comparisons:
        lines += load_lines(comparisons)
    if marks:
        lines += conversation_lines(marks)
    if result.get("booking"):
        lines += dialogue_lines("booking turns", "booked", result["booking"])
    if result.get("reports"):
        lines += dialogue_lines("report turns", "saw the critical value", result["reports"])
    if result.get("triage"):
        lines += dialogue_lines("triage turns", "were sent to 神经内科", result["triage"])
    if deadline:
        lines += deadline_lines(deadline)
    lines += ["", f"total {result['duration_s']:.0f} s; results in {result['output']}"]
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- command line ------------------------------------------------------------------------------


def int_list(value: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of integers: {value}"
        ) from exc
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"need positive integers: {value}")
    return numbers


def scenario_list(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [name for name in names if name not in SCENARIOS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"choose from {','.join(SCENARIOS)}: {', '.join(unknown) or value!r}"
        )
    return tuple(name for name in SCENARIOS if name in names)  # always in the order they run


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Start the whole system and measure the gateway against Rasa under load.",
    )
    parser.add_argument("--concurrency", type=int_list, default=(1, 8), help="e.g. 1,8")
    parser.add_argument("--requests", type=int, help="turns per target and level (200; quick 30)")
    parser.add_argument("--users", type=int, default=50, help="simulated users per run (50)")
    parser.add_argument("--warmup", type=int, help="warm-up turns per target (20; quick 10)")
    parser.add_argument(
        "--turns", type=int_list, help="conversation marks (1,50,200; quick 1,20,50)"
    )
    parser.add_argument(
        "--scenarios",
        type=scenario_list,
        default=SCENARIOS,
        help=f"which to run, of {','.join(SCENARIOS)} (all)",
    )
    parser.add_argument("--storm-users", type=int, help="retry storm: users (40; quick 10)")
    parser.add_argument(
        "--storm-concurrency", type=int, help="retry storm: POSTs in flight (all at once)"
    )
    parser.add_argument(
        "--slow-messages", type=int, help="slow hospital: messages, one per user (30; quick 8)"
    )
    parser.add_argument(
        "--slow-concurrency", type=int, help="slow hospital: POSTs in flight (all at once)"
    )
    parser.add_argument(
        "--slow-latency", type=float, default=6.0, help="slow hospital: seconds per FHIR call (6)"
    )
    parser.add_argument("--quick", action="store_true", help="a smaller version of each scenario")
    parser.add_argument("--redis", metavar="URL", help="Redis tracker store instead of memory")
    parser.add_argument("--model", type=Path, help="model archive (default: the current one)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON results ({OUTPUT})")
    return parser.parse_args(argv)


def make_config(args: argparse.Namespace) -> Config:
    requests = args.requests or (30 if args.quick else 200)
    if requests < 2 or args.users < max(args.concurrency):
        raise HarnessError("need --requests >= 2 and --users >= the highest --concurrency")
    storm_users = args.storm_users or (10 if args.quick else 40)
    slow_messages = args.slow_messages or (8 if args.quick else 30)
    storm_concurrency = args.storm_concurrency or storm_users
    slow_concurrency = args.slow_concurrency or slow_messages
    if min(storm_users, slow_messages, storm_concurrency, slow_concurrency) < 1:
        raise HarnessError("need at least one storm user, slow message and POST in flight")
    if not 0 < args.slow_latency <= 60:
        raise HarnessError("--slow-latency must be in (0, 60] seconds (the hospital's limit)")
    model = (args.model or current_model()).resolve()
    if not model.exists():
        raise HarnessError(f"no trained model at {model}: run `make model` first")
    return Config(
        concurrency=args.concurrency,
        requests=requests,
        users=args.users,
        warmup=args.warmup if args.warmup is not None else (10 if args.quick else 20),
        marks=args.turns or ((1, 20, 50) if args.quick else (1, 50, 200)),
        quick=args.quick,
        scenarios=args.scenarios,
        storm_users=storm_users,
        storm_concurrency=storm_concurrency,
        slow_messages=slow_messages,
        slow_concurrency=slow_concurrency,
        slow_latency=args.slow_latency,
        redis_url=args.redis,
        model=model,
        output=args.output.resolve(),
    )


def write_json(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(config: Config) -> dict[str, Any]:
    started = time.monotonic()
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": machine_info(),
        "config": {**asdict(config), "model": str(config.model), "output": str(config.output)},
    }
    with running_system(config) as system:
        measured = asyncio.run(measure(system, config))
        dead = dead_services(system)
    if dead:
        raise HarnessError(f"died during the benchmark: {', '.join(dead)} (see {LOG_DIR}/)")
    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.monotonic() - started, 1)
    result["output"] = str(config.output)
    result["logs"] = str(LOG_DIR)
    result.update(
        load=[asdict(c) for c in measured["load"]],
        conversation=[asdict(m) for m in measured["conversation"]],
        deadline=[asdict(d) for d in measured["deadline"]],
        booking=measured["booking"],
        reports=measured["reports"],
        triage=measured["triage"],
        sample_replies=measured["sample_replies"],
    )
    print(
        report(result, measured["load"], measured["conversation"], measured["deadline"]),
        flush=True,
    )
    write_json(config.output, result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)  # stop the system on `kill` too
    try:
        run(make_config(args))
    except HarnessError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmark interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
