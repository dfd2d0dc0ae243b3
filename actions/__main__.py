"""Start the action server on loopback (rasa_sdk's own CLI binds every interface)."""

from __future__ import annotations

import os

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from actions.settings import get_settings


def main() -> None:
    settings = get_settings()
    # rasa_sdk reads its bind address from SANIC_HOST; only Rasa needs to reach us.
    os.environ["SANIC_HOST"] = settings.action_server_host
    args = create_argument_parser().parse_args(
        ["--actions", "actions", "--port", str(settings.action_server_port)]
    )
    main_from_args(args)


if __name__ == "__main__":
    main()
