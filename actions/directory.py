"""Actions that answer "which hospitals / which departments" from the HIS directory (FHIR)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting
from actions.matching import rank_institutions
from actions.services import his_client
from integrations.his import HISError, Institution, InstitutionKind

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]


def _entity(tracker: Tracker, name: str) -> str | None:
    """The entity as said in the latest message (not a value remembered from earlier turns)."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


def _kind(value: str | None) -> InstitutionKind | None:
    try:
        return InstitutionKind(value) if value else None
    except ValueError:
        return None


class ActionListInstitutions(Action):
    def name(self) -> str:
        return "action_list_institutions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        district = _entity(tracker, "district")
        kind = _kind(_entity(tracker, "institution_kind"))
        kind_label = formatting.KIND_LABELS[kind] if kind else "医疗机构"
        scope = f"{district}的{kind_label}" if district else f"已接入的{kind_label}"
        try:
            institutions = await his_client().search_institutions(district=district, kind=kind)
            if not institutions:
                everything = await his_client().search_institutions()
                known = sorted({i.district for i in everything if i.district})
                dispatcher.utter_message(
                    response="utter_no_institution_found",
                    scope=scope,
                    known_districts="、".join(known) or "暂无",
                )
                return []
        except HISError:
            logger.exception("listing institutions failed")
            dispatcher.utter_message(response="utter_his_unavailable")
            return []
        dispatcher.utter_message(
            response="utter_institution_list",
            scope=scope,
            count=len(institutions),
            shown=formatting.shown_note(len(institutions)),
            buttons=formatting.institution_choices(
                formatting.ordered_institutions(institutions),
                with_district=district is None,
                with_kind=True,
            ),
        )
        return []


class ActionListDepartments(Action):
    def name(self) -> str:
        return "action_list_departments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        said_institution = _entity(tracker, "institution")
        kind = _kind(_entity(tracker, "institution_kind"))
        # "有哪些科室" right after talking about one institution means that institution.
        query = said_institution or (None if kind else tracker.get_slot("institution"))
        try:
            if query:
                await self._departments_of(dispatcher, str(query))
            elif kind == InstitutionKind.COMMUNITY_HEALTH_CENTRE:
                await self._community_departments(dispatcher, _entity(tracker, "district"))
            else:
                hospitals = await his_client().search_institutions(kind=InstitutionKind.HOSPITAL)
                dispatcher.utter_message(
                    response="utter_ask_which_institution",
                    buttons=formatting.institution_choices(hospitals[:4]),
                )
        except HISError:
            logger.exception("listing departments failed")
            dispatcher.utter_message(response="utter_his_unavailable")
        return []

    async def _departments_of(self, dispatcher: CollectingDispatcher, query: str) -> None:
        matches = await his_client().search_institutions(name_contains=query)
        institution = _best_match(query, matches)
        if institution is None:
            candidates = rank_institutions(query, await his_client().search_institutions())
            if not candidates:
                hospitals = await his_client().search_institutions(kind=InstitutionKind.HOSPITAL)
                dispatcher.utter_message(
                    response="utter_ask_which_institution",
                    buttons=formatting.institution_choices(hospitals[:4]),
                )
                return
            dispatcher.utter_message(
                response="utter_institution_not_found",
                query=query,
                buttons=formatting.institution_choices(candidates),
            )
            return
        departments = await his_client().list_departments([institution.id])
        dispatcher.utter_message(
            response="utter_department_list",
            institution=institution.name,
            lines=formatting.department_lines(departments),
        )

    async def _community_departments(
        self, dispatcher: CollectingDispatcher, district: str | None
    ) -> None:
        centres = await his_client().search_institutions(
            district=district, kind=InstitutionKind.COMMUNITY_HEALTH_CENTRE
        )
        if not centres:
            everything = await his_client().search_institutions()
            dispatcher.utter_message(
                response="utter_no_institution_found",
                scope=f"{district or ''}社区卫生服务中心",
                known_districts="、".join(sorted({i.district for i in everything if i.district})),
            )
            return
        departments = await his_client().list_departments([c.id for c in centres])
        dispatcher.utter_message(
            response="utter_community_department_list",
            count=len(centres),
            lines=formatting.common_department_lines(departments, len(centres)),
            example=centres[0].name,
        )


def _best_match(query: str, matches: list[Institution]) -> Institution | None:
    if len(matches) == 1:
        return matches[0]
    exact = [m for m in matches if m.name == query]
    return exact[0] if exact else None
