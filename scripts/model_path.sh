#!/usr/bin/env bash
# Prints the path of the model for the current training inputs: bot/models/<hash>.tar.gz.
# The hash covers everything that changes what Rasa learns, so unchanged data is never retrained.
set -euo pipefail
cd "$(dirname "$0")/.."
hash=$(find bot/config.yml bot/domain bot/data nlu requirements/rasa.txt -type f \
        ! -path '*__pycache__*' ! -name '*.pyc' -print0 \
      | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
echo "bot/models/${hash}.tar.gz"
