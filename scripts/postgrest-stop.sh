#!/usr/bin/env bash
# Usage: scripts/postgrest-stop.sh <id>
# Stops the project's data API. The next request through the gateway starts it again.
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project api-stop "$@"
