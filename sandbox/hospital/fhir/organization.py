"""Institution → FHIR Organization, site → FHIR Location."""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.location import Location as FHIRLocation
from fhir.resources.R4B.organization import Organization

from common import fhir_contract as systems
from sandbox.hospital.fhir.common import address, phone, reference
from sandbox.hospital.models import Institution, Location


def organization_resource(row: Institution) -> Organization:
    kind_display = systems.INSTITUTION_KIND_DISPLAY.get(row.kind, row.kind)
    extensions = []
    if row.grade:
        extensions.append(Extension(url=systems.INSTITUTION_GRADE_EXTENSION, valueString=row.grade))
    if row.specialty:
        extensions.append(
            Extension(url=systems.INSTITUTION_SPECIALTY_EXTENSION, valueString=row.specialty)
        )
    return Organization(
        id=row.id,
        extension=extensions or None,
        active=row.active,
        type=[
            CodeableConcept(
                coding=[
                    Coding(
                        system=systems.ORGANIZATION_TYPE,
                        code="prov",
                        display="Healthcare Provider",
                    ),
                    Coding(system=systems.INSTITUTION_KIND, code=row.kind, display=kind_display),
                ],
                text=kind_display,
            )
        ],
        name=row.name,
        alias=[row.alias] if row.alias else None,
        telecom=[phone(row.phone)],
        address=[address(row)],
    )


def location_resource(row: Location) -> FHIRLocation:
    return FHIRLocation(
        id=row.id,
        status="active" if row.active else "inactive",
        name=row.name,
        description=row.description,
        mode="instance",
        telecom=[phone(row.phone)],
        address=address(row),
        managingOrganization=reference("Organization", row.institution_id, row.institution.name),
    )
