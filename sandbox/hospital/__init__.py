"""Sandbox hospital: a FHIR R4 REST service standing in for a district's hospitals and
community health centres, so frontdoor's HIS client can be developed against HTTP only.

Run it with ``python -m sandbox.hospital``; build the ASGI app with
:func:`sandbox.hospital.app.create_app`.
"""
