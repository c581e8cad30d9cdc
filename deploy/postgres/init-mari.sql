-- The application's own PostgreSQL role and database: a psql script, run once by
-- init-mari.sh when the postgres container initialises an empty data volume, and by the
-- deploy package's tests against a throwaway role and database.
--
-- psql variables: role and database name them; the password is read from the environment
-- variable MARI_PG_PASSWORD, so it never appears on a command line.
--
-- The role owns its database and the database's public schema, so the migrations create
-- every table, index, function and trigger they need; it is not a superuser and cannot
-- create databases or roles, so a compromised app cannot read or change anything else on the
-- server, nor reach the operating system through superuser-only features.
\set ON_ERROR_STOP on
\getenv password MARI_PG_PASSWORD

CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'password';
\unset password

CREATE DATABASE :"database" OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
-- Only the owner (and superusers) may connect or make temporary tables.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;

\connect :"database"
-- PostgreSQL 15 and later give the public schema to pg_database_owner and keep CREATE on it
-- from PUBLIC already; saying both here makes it so on any version, and explicit.
ALTER SCHEMA public OWNER TO :"role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
