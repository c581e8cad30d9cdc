#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume (the image runs every
# script in /docker-entrypoint-initdb.d as the postgres user, against a server that listens on
# its Unix socket only). It makes the application's role `mari`, not a superuser, and the
# database `mari` it owns; init-mari.sql holds the statements. The image's superuser
# (POSTGRES_USER) stays for administration; the app never uses it.
set -eo pipefail
: "${MARI_PG_PASSWORD:?MARI_PG_PASSWORD must be set: the password of the mari role}"
export MARI_PG_PASSWORD
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v role=mari -v database=mari -f /mari-init/init-mari.sql
