"""`frontdoor`: the project's command line (installed into .venvs/app/bin by `make setup`).

frontdoor triage < cases.jsonl > answers.jsonl
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

# The command runs the checkout's code (packages are not installed, only this entry point).
REPO = Path(__file__).resolve().parent

COMMANDS = ("triage",)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: frontdoor {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from triage.cli import main as triage_main

    return triage_main(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
