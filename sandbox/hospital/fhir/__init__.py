"""FHIR R4 representation: ORM rows → ``fhir.resources.R4B`` models → JSON responses.

Resources are built with the R4B models so their structure is validated; R4B and R4 are the
same for every resource served here.
"""
