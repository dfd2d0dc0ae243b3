"""Doctor → FHIR Practitioner; doctor's post → FHIR PractitionerRole."""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.practitioner import Practitioner as FHIRPractitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole as FHIRPractitionerRole

from common import fhir_contract as systems
from sandbox.hospital.catalogue import PRACTITIONER_TITLES
from sandbox.hospital.fhir.common import reference
from sandbox.hospital.models import Practitioner, PractitionerRole


def practitioner_resource(row: Practitioner) -> FHIRPractitioner:
    return FHIRPractitioner(
        id=row.id,
        active=row.active,
        name=[
            HumanName(
                use="official", text=row.full_name, family=row.family_name, given=[row.given_name]
            )
        ],
        gender=row.gender,
    )


def title_display(title_code: str) -> str:
    return PRACTITIONER_TITLES.get(title_code, title_code)


def practitioner_role_resource(row: PractitionerRole) -> FHIRPractitionerRole:
    title = title_display(row.title_code)
    department = row.department
    return FHIRPractitionerRole(
        id=row.id,
        active=row.active,
        practitioner=reference("Practitioner", row.practitioner_id, row.practitioner.full_name),
        organization=reference("Organization", row.institution_id, row.institution.name),
        code=[
            CodeableConcept(
                coding=[
                    Coding(system=systems.PRACTITIONER_TITLE, code=row.title_code, display=title)
                ],
                text=title,
            )
        ],
        location=[reference("Location", department.location_id)],
        healthcareService=[reference("HealthcareService", department.id, department.name)],
    )
