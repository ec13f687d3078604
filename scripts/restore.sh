#!/usr/bin/env bash
# Usage: scripts/restore.sh <backup id> <project id>          replace the project (asks for its id again)
#        scripts/restore.sh <backup id> --as-new <new id>     restore into a new project
#        scripts/restore.sh --platform <backup folder>         a fresh platform from a backup folder
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
usage() { echo "usage: $0 <backup id> <project id> | <backup id> --as-new <new id> | --platform <backup folder>" >&2; exit 2; }
[ $# -ge 2 ] || usage
if [ "$1" = "--platform" ]; then
  launchdb backup restore-platform "$2"
elif [ "$2" = "--as-new" ]; then
  [ $# -eq 3 ] || usage
  launchdb backup restore "$1" --as-new "$3"
else
  [ $# -eq 2 ] || usage
  if [ -t 0 ]; then
    read -r -p "Type the project id ($2) to replace its database and files with backup $1: " answer
    [ "$answer" = "$2" ] || { echo "not restored" >&2; exit 1; }
  fi
  launchdb backup restore "$1" --project "$2" --confirm "$2"
fi
