"""The Rasa action server: custom actions that do the work by calling hospital and pharmacy APIs.

Run with `python -m actions` (binds to loopback; see `actions/__main__.py`).
"""
