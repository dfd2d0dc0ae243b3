"""Demo patients and reports: identities, idempotent seeding, the stories the demo tells, and
flags that always follow the printed ranges (never typed by hand)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import httpx
import pytest
from hospital_report_helpers import (
    CHILD,
    ELDER,
    WOMAN,
    code_of,
    extension,
    fetch_bundle,
    flag,
    instant,
    matches,
    results_of,
    value,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from common import fhir_contract as systems
from patients import identity
from sandbox.hospital.booking.identity import document_problem
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.models import DiagnosticReport, Observation, Patient
from sandbox.hospital.reports.content import compose
from sandbox.hospital.reports.demo import DEMO_PATIENTS, DEMO_REPORTS
from sandbox.hospital.reports.dictionary import REPORT_DEFINITIONS, Sex, report_definition
from sandbox.hospital.reports.egfr import ckd_epi_2021
from sandbox.hospital.reports.interpretation import interpret
from sandbox.hospital.reports.lifecycle import release
from sandbox.hospital.reports.subject import Subject, subject_of
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HOSPITAL_TZ


@pytest.fixture
def factory(sqlite_url: str) -> sessionmaker[Session]:
    migrate(sqlite_url)
    return make_session_factory(make_engine(sqlite_url))


def report_counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Patient)) or 0,
        session.scalar(select(func.count()).select_from(DiagnosticReport)) or 0,
        session.scalar(select(func.count()).select_from(Observation)) or 0,
    )


@pytest.mark.parametrize("key", sorted(DEMO_PATIENTS))
def test_demo_patients_have_valid_guangzhou_identities(key: str, today: date) -> None:
    patient = DEMO_PATIENTS[key]
    assert document_problem(systems.RESIDENT_ID, patient.resident_id) is None
    assert patient.resident_id.startswith("4401")
    # frontdoor's own binding flow accepts them and reads the same sex and birth date.
    document = identity.parse_identity(patient.resident_id, today=today)
    assert document.birth_date == patient.birth_date
    assert document.sex is (identity.Sex.MALE if patient.gender == "male" else identity.Sex.FEMALE)
    assert identity.parse_phone(patient.phone).national == patient.phone


def test_demo_patients_are_an_old_man_a_woman_and_a_child() -> None:
    assert (ELDER.gender, ELDER.birth_date.year) == ("male", 1950)
    assert (WOMAN.gender, WOMAN.birth_date.year) == ("female", 1981)
    assert CHILD.birth_date.year == 2019
    assert len({p.resident_id for p in DEMO_PATIENTS.values()}) == 3


async def test_demo_patients_are_found_by_identifier(client: httpx.AsyncClient) -> None:
    for patient in DEMO_PATIENTS.values():
        bundle = await fetch_bundle(
            client, "/fhir/Patient", {"identifier": f"{systems.RESIDENT_ID}|{patient.resident_id}"}
        )
        (found,) = matches(bundle)
        assert found["id"] == patient.id
        assert found["name"][0]["text"] == patient.name
        assert found["gender"] == patient.gender
        assert found["birthDate"] == patient.birth_date.isoformat()


def test_seed_is_idempotent_and_never_reverts_reports(
    factory: sessionmaker[Session], today: date
) -> None:
    with factory.begin() as session:
        first = seed(session, today)
    assert (first.patients, first.reports) == (3, len(DEMO_REPORTS))
    with factory.begin() as session:
        before = report_counts(session)
        again = seed(session, today)
        assert report_counts(session) == before
    assert (again.patients, again.reports) == (0, 0)

    # A report released meanwhile stays released when the sandbox restarts days later.
    with factory.begin() as session:
        urine = session.get_one(DiagnosticReport, "dr-demo-elder-urine")
        release(session, urine, datetime.combine(today, time(16, 30), HOSPITAL_TZ))
    with factory.begin() as session:
        later = seed(session, today + timedelta(days=3))
        assert (later.patients, later.reports) == (0, 0)
        urine = session.get_one(DiagnosticReport, "dr-demo-elder-urine")
        assert (urine.status, urine.version_id) == ("final", 2)
        assert urine.effective.astimezone(HOSPITAL_TZ).date() == today


def test_seed_does_not_clash_with_a_registered_demo_number(
    factory: sessionmaker[Session], today: date
) -> None:
    with factory.begin() as session:
        session.add(
            Patient(
                id="pat-registered-first",
                identifier_system=systems.RESIDENT_ID,
                identifier_value=ELDER.resident_id,
                name=ELDER.name,
                active=True,
                created=datetime.combine(today, time(8), HOSPITAL_TZ),
            )
        )
    with factory.begin() as session:
        result = seed(session, today)
        assert session.get(Patient, ELDER.id) is None
    assert result.patients == 2
    assert result.reports == sum(r.patient != "elder" for r in DEMO_REPORTS)


def test_every_flag_follows_its_printed_range(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        results = session.scalars(select(Observation)).all()
        assert results
        for result in results:
            report = result.report
            analyte = report_definition(report.test_code).analyte(result.code)
            subject = subject_of(report.patient, report.effective.date())
            printed = analyte.range_for(subject.sex)
            assert (result.range_text, result.range_low, result.range_high) == (
                printed.text,
                None if printed.low is None else str(printed.low),
                None if printed.high is None else str(printed.high),
            ), result.id
            assert result.interpretation == interpret(analyte, result.value, printed), result.id


@pytest.mark.parametrize("sex", ["male", "female", None])
@pytest.mark.parametrize("code", sorted(c for c, d in REPORT_DEFINITIONS.items() if d.analytes))
def test_template_results_are_normal(code: str, sex: Sex | None) -> None:
    definition = REPORT_DEFINITIONS[code]
    content = compose(definition, Subject(sex, 45))
    for analyte in definition.analytes:
        if analyte.code == "EGFR" and sex is None:
            assert analyte.code not in content.values  # eGFR needs the patient's sex
            continue
        printed = analyte.range_for(sex)
        assert interpret(analyte, content.values[analyte.code], printed) == "N", analyte.code
    assert content.conclusion is None


def test_egfr_is_the_ckd_epi_2021_equation() -> None:
    # 0.9 mg/dL for a 60-year-old woman is 73 mL/min/1.73 m² in the published equation.
    assert ckd_epi_2021(Decimal("79.56"), 60, "female") == 73
    assert ckd_epi_2021(Decimal("138"), 76, "male") == 46
    assert ckd_epi_2021(Decimal("40"), 7, "female") is None


def test_subject_falls_back_on_the_resident_id() -> None:
    patient = Patient(
        identifier_system=systems.RESIDENT_ID,
        identifier_value=ELDER.resident_id,
        name="x",
        gender=None,
        birth_date=None,
    )
    assert subject_of(patient, date(2026, 6, 11)) == Subject("male", 75)
    assert subject_of(patient, date(2026, 6, 12)) == Subject("male", 76)
    passport = Patient(identifier_system=systems.PASSPORT, identifier_value="E12345678", name="x")
    assert subject_of(passport, date(2026, 6, 12)) == Subject(None, None)


async def lab_results(client: httpx.AsyncClient, patient: str) -> dict[str, dict[str, str]]:
    """Test code → {result code → flag} of a patient's released lab reports."""
    bundle = await fetch_bundle(
        client,
        "/fhir/DiagnosticReport",
        {"patient": patient, "category": "LAB", "status": "final,amended"},
    )
    return {
        code_of(report): {code: flag(o) for code, o in (await results_of(client, report)).items()}
        for report in matches(bundle)
    }


