"""Patients (就诊人) a WeChat user acts for: identity checks, protected storage, SMS-verified
binding, consent records, and the PII vault that keeps ID and phone numbers out of Rasa.

Modules: `identity` (pure parsing and masking), `protection` (encryption at rest, blind indexes),
`models`/`db`/`migrate` (storage), `service` (`PatientBook`, what the dialogue calls),
`redaction`/`vault` (tokens in place of raw numbers), `runtime` (wiring from settings).
"""
