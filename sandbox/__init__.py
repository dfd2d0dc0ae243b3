"""Local stand-ins for outside systems (hospitals, pharmacies, WeChat) for development and tests."""
