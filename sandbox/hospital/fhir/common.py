"""Building blocks shared by the resource mappers: addresses, phones, references, codings."""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.reference import Reference

from common import fhir_contract as systems
from sandbox.hospital.catalogue import DEPARTMENT_TYPES
from sandbox.hospital.models import Institution, Location
from sandbox.hospital.settings import HOSPITAL_TZ


def address(row: Institution | Location) -> Address:
    return Address(
        use="work",
        type="physical",
        text=f"{row.state}{row.city}{row.address_line}",
        line=[row.address_line],
        district=row.district,
        city=row.city,
        state=row.state,
        postalCode=row.postal_code,
        country="CN",
    )


def phone(number: str) -> ContactPoint:
    return ContactPoint(system="phone", value=number, use="work")


def reference(resource_type: str, resource_id: str, display: str | None = None) -> Reference:
    return Reference(reference=f"{resource_type}/{resource_id}", display=display)


def department_type(type_code: str) -> CodeableConcept:
    name = DEPARTMENT_TYPES[type_code].name if type_code in DEPARTMENT_TYPES else type_code
    return CodeableConcept(
        coding=[Coding(system=systems.DEPARTMENT, code=type_code, display=name)], text=name
    )


def local_time(value: datetime) -> datetime:
    """Serve instants in hospital time so clients see the +08:00 wall-clock times."""
    return value.astimezone(HOSPITAL_TZ)
