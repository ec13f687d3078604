#!/usr/bin/env bash
# Usage: scripts/project-create.sh <name> [--id <id>] [--template <name>] [--json]
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project create "$@"
