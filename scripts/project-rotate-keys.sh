#!/usr/bin/env bash
# Usage: scripts/project-rotate-keys.sh <id> [--json]
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project rotate-keys "$@"
