#!/usr/bin/env bash
# Usage: scripts/project-migrate.sh <id> <folder of numbered .sql files>
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project migrate "$@"
