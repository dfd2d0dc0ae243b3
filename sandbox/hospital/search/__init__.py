"""FHIR search: parsing query parameters and turning them into SQL conditions.

See https://hl7.org/fhir/R4/search.html for the semantics implemented here.
"""