def abnormal(flags: dict[str, str]) -> dict[str, str]:
    return {code: f for code, f in flags.items() if f != "N"}


async def test_the_elder_story(client: httpx.AsyncClient, today: date) -> None:
    flags = await lab_results(client, ELDER.id)
    assert abnormal(flags["CBC"]) == {"HGB": "L", "WBC": "H"}
    assert abnormal(flags["LFT"]) == {"ALT": "H"}
    assert abnormal(flags["RFT"]) == {"CREA": "H", "EGFR": "L"}
    # LDL-C and TG this high make total cholesterol high too.
    assert abnormal(flags["LIPID"]) == {"LDL-C": "H", "TG": "H", "TC": "H"}
    assert abnormal(flags["GLYCEMIA"]) == {"GLU": "H", "HBA1C": "H"}
    assert abnormal(flags["ELEC"]) == {"K": "HH"}

    elec = (await client.get("/fhir/DiagnosticReport/dr-demo-elder-elec")).json()
    assert instant(elec["effectiveDateTime"]).date() == today - timedelta(days=1)
    potassium = (await results_of(client, elec))["K"]
    assert value(potassium) == 6.6
    assert potassium["valueQuantity"]["unit"] == "mmol/L"
    assert potassium["referenceRange"][0]["text"] == "3.5-5.3"
    assert "危急值" in elec["conclusion"]

    for code, due in (("US-ABDOMEN", (1, 16)), ("URINE", (0, 17))):
        report = (await client.get(f"/fhir/DiagnosticReport/dr-demo-elder-{code.lower()}")).json()
        assert report["status"] == "registered"
        expected = extension(report, systems.REPORT_EXPECTED_EXTENSION)
        assert expected is not None
        days, hour = due
        assert instant(expected["valueDateTime"]) == datetime.combine(
            today + timedelta(days=days), time(hour), HOSPITAL_TZ
        )


async def test_the_woman_story(client: httpx.AsyncClient) -> None:
    flags = await lab_results(client, WOMAN.id)
    assert abnormal(flags["CBC"]) == {}
    assert set(flags) == {"CBC", "URINE", "HCG", "HIV"}
    urine = (await client.get("/fhir/DiagnosticReport/dr-demo-woman-urine")).json()
    assert urine["status"] == "amended" and urine["meta"]["versionId"] == "2"
    note = extension(urine, systems.REPORT_AMENDMENT_EXTENSION)
    assert note is not None and "尿白细胞" in note["valueString"]
    results = await results_of(client, urine)
    assert results["U-LEU"]["status"] == "amended" and value(results["U-LEU"]) == "阴性"
    assert results["U-LEU"]["referenceRange"] == [{"text": "阴性"}]
    assert {o["status"] for c, o in results.items() if c != "U-LEU"} == {"final"}
    ultrasound = (await client.get("/fhir/DiagnosticReport/dr-demo-woman-us-abdomen")).json()
    assert ultrasound["status"] == "final" and "胆囊" in ultrasound["conclusion"]


async def test_the_child_story(client: httpx.AsyncClient) -> None:
    flags = await lab_results(client, CHILD.id)
    assert abnormal(flags["CBC"]) == {"NEUT%": "H", "LYMPH%": "L"}
    crp = (await client.get("/fhir/DiagnosticReport/dr-demo-child-crp")).json()
    assert crp["status"] == "registered" and "result" not in crp


def test_scenarios_cannot_set_unknown_or_derived_results() -> None:
    rft = REPORT_DEFINITIONS["RFT"]
    with pytest.raises(ValueError, match="EGFR"):
        compose(rft, Subject("male", 60), overrides={"EGFR": "120"})
    with pytest.raises(ValueError, match="HGB"):
        compose(rft, Subject("male", 60), overrides={"HGB": "120"})
