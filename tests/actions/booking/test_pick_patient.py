"""`pick_patient`: a relative named but not bound is never replaced by the only patient."""

from __future__ import annotations

from datetime import date

from actions.booking.patients import pick_patient
from patients.identity import DocumentKind
from patients.relations import Relation
from patients.service import PatientView


def view(patient_id: int, relation: Relation) -> PatientView:
    return PatientView(
        id=patient_id,
        relation=relation,
        relation_label=relation.value,
        name="陈大文",
        masked_name="陈*文",
        document_kind=DocumentKind.RESIDENT_ID,
        document_label="居民身份证",
        masked_document="1101**********002X",
        masked_phone="139****5678",
        birth_date=date(1949, 12, 31),
        age=76,
        sex=None,
        is_selected=patient_id == 1,
        his_patient_id=None,
    )


SELF = view(1, Relation.SELF)
MOTHER = view(2, Relation.PARENT)
FATHER = view(3, Relation.PARENT)


def test_the_only_patient_when_nobody_is_named() -> None:
    assert pick_patient([SELF], patient_id=None, relation=None) is SELF
    assert pick_patient([SELF, MOTHER], patient_id=None, relation=None) is None


def test_a_named_relative_or_a_chosen_id() -> None:
    assert pick_patient([SELF, MOTHER], patient_id=None, relation="parent") is MOTHER
    assert pick_patient([SELF, MOTHER], patient_id="1", relation=None) is SELF
    assert pick_patient([SELF, MOTHER], patient_id="9", relation=None) is None


def test_an_unbound_or_ambiguous_relative_means_asking() -> None:
    assert pick_patient([SELF], patient_id=None, relation="spouse") is None
    assert pick_patient([SELF, MOTHER, FATHER], patient_id=None, relation="parent") is None
