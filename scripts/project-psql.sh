#!/usr/bin/env bash
# Usage: scripts/project-psql.sh <id> [-- <psql arguments>]   (on the platform's machine)
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
launchdb project psql "$@"
