"""Starts the whole system as separate processes: sandbox hospital, WeChat API stand-in, action
server, Rasa, gateway.

`make run` uses it with the configuration from the environment (and `.env`); the end-to-end
tests use the same code on free ports, so they drive exactly what a developer runs.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
APP_PYTHON = REPO / ".venvs" / "app" / "bin" / "python"
RASA_BIN = REPO / ".venvs" / "rasa" / "bin" / "rasa"

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULTS = {
    "RASA_URL": "http://127.0.0.1:5005",
    "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook",
    "HIS_BASE_URL": "http://127.0.0.1:8081/fhir",
    "WECHAT_API_BASE_URL": "http://127.0.0.1:8082",
    "SMS_BASE_URL": "http://127.0.0.1:8083",
    "GATEWAY_PORT": "8000",
}
# frontdoor's own database (patients, consents, the ID/phone vault) is migrated once, before
# the gateway and the action server that share it start.
MIGRATE_PATIENTS = (
    "from patients.migrate import migrate; from patients.settings import PatientsSettings; "
    "migrate(PatientsSettings().database_url)"
)


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches its children
        )

    def is_healthy(self, client: httpx.Client) -> bool:
        try:
            return client.get(self.health_url).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class System:
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    def start(self, *, timeout: float = 240.0, on_wait: object = None) -> None:
        migrated = subprocess.run(
            [str(APP_PYTHON), "-c", MIGRATE_PATIENTS],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"migrating frontdoor's database failed:\n{migrated.stderr[-3000:]}")
        for service in self.services:
            service.start()
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for service in list(pending):
                    assert service.process is not None
                    if service.process.poll() is not None:
                        self.stop()
                        tail = service.log_path.read_text(errors="replace")[-3000:]
                        raise RuntimeError(f"{service.name} exited while starting:\n{tail}")
                    if service.is_healthy(client):
                        pending.remove(service)
                        if callable(on_wait):
                            on_wait(f"{service.name} is ready")
                if time.monotonic() > deadline:
                    self.stop()
                    names = ", ".join(s.name for s in pending)
                    raise TimeoutError(f"not ready after {timeout:.0f}s: {names}")
                time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()


def build_system(environ: Mapping[str, str], *, model: Path, log_dir: Path) -> System:
    """Describe the processes for the configuration in `environ` (the WeChat API stand-in only
    when WECHAT_API_BASE_URL points at this machine)."""
    env = {**DEFAULTS, **{k: v for k, v in environ.items() if v != ""}}
    env.setdefault("RASA_TOKEN", secrets.token_urlsafe(24))
    env["PYTHONPATH"] = str(REPO)
    rasa = urlsplit(env["RASA_URL"])
    actions = urlsplit(env["ACTION_SERVER_URL"])
    his = urlsplit(env["HIS_BASE_URL"])
    endpoints = "bot/endpoints.yml"
    if env.get("REDIS_URL"):
        endpoints = "bot/endpoints.redis.yml"
        env.update(redis_endpoint_vars(env["REDIS_URL"]))

    system = System(env=env)
    wechat_api = urlsplit(env["WECHAT_API_BASE_URL"])
    if wechat_api.hostname in LOOPBACK:
        # No real WeChat here: the stand-in takes customer-service pushes, tokens and menus.
        system.services.append(
            Service(
                "WeChat API stand-in",
                [str(APP_PYTHON), "-m", "sandbox.wechat"],
                f"http://127.0.0.1:{wechat_api.port}/sandbox/stats",
                {**env, "WECHAT_API_PORT": str(wechat_api.port)},
                log_dir / "wechat-api-stand-in.log",
            )
        )
    sms = urlsplit(env["SMS_BASE_URL"])
    if sms.hostname in LOOPBACK:
        # No SMS provider here: the stand-in records the one-time codes it "sends".
        system.services.append(
            Service(
                "SMS stand-in",
                [str(APP_PYTHON), "-m", "sandbox.sms"],
                f"http://127.0.0.1:{sms.port}/sandbox/messages",
                {**env, "SMS_PORT": str(sms.port)},
                log_dir / "sms-stand-in.log",
            )
        )
    system.services += [
        Service(
            "sandbox hospital",
            [str(APP_PYTHON), "-m", "sandbox.hospital"],
            f"http://127.0.0.1:{his.port}/healthz",
            {**env, "HIS_HOST": his.hostname or "127.0.0.1", "HIS_PORT": str(his.port)},
            log_dir / "sandbox-hospital.log",
        ),
        Service(
            "action server",
            [str(APP_PYTHON), "-m", "actions"],
            f"http://127.0.0.1:{actions.port}/health",
            {
                **env,
                "ACTION_SERVER_HOST": actions.hostname or "127.0.0.1",
                "ACTION_SERVER_PORT": str(actions.port),
            },
            log_dir / "action-server.log",
        ),
        Service(
            "rasa",
            [
                str(RASA_BIN),
                "run",
                "--model",
                str(model),
                "--endpoints",
                endpoints,
                "--credentials",
                "bot/credentials.yml",
                "--interface",
                rasa.hostname or "127.0.0.1",
                "--port",
                str(rasa.port),
                "--enable-api",
                "--auth-token",
                env["RASA_TOKEN"],
            ],
            f"http://127.0.0.1:{rasa.port}/status?token={env['RASA_TOKEN']}",
            env,
            log_dir / "rasa.log",
        ),
        Service(
            "gateway",
            [str(APP_PYTHON), "-m", "integrations.wechat"],
            f"http://127.0.0.1:{env['GATEWAY_PORT']}/healthz",
            env,
            log_dir / "gateway.log",
        ),
    ]
    return system


def redis_endpoint_vars(redis_url: str) -> dict[str, str]:
    """Split REDIS_URL into the REDIS_* variables `bot/endpoints.redis.yml` reads."""
    parts = urlsplit(redis_url)
    db = parts.path.lstrip("/") or "0"
    return {
        "REDIS_HOST": parts.hostname or "127.0.0.1",
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": db,
        "REDIS_PASSWORD": parts.password or "",
    }


def current_model() -> Path:
    out = subprocess.run(
        [str(REPO / "scripts" / "model_path.sh")], check=True, capture_output=True, text=True
    )
    return REPO / out.stdout.strip()


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    from dotenv import dotenv_values

    environ = {**{k: v for k, v in dotenv_values(REPO / ".env").items() if v}, **os.environ}
    model = current_model()
    if not model.exists():
        sys.exit(f"no trained model at {model}: run `make model` first")
    log_dir = REPO / "var" / "log"
    system = build_system(environ, model=model, log_dir=log_dir)
    print(f"starting frontdoor; logs in {log_dir}/")
    print("Rasa loads TensorFlow and the model first: this takes about a minute...", flush=True)
    # `kill` (SIGTERM) must stop the children too, like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        system.start(on_wait=lambda line: print(f"  {line}", flush=True))
    except (RuntimeError, TimeoutError) as exc:
        sys.exit(f"could not start: {exc}")
    except KeyboardInterrupt:
        system.stop()
        sys.exit("stopped while starting")
    env = system.env
    trackers = f"Redis {env['REDIS_URL']}" if env.get("REDIS_URL") else "in memory"
    print(
        "\nfrontdoor is running:\n"
        f"  WeChat endpoint   {system.gateway_url}/wechat\n"
        f"  chat simulator    {system.gateway_url}/simulator\n"
        f"  Rasa (loopback)   {env['RASA_URL']}\n"
        f"  action server     {env['ACTION_SERVER_URL']}\n"
        f"  sandbox hospital  {env['HIS_BASE_URL']}\n"
        f"  WeChat API        {env['WECHAT_API_BASE_URL']}\n"
        f"  SMS gateway       {env['SMS_BASE_URL']}\n"
        f"  trackers          {trackers}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while all(s.process and s.process.poll() is None for s in system.services):
            time.sleep(1)
        dead = [s.name for s in system.services if s.process and s.process.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(dead)} (see {log_dir}/)", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping...")
    finally:
        system.stop()


if __name__ == "__main__":
    main()
