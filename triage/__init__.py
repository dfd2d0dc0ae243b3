"""Triage: symptoms to a department and an urgency level, red flags first (BRIEF §3).

A pure engine (no I/O beyond reading its data files once): `triage(text, age=, sex=)`. Its
knowledge is data an admin can read and edit (`triage/data/*.yml`): red flags, symptoms,
named conditions, the department catalogue and the age/sex modifiers.
"""

from triage.engine import TriageEngine, default_engine, triage
from triage.model import Level, TriageResult

__all__ = ["Level", "TriageEngine", "TriageResult", "default_engine", "triage"]
