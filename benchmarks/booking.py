"""Booking benchmark: how fast the sandbox hospital books, and that a race never double-books.

`python -m benchmarks.booking` starts the sandbox hospital (`python -m sandbox.hospital`, its own
process, so client and server do not share an interpreter) once per database backend: SQLite in
a temporary directory, then PostgreSQL in a fresh schema that is dropped afterwards. The hospital
migrates and seeds itself for today; the benchmark pins its clock (`/sandbox/clock`) to the first
second of that day so every seeded slot of the 7-day booking window can be booked. Through the
HIS client the booking dialogue uses (`integrations.his.HISClient`, no retries, so failures are
counted, not hidden), it then measures:

1. Throughput: --clients concurrent clients, each booking --bookings distinct free slots one
   after another, every booking by a patient of its own (so no booking rule refuses any):
   bookings/s over the round's wall time, p50/p95/max latency per booking, and errors.
2. Race: --race-clients patients at once for --race-slots slots (client i wants slot i mod
   slots): the bookings that succeeded must equal the slots, every other attempt must be told the
   slot is taken, and the database must hold exactly one active appointment per slot.

Patients are registered first (conditional creates, concurrently), and that rate is printed too.
Latency is measured per call, from just before the request until the answer has been parsed.
Numbers depend on the machine and what else runs on it; nothing here asserts on speed. The exit
status is non-zero when the harness fails (a hospital does not start, PostgreSQL is missing) or a
race round double-books.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import Engine, func, select, text

from integrations.his import (
    BookingRefused,
    HISClient,
    HISError,
    IdentityDocument,
    PatientRegistration,
    SlotQuery,
    SlotTaken,
)
from sandbox.hospital.booking.identity import resident_id_check_character
from sandbox.hospital.db import make_engine
from sandbox.hospital.models import RELEASED_STATUSES, Appointment
from sandbox.hospital.settings import HOSPITAL_TZ

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
WINDOW_DAYS = 7  # the hospital's default booking window
START_TIMEOUT_S = 120.0  # migrate and seed ~20k slots, then serve
CALL_TIMEOUT_S = 60.0


class HarnessError(Exception):
    """The benchmark could not run (not a measurement)."""


@dataclass(frozen=True)
class Config:
    backends: tuple[str, ...]
    clients: int
    bookings: int  # per client
    race_clients: int
    race_slots: int
    pg_url: str


@dataclass
class Round:
    """One measured round: outcomes and per-call latencies."""

    title: str
    attempts: int = 0
    booked: int = 0
    taken: int = 0
    refused: int = 0
    errors: int = 0
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    slots: int = 0
    double_booked: int = 0  # race: slots holding more than one active appointment
    example_error: str | None = None

    @property
    def per_s(self) -> float | None:
        return self.booked / self.wall_s if self.wall_s else None

    def percentile_ms(self, p: int) -> float | None:
        if len(self.latencies_s) < 2:
            return self.latencies_s[0] * 1000 if self.latencies_s else None
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[p - 1] * 1000


@dataclass
class BackendResult:
    backend: str
    registrations: int
    registrations_per_s: float | None
    throughput: Round
    race: Round


# --- the hospital ---------------------------------------------------------------------------------


@contextmanager
def database(backend: str, pg_url: str) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL schema for one hospital; removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="frontdoor-booking-") as directory:
            yield f"sqlite:///{Path(directory) / 'hospital.db'}"
        return
    schema = f"bench_booking_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        raise HarnessError(f"PostgreSQL at {pg_url} is not usable: {exc}") from exc
    separator = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def hospital_process(database_url: str, log: IO[bytes]) -> Iterator[str]:
    """``python -m sandbox.hospital`` on a free port; yields its base URL, stops it after."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HIS_HOST": "127.0.0.1",
        "HIS_PORT": str(port),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.hospital"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise HarnessError(f"the sandbox hospital exited ({process.returncode})")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise HarnessError("the sandbox hospital did not start in time")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pin_clock(base_url: str) -> datetime:
    """Pin the hospital's clock to the start of its today: every seeded slot lies ahead."""
    reading = httpx.get(f"{base_url}/sandbox/clock", timeout=5).json()
    today = datetime.fromisoformat(reading["now"]).astimezone(HOSPITAL_TZ).date()
    now = datetime.combine(today, day_time(0, 0, 1), HOSPITAL_TZ)
    response = httpx.post(f"{base_url}/sandbox/clock", json={"now": now.isoformat()}, timeout=5)
    response.raise_for_status()
    return now


