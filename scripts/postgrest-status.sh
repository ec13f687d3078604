#!/usr/bin/env bash
# Usage: scripts/postgrest-status.sh [<id>]
# Every project's data API (state, address, pid, restarts, last request), or one project's.
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project api-status "$@"
