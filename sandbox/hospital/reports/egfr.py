"""Estimated GFR from serum creatinine: the race-free CKD-EPI 2021 equation (adults only).

Labs calculate eGFR rather than measure it, so the sandbox derives it from the creatinine it
reports instead of storing an independent (possibly inconsistent) number.
Inker et al., N Engl J Med 2021;385:1737-49.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.hospital.reports.dictionary import Sex

ADULT_AGE = 18
_UMOL_PER_MG_DL = 88.4


def ckd_epi_2021(creatinine_umol_l: Decimal, age: int, sex: Sex) -> Decimal | None:
    """eGFR in mL/min/1.73 m², rounded to a whole number; None below 18 (the equation is for
    adults; children need height-based formulas)."""
    if age < ADULT_AGE:
        return None
    female = sex == "female"
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = float(creatinine_umol_l) / _UMOL_PER_MG_DL / kappa
    egfr = 142 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age
    if female:
        egfr *= 1.012
    return Decimal(round(egfr))
