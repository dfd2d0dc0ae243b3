"""Small helpers shared by every service of frontdoor (no I/O, no outside dependencies)."""
