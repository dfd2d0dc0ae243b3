"""The binding form (`PatientDraft`) and its validated form (`ValidDraft`); pure functions.

A `ValidDraft` is what waits, encrypted, for the SMS code: it serialises to JSON and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from patients.errors import ErrorReason, InvalidDraft
from patients.identity import (
    DocumentKind,
    IdentityDocument,
    IdentityError,
    PersonNameError,
    Phone,
    PhoneError,
    PhoneRegion,
    Sex,
    normalize_person_name,
    parse_identity,
    parse_phone,
)
from patients.relations import Relation, parse_relation


@dataclass(frozen=True, slots=True)
class PatientDraft:
    """What the resident typed. `relation` is a code (``parent``) or its label (父母);
    `document_kind` is set when the resident chose the document type."""

    name: str
    relation: str
    document_text: str
    phone_text: str
    document_kind: DocumentKind | None = None


@dataclass(frozen=True, slots=True)
class ValidDraft:
    name: str
    relation: Relation
    document: IdentityDocument
    phone: Phone

    def to_json(self) -> str:
        document = self.document
        return json.dumps(
            {
                "name": self.name,
                "relation": self.relation.value,
                "kind": document.kind.value,
                "number": document.number,
                "birth_date": document.birth_date.isoformat() if document.birth_date else None,
                "sex": document.sex.value if document.sex else None,
                "phone": self.phone.e164,
                "national": self.phone.national,
                "region": self.phone.region.value,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> ValidDraft:
        data = json.loads(text)
        birth = data["birth_date"]
        document = IdentityDocument(
            DocumentKind(data["kind"]),
            data["number"],
            date.fromisoformat(birth) if birth else None,
            Sex(data["sex"]) if data["sex"] else None,
        )
        phone = Phone(data["phone"], data["national"], PhoneRegion(data["region"]))
        return cls(data["name"], Relation(data["relation"]), document, phone)


def validate_draft(draft: PatientDraft, *, today: date) -> ValidDraft:
    """Check every field; raises `InvalidDraft` for the first bad one, in form order."""
    try:
        name = normalize_person_name(draft.name)
    except PersonNameError as error:
        raise InvalidDraft(ErrorReason.INVALID_NAME, error.reason) from None
    relation = parse_relation(draft.relation)
    if relation is None:
        raise InvalidDraft(ErrorReason.INVALID_RELATION)
    try:
        document = parse_identity(draft.document_text, kind=draft.document_kind, today=today)
    except IdentityError as error:
        raise InvalidDraft(ErrorReason.INVALID_DOCUMENT, error.reason) from None
    try:
        phone = parse_phone(draft.phone_text)
    except PhoneError as error:
        raise InvalidDraft(ErrorReason.INVALID_PHONE, error.reason) from None
    return ValidDraft(name, relation, document, phone)
