#!/usr/bin/env bash
# Usage: scripts/postgrest-spawn.sh <id>
# Starts the project's data API through postgrest-manager (or finds it running); waits until it answers.
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project api-start "$@"
