"""Developer scripts: the system launcher used by `make run` and the end-to-end tests."""
