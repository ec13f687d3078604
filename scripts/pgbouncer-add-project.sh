#!/usr/bin/env bash
# Usage: scripts/pgbouncer-add-project.sh <id>
# (Re)writes the project's PgBouncer entry and user, then RELOADs PgBouncer. Idempotent.
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project pooler-add "$@"
