#!/usr/bin/env bash
# Usage: scripts/project-delete.sh <id>   (drops the project's database: asks for the id again)
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
[ $# -eq 1 ] || { echo "usage: $0 <project id>" >&2; exit 2; }
if [ -t 0 ]; then
  read -r -p "Type the project id ($1) to delete it and its database: " answer
  [ "$answer" = "$1" ] || { echo "not deleted" >&2; exit 1; }
fi
launchdb project delete "$1" --confirm "$1"
