#!/bin/sh
# One-shot `ehcp-db-setup` step of docker-compose.yml (postgres image): the service's own
# database and user in the PostgreSQL that Temporal uses, apart from Temporal's: the worker
# (sent ledger) and the API (API keys, records) connect as EHCP_DB_USER to EHCP_DB_NAME only.
# Safe on every `docker compose up`: an existing user gets the password of the secret file
# again (so replacing the file and re-running rotates it), an existing database is kept.
# The service's password is read from its secret file inside psql (`\set ... `cat``), never
# put on a command line; the admin's reaches psql as PGPASSWORD. The tables themselves are
# made by the service's migrations (Alembic) when it starts.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${EHCP_DATABASE_PASSWORD_FILE:?}"
EHCP_DB_NAME=${EHCP_DB_NAME:-ehcp}
EHCP_DB_USER=${EHCP_DB_USER:-ehcp}
[ -s "$EHCP_DATABASE_PASSWORD_FILE" ] || { echo "$EHCP_DATABASE_PASSWORD_FILE is empty" >&2; exit 1; }

psql -v ON_ERROR_STOP=1 -X -q -d "${PGDATABASE:-postgres}" \
  -v db="$EHCP_DB_NAME" -v user="$EHCP_DB_USER" -v file="$EHCP_DATABASE_PASSWORD_FILE" <<'SQL'
\set password `cat :'file' | tr -d '\n'`
SELECT format('CREATE ROLE %I LOGIN', :'user')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'user', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'user') \gexec
SQL
echo "database $EHCP_DB_NAME and user $EHCP_DB_USER are ready"
