"""Code systems, extension URLs and display texts used in the sandbox's FHIR resources."""

from __future__ import annotations

ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
INSTITUTION_KIND = "urn:frontdoor:institution-kind"
DEPARTMENT = "urn:frontdoor:department"
PRACTITIONER_TITLE = "urn:frontdoor:practitioner-title"
INSTITUTION_GRADE_EXTENSION = "urn:frontdoor:institution-grade"
INSTITUTION_SPECIALTY_EXTENSION = "urn:frontdoor:institution-specialty"

INSTITUTION_KIND_DISPLAY = {
    "hospital": "医院",
    "community-health-centre": "社区卫生服务中心",
}
FHIR_VERSION = "4.0.1"