async def bookable_slots(his: HISClient, today: date, count: int) -> list[str]:
    """``count`` free slots of the booking window, soonest first, found as the bot finds them
    (which also fills the client's cache of departments, doctors and sites, as in a dialogue)."""
    slots: list[str] = []
    for offset in range(WINDOW_DAYS + 1):
        day = today + timedelta(days=offset)
        while len(slots) < count:
            found = await his.find_free_slots(
                SlotQuery(date_from=day, date_to=day, limit=min(count - len(slots), 200))
            )
            fresh = [o.slot_id for o in found if o.slot_id not in slots]
            if not fresh:
                break
            slots += fresh
            if len(found) < 200:
                break
    if len(slots) < count:
        raise HarnessError(f"only {len(slots)} free slots in the window, {count} needed")
    return slots[:count]


def double_booked(engine: Engine, slot_ids: Sequence[str]) -> int:
    statement = (
        select(Appointment.slot_id)
        .where(Appointment.slot_id.in_(slot_ids), Appointment.status.not_in(RELEASED_STATUSES))
        .group_by(Appointment.slot_id)
        .having(func.count() > 1)
    )
    with engine.connect() as conn:
        return len(list(conn.scalars(statement)))


# --- measuring ------------------------------------------------------------------------------------


def registration(number: int) -> PatientRegistration:
    """A fictional patient with a well-formed resident ID number."""
    first17 = f"440103{19500101 + number // 1000 * 10000:08d}{number % 1000:03d}"
    return PatientRegistration(
        document=IdentityDocument.RESIDENT_ID,
        document_number=first17 + resident_id_check_character(first17),
        name=f"压测{number}",
    )


async def book_one(
    his: HISClient, measured: Round, slot_id: str, patient_id: str, key: str
) -> None:
    measured.attempts += 1
    started = time.perf_counter()
    try:
        await his.book_appointment(slot_id, patient_id, key)
        measured.booked += 1
    except SlotTaken:
        measured.taken += 1
    except BookingRefused as exc:
        measured.refused += 1
        measured.example_error = measured.example_error or f"refused: {exc.reason}"
    except HISError as exc:
        measured.errors += 1
        measured.example_error = measured.example_error or f"{type(exc).__name__}: {exc}"
    measured.latencies_s.append(time.perf_counter() - started)


async def register_all(his: HISClient, count: int) -> tuple[list[str], float]:
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(32)

    async def one(number: int) -> str:
        async with semaphore:
            return await his.register_patient(registration(number))

    patients = await asyncio.gather(*(one(n) for n in range(count)))
    return list(patients), time.perf_counter() - started


async def throughput_round(
    his: HISClient, config: Config, patients: Sequence[str], slots: Sequence[str]
) -> Round:
    measured = Round("throughput", slots=len(slots))

    async def client(index: int) -> None:
        for step in range(config.bookings):
            n = index * config.bookings + step
            await book_one(his, measured, slots[n], patients[n], f"bench-{uuid.uuid4().hex}")

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(config.clients)))
    measured.wall_s = time.perf_counter() - started
    return measured


async def race_round(
    his: HISClient, config: Config, patients: Sequence[str], slots: Sequence[str]
) -> Round:
    measured = Round("race", slots=len(slots))
    started = time.perf_counter()
    await asyncio.gather(
        *(
            book_one(his, measured, slots[i % len(slots)], patient, f"race-{uuid.uuid4().hex}")
            for i, patient in enumerate(patients)
        )
    )
    measured.wall_s = time.perf_counter() - started
    return measured


async def measure(base_url: str, engine: Engine, config: Config, backend: str) -> BackendResult:
    now = pin_clock(base_url)
    throughput_bookings = config.clients * config.bookings
    limits = httpx.Limits(max_connections=config.race_clients + config.clients)
    transport = httpx.AsyncHTTPTransport(limits=limits)
    async with HISClient(
        f"{base_url}/fhir",
        timeout=CALL_TIMEOUT_S,
        retries=0,
        clock=lambda: now,
        transport=transport,
    ) as his:
        slots = await bookable_slots(his, now.date(), throughput_bookings + config.race_slots)
        progress(f"{backend}: registering {throughput_bookings + config.race_clients} patients")
        patients, registering_s = await register_all(his, throughput_bookings + config.race_clients)
        progress(f"{backend}: {config.clients} clients x {config.bookings} bookings")
        throughput = await throughput_round(
            his, config, patients[:throughput_bookings], slots[:throughput_bookings]
        )
        race_slots = slots[throughput_bookings:]
        progress(f"{backend}: race, {config.race_clients} clients for {len(race_slots)} slots")
        race = await race_round(his, config, patients[throughput_bookings:], race_slots)
    race.double_booked = double_booked(engine, race_slots)
    throughput.double_booked = double_booked(engine, slots[:throughput_bookings])
    return BackendResult(
        backend=backend,
        registrations=len(patients),
        registrations_per_s=len(patients) / registering_s if registering_s else None,
        throughput=throughput,
        race=race,
    )


