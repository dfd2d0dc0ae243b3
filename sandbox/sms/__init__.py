"""Stand-in for the SMS gateway that sends verification codes (no real SMS can be sent here)."""
