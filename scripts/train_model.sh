#!/usr/bin/env bash
# Trains the Rasa model unless a model for exactly these inputs already exists.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(scripts/model_path.sh)
if [ -f "$model" ]; then
  echo "model up to date: $model"
  exit 0
fi
name=$(basename "$model" .tar.gz)
echo "training the Rasa model ($name); this takes about two minutes..."
PYTHONPATH="$PWD" .venvs/rasa/bin/rasa train \
  --config bot/config.yml --domain bot/domain --data bot/data nlu/data \
  --out bot/models --fixed-model-name "$name" --quiet
test -f "$model"
echo "trained: $model"
