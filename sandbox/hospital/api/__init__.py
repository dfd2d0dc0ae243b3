"""HTTP routes of the sandbox hospital: one module per FHIR resource type."""
