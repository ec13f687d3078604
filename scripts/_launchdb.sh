# Sourced by the scripts here: runs the launchdb CLI of this checkout, from any folder.
# Settings (LAUNCHDB_URL, LAUNCHDB_TOKEN or LAUNCHDB_ADMIN_EMAIL/PASSWORD, LAUNCHDB_DATA_DIR)
# come from the environment, or from ./.env of the folder the script is run from.
LAUNCHDB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
launchdb() {
  node "$LAUNCHDB_ROOT/cli/bin/launchdb.js" "$@"
}
