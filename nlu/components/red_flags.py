"""Rasa pipeline component: the triage engine's red-flag check on every message (and symptoms
recognised in a message DIET is unsure of).

Listed after DIETClassifier and before FallbackClassifier (bot/config.yml). It is not trained:
the red flags are the admin-editable data in triage/data/, read when Rasa loads the model, so a
change to them needs a restart, not a retraining. The decision is in red_flag_override.py.
See https://rasa.com/docs/rasa/3.x/custom-graph-components for the component contract.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.red_flag_override import UNSURE_BELOW, decide, reranked
from triage.engine import TriageEngine, default_engine

logger = logging.getLogger(__name__)
PREDICTED_BY = "red_flag_detector"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagDetector(GraphComponent):
    """Overrides the intent with `report_emergency` when the message holds a red flag."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Keep equal to FallbackClassifier's threshold.
        return {"unsure_below": UNSURE_BELOW}

    def __init__(self, engine: TriageEngine, unsure_below: float = UNSURE_BELOW) -> None:
        self._engine = engine
        self._unsure_below = unsure_below

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagDetector":
        return cls(default_engine(), float(config.get("unsure_below", UNSURE_BELOW)))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _check(self, message: Message) -> None:
        predicted = message.get(INTENT) or {}
        override = decide(
            self._engine,
            str(message.get(TEXT) or ""),
            predicted.get(INTENT_NAME_KEY),
            float(predicted.get("confidence") or 0.0),
            self._unsure_below,
        )
        if override is None:
            return
        ranking = reranked(override, message.get(INTENT_RANKING_KEY) or [])
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(PREDICTED_BY, list(override.red_flags), add_to_output=True)
        # Flag names only: the message text is health data and never logged.
        logger.info("red-flag check: %s (%s)", override.intent, ",".join(override.red_flags))
