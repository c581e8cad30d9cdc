package deploy

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mari/dbconn"
	"mari/migrations"
)

func psqlBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	const debian = "/usr/lib/postgresql/15/bin/psql"
	if _, err := os.Stat(debian); err != nil {
		t.Fatalf("psql not found (it comes with scripts/dbctl.sh install): %v", err)
	}
	return debian
}

// withUser returns pgURL with its user, password and database replaced.
func withUser(t *testing.T, pgURL, user, password, database string) string {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return dbconn.WithDatabase(u.String(), database)
}

// deploy/postgres/init-mari.sql, the very file the postgres container runs, run by psql
// against the test server for a throwaway role and database: the role it makes can log in,
// owns its database and that database's public schema, and is no superuser and cannot make
// databases or roles. As that role, every PostgreSQL migration applies (twice: the second is
// a no-op) and everything they create belongs to it. A migration that needs a superuser (an
// untrusted extension, ALTER SYSTEM, a C function) fails here before it fails a deployment.
func TestInitSQLMakesANonSuperuserOwnerThatMigrates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := randomHex(t, 6)
	role, database, password := "mari_test_role_"+suffix, "mari_test_"+suffix, "pw-"+randomHex(t, 12)

	admin, err := pgx.Connect(ctx, pgAdminURL())
	if err != nil {
		t.Fatalf("test PostgreSQL not reachable (%v): run `make test`, or `scripts/dbctl.sh start` first", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{database}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", database, err)
		}
		if _, err := admin.Exec(ctx, `DROP ROLE IF EXISTS `+pgx.Identifier{role}.Sanitize()); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
		_ = admin.Close(ctx)
	})

	sqlFile := filepath.Join(repoRoot(t), "deploy", "postgres", "init-mari.sql")
	cmd := exec.CommandContext(ctx, psqlBinary(t), "--no-psqlrc", "-v", "ON_ERROR_STOP=1",
		"-v", "role="+role, "-v", "database="+database, "-f", sqlFile, pgAdminURL())
	cmd.Env = append(os.Environ(), "MARI_PG_PASSWORD="+password)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("psql -f init-mari.sql: %v\n%s", err, out)
	}

	var super, createDB, createRole, replication, bypassRLS, login bool
	if err := admin.QueryRow(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
		rolcanlogin FROM pg_roles WHERE rolname = $1`, role).Scan(
		&super, &createDB, &createRole, &replication, &bypassRLS, &login); err != nil {
		t.Fatalf("role %s: %v", role, err)
	}
	if super || createDB || createRole || replication || bypassRLS || !login {
		t.Fatalf("role %s: superuser=%v createdb=%v createrole=%v replication=%v bypassrls=%v login=%v; want only login",
			role, super, createDB, createRole, replication, bypassRLS, login)
	}
	// The password is stored as a SCRAM verifier, never as typed.
	var verifier string
	if err := admin.QueryRow(ctx, `SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = $1`, role).Scan(&verifier); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(verifier, "SCRAM-SHA-256$") || strings.Contains(verifier, password) {
		t.Fatalf("role %s's password is not a SCRAM verifier: %q", role, verifier)
	}
	var dbOwner string
	var publicConnects bool
	if err := admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba), has_database_privilege('public', datname, 'CONNECT')
		FROM pg_database WHERE datname = $1`, database).Scan(&dbOwner, &publicConnects); err != nil {
		t.Fatalf("database %s: %v", database, err)
	}
	if dbOwner != role || publicConnects {
		t.Fatalf("database %s: owner %s, PUBLIC may connect %v; want owner %s, PUBLIC not", database, dbOwner, publicConnects, role)
	}

	pool, err := dbconn.Postgres(ctx, withUser(t, pgAdminURL(), role, password, database))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var current, schemaOwner string
	var currentSuper, publicCreates bool
	if err := pool.QueryRow(ctx, `SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		(SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'),
		has_schema_privilege('public', 'public', 'CREATE')`).Scan(&current, &currentSuper, &schemaOwner, &publicCreates); err != nil {
		t.Fatal(err)
	}
	if current != role || currentSuper || schemaOwner != role || publicCreates {
		t.Fatalf("as the app: user %s (superuser %v), schema public owned by %s, PUBLIC may create there %v",
			current, currentSuper, schemaOwner, publicCreates)
	}

	for run := 1; run <= 2; run++ {
		if err := migrations.Postgres(ctx, pool); err != nil {
			t.Fatalf("migrations as the non-superuser owner (run %d): %v", run, err)
		}
	}
	var tables []string
	var notOwned int
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if tables, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> current_user) +
		(SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> current_user::regrole)`).Scan(&notOwned); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"goose_db_version", "users", "transactions", "staff_accounts", "sessions", "investor_reports"} {
		if !slices.Contains(tables, want) {
			t.Errorf("after migrating, table %s is missing (have %v)", want, tables)
		}
	}
	if notOwned != 0 {
		t.Errorf("%d tables or functions in public are not owned by %s", notOwned, role)
	}

	// What the role may not do, tried for real: the server refuses with insufficient_privilege.
	for _, stmt := range []string{
		`CREATE DATABASE ` + pgx.Identifier{database + "_x"}.Sanitize(),
		`CREATE ROLE ` + pgx.Identifier{role + "_x"}.Sanitize(),
		`ALTER ROLE ` + pgx.Identifier{role}.Sanitize() + ` SUPERUSER`,
		`COPY (SELECT 1) TO PROGRAM 'true'`,
	} {
		_, err := pool.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s as the app's role: %v; want insufficient_privilege (42501)", stmt, err)
		}
	}
}
