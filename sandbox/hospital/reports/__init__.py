"""Lab and imaging reports of the sandbox hospital: the test dictionary, sample content per test,
interpretation flags, the report lifecycle (register, release, amend) and the demo patients."""
