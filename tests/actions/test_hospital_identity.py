"""`same_person`: the hospital's record must carry the bound name (and birth date)."""

from __future__ import annotations

from datetime import date

from actions.hospital_identity import same_person
from integrations.his.models import HospitalPatient
from patients.identity import DocumentKind
from patients.relations import Relation
from patients.service import PatientIdentity

BOUND = PatientIdentity(
    patient_id=1,
    relation=Relation.PARENT,
    name="陈国华",
    document_kind=DocumentKind.RESIDENT_ID,
    document_number="440103195006120310",
    phone_e164="+8613800000101",
    birth_date=date(1950, 6, 12),
    sex=None,
    his_patient_id=None,
)


def record(name: str | None, born: date | None = date(1950, 6, 12)) -> HospitalPatient:
    return HospitalPatient(id="p", name=name, birth_date=born)


def test_the_same_name_and_birth_date() -> None:
    assert same_person(record("陈国华"), BOUND)
    assert same_person(record(" 陈 国华 "), BOUND)  # spaces do not count
    assert same_person(record("陈国华", None), BOUND)  # a birth date one side lacks
    latin = PatientIdentity(**{**BOUND.__dict__, "name": "Chan Tai Man", "birth_date": None})
    assert same_person(record("CHAN TAI MAN"), latin)  # case and full-width letters fold


def test_another_name_or_birth_date_is_another_person() -> None:
    assert not same_person(record("王小明"), BOUND)
    assert not same_person(record("陈国华", date(1951, 6, 12)), BOUND)
    assert not same_person(record(None), BOUND)