def run_backend(backend: str, config: Config, log_dir: Path) -> BackendResult:
    with database(backend, config.pg_url) as url, open(log_dir / f"{backend}.log", "wb") as log:
        progress(f"{backend}: starting the sandbox hospital (migrate, seed 14 days of slots)")
        with hospital_process(url, log) as base_url:
            engine = make_engine(url)
            try:
                return asyncio.run(measure(base_url, engine, config, backend))
            finally:
                engine.dispose()


# --- report ---------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else f"{value:{spec}}"


def report(results: Sequence[BackendResult], config: Config) -> str:
    head = (
        f"{'backend':<11}{'round':<12}{'clients':>8}{'tries':>7}{'booked':>7}{'taken':>6}"
        f"{'refused':>8}{'errors':>7}{'booked/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
    )
    lines = [
        "",
        "Sandbox hospital booking through the HIS client (each process its own interpreter)",
        f"  throughput: {config.clients} clients, each {config.bookings} distinct slots in turn;"
        f" race: {config.race_clients} clients at once for {config.race_slots} slots",
        head,
        "-" * len(head),
    ]
    for result in results:
        for measured, clients in (
            (result.throughput, config.clients),
            (result.race, config.race_clients),
        ):
            latencies = measured.latencies_s
            lines.append(
                f"{result.backend:<11}{measured.title:<12}{clients:>8}{measured.attempts:>7}"
                f"{measured.booked:>7}{measured.taken:>6}{measured.refused:>8}"
                f"{measured.errors:>7}"
                # A race books its few slots at once; a rate would mean nothing there.
                f"{fmt(measured.per_s if measured is result.throughput else None):>9}"
                f"{fmt(measured.percentile_ms(50), '.0f'):>8}"
                f"{fmt(measured.percentile_ms(95), '.0f'):>8}"
                f"{fmt(max(latencies) * 1000 if latencies else None, '.0f'):>8}"
            )
    lines += [
        "",
        "No double booking: race successes must equal the slots; no slot may hold two",
    ]
    for result in results:
        race = result.race
        verdict = "OK" if race.booked == race.slots and not race.double_booked else "DOUBLE BOOKED"
        lines.append(
            f"  {result.backend:<11} race: {race.booked} booked for {race.slots} slots, "
            f"{race.taken} told the slot was taken, {race.double_booked} slots double-booked"
            f" -> {verdict}; registrations {fmt(result.registrations_per_s)}/s"
            f" ({result.registrations} patients)"
        )
        for measured in (result.throughput, race):
            if measured.example_error:
                lines.append(f"    {measured.title} example error: {measured.example_error}")
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- command line ---------------------------------------------------------------------------------


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"need a positive integer: {value}")
    return number


def backend_list(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names or set(names) - set(BACKENDS):
        raise argparse.ArgumentTypeError(f"choose from {','.join(BACKENDS)}: {value!r}")
    return tuple(name for name in BACKENDS if name in names)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.booking",
        description="Booking throughput and the no-double-booking race on the sandbox hospital.",
    )
    parser.add_argument("--backends", type=backend_list, default=BACKENDS, help="(both)")
    parser.add_argument("--clients", type=positive, default=20, help="throughput clients (20)")
    parser.add_argument("--bookings", type=positive, default=10, help="bookings per client (10)")
    parser.add_argument("--race-clients", type=positive, default=100, help="race clients (100)")
    parser.add_argument("--race-slots", type=positive, default=5, help="race slots (5)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL),
        help=f"PostgreSQL for a temporary schema (TEST_DATABASE_URL or {DEFAULT_PG_URL})",
    )
    args = parser.parse_args(argv)
    if args.race_slots > args.race_clients:
        parser.error("--race-slots must not exceed --race-clients")
    return Config(
        backends=args.backends,
        clients=args.clients,
        bookings=args.bookings,
        race_clients=args.race_clients,
        race_slots=args.race_slots,
        pg_url=args.pg_url,
    )


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="frontdoor-booking-logs-") as logs:
            for backend in config.backends:
                try:
                    results.append(run_backend(backend, config, Path(logs)))
                except HarnessError:
                    log = Path(logs) / f"{backend}.log"
                    if log.exists():
                        print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
                    raise
    except HarnessError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report(results, config), flush=True)
    race_failed = any(r.race.booked != r.race.slots or r.race.double_booked for r in results)
    return 2 if race_failed else 0


if __name__ == "__main__":
    sys.exit(main())
