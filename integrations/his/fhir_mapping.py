"""Mapping from FHIR R4 resources (validated with `fhir.resources.R4B`) to domain models.

Which codes mean what is part of frontdoor's contract with hospitals (see BRIEF §5).
"""

from __future__ import annotations

from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.organization import Organization

from integrations.his.models import Department, Institution, InstitutionKind

INSTITUTION_KIND_SYSTEM = "urn:frontdoor:institution-kind"
DEPARTMENT_SYSTEM = "urn:frontdoor:department"


def institution_from_fhir(org: Organization) -> Institution:
    kind: InstitutionKind | None = None
    for concept in org.type or []:
        for coding in concept.coding or []:
            if coding.system == INSTITUTION_KIND_SYSTEM and coding.code:
                try:
                    kind = InstitutionKind(coding.code)
                except ValueError:
                    kind = None
    address = org.address[0] if org.address else None
    phone = next(
        (t.value for t in org.telecom or [] if t.system == "phone" and t.value),
        None,
    )
    return Institution(
        id=str(org.id),
        name=org.name or str(org.id),
        kind=kind,
        district=address.district if address else None,
        address=_address_text(address) if address else None,
        phone=phone,
    )


def department_from_fhir(service: HealthcareService) -> Department:
    provider = service.providedBy
    reference = provider.reference if provider and provider.reference else ""
    code = next(
        (
            coding.code
            for concept in service.type or []
            for coding in concept.coding or []
            if coding.system == DEPARTMENT_SYSTEM
        ),
        None,
    )
    return Department(
        id=str(service.id),
        name=service.name or str(service.id),
        institution_id=reference.removeprefix("Organization/"),
        institution_name=provider.display if provider else None,
        code=code,
        description=service.comment,
        bookable=service.appointmentRequired is not False,
    )


def _address_text(address: object) -> str | None:
    text = getattr(address, "text", None)
    if text:
        return str(text)
    parts = [
        getattr(address, "city", None),
        getattr(address, "district", None),
        *(getattr(address, "line", None) or []),
    ]
    joined = "".join(str(p) for p in parts if p)
    return joined or None
