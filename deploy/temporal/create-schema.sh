#!/bin/sh
# One-shot `temporal-schema` step of docker-compose.yml (temporalio/admin-tools image): create
# the `temporal` and `temporal_visibility` databases in PostgreSQL and bring their schemas up
# to the version this image's server needs. Safe on every `docker compose up`: an existing
# database is kept, setup-schema leaves a versioned schema alone, and update-schema applies
# only the versions that are missing. The password reaches temporal-sql-tool as SQL_PASSWORD,
# never on a command line.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  sql --db "$db" create-database
  sql --db "$db" setup-schema -v 0.0
  # the versioned/ directory itself: pointed at its parent, update-schema does nothing, exit 0
  sql --db "$db" update-schema -d "$SCHEMA_DIR/${pair#*:}/versioned"
done
echo "Temporal schemas are up to date"
