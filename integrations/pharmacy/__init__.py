"""Pharmacy integration (prescription routing, pickup and delivery).

Reserved for the prescription-renewal issue: it will hold a typed async client for the
pharmacy API, configured by `PHARMACY_BASE_URL`, in the same shape as `integrations.his`.
"""
