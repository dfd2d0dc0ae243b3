"""Benchmarks that start the whole system and measure it from outside (`make bench`)."""
