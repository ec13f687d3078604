#!/usr/bin/env bash
# Usage: scripts/backup.sh [<project id> | --all | --platform]   (default --all: the platform and every project)
#        scripts/backup.sh list [<project id>]
#        scripts/backup.sh verify <backup id>
set -euo pipefail
source "$(dirname "$0")/_launchdb.sh"
case "${1:---all}" in
  list) if [ $# -ge 2 ]; then launchdb backup list --project "$2"; else launchdb backup list; fi ;;
  verify) [ $# -eq 2 ] || { echo "usage: $0 verify <backup id>" >&2; exit 2; }; launchdb backup verify "$2" ;;
  --all) launchdb backup run --all ;;
  --platform) launchdb backup run --platform ;;
  -*) echo "usage: $0 [<project id> | --all | --platform | list [<id>] | verify <backup id>]" >&2; exit 2 ;;
  *) launchdb backup run --project "$1" ;;
esac
