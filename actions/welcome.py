"""Welcoming new followers, at the clinic whose QR code they scanned when there is one."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import his_client
from integrations.his import HISError, HISNotFound

logger = logging.getLogger(__name__)


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        scene = next(tracker.get_latest_entity_values("scene"), None)
        if scene:
            try:
                institution = await his_client().get_institution(str(scene))
            except HISNotFound:
                logger.warning("QR scene %r names no institution", scene)
            except HISError:
                logger.exception("welcome lookup failed")
            else:
                dispatcher.utter_message(
                    response="utter_welcome_institution", institution=institution.name
                )
                # Later questions such as "有哪些科室" mean this clinic.
                return [SlotSet("institution", institution.name)]
        dispatcher.utter_message(response="utter_welcome")
        return []
