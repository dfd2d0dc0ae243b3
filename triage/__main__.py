"""`python -m triage` (also installed as `frontdoor triage`): JSON lines in, JSON lines out.

Each input line: {"text": ..., "age": optional, "sex": optional ("male"/"female")}. Each output
line: department, level, red_flags, reason, alternatives (and matched, advice). A bad line gets
{"error": ...} in its place, so outputs stay aligned with inputs.
"""

from triage.cli import main

raise SystemExit(main())
