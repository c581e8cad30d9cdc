// Package migrations holds the versioned schema of both databases and applies it.
//
// PostgreSQL uses goose. ClickHouse 18.16 cannot record goose's version rows (a plain
// INSERT ... VALUES hangs on that version), so ClickHouse uses a small runner: embedded,
// ordered files of idempotent statements, with applied versions recorded through PrepareBatch.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

//go:embed postgres/*.sql
var postgresFS embed.FS

//go:embed clickhouse/*.sql
var clickhouseFS embed.FS

// Postgres applies every pending PostgreSQL migration.
func Postgres(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return postgresUp(ctx, db)
}

func postgresUp(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(postgresFS, "postgres")
	if err != nil {
		return err
	}
	// Out-of-order: migrations written on parallel branches land in any order; each is
	// independent of the ones numbered near it, so a database that already has a later one
	// still gets an earlier one that arrived after it.
	provider, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	return nil
}

// ClickHouse applies every pending ClickHouse migration. Each file's statements are
// idempotent (IF NOT EXISTS), so a run interrupted between a statement and its version row
// is safe to repeat.
func ClickHouse(ctx context.Context, conn driver.Conn) error {
	if err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version UInt32, name String, applied_at DateTime
	) ENGINE = MergeTree() ORDER BY version`); err != nil {
		return fmt.Errorf("clickhouse migrations: %w", err)
	}
	applied := map[uint32]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("clickhouse migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	files, err := clickhouseFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if applied[f.version] {
			continue
		}
		for _, stmt := range f.statements {
			if err := conn.Exec(ctx, stmt); err != nil && !columnAlreadyAdded(stmt, err) {
				return fmt.Errorf("clickhouse migration %s: %w", f.name, err)
			}
		}
		batch, err := conn.PrepareBatch(ctx, `INSERT INTO schema_migrations (version, name, applied_at)`)
		if err != nil {
			return fmt.Errorf("clickhouse migration %s: %w", f.name, err)
		}
		if err := batch.Append(f.version, f.name, time.Now().UTC()); err != nil {
			return err
		}
		if err := batch.Send(); err != nil {
			return fmt.Errorf("clickhouse migration %s: recording version: %w", f.name, err)
		}
	}
	return nil
}

// columnAlreadyAdded reports whether stmt is an ADD COLUMN that failed only because the
// column exists: a run interrupted after it and before its version row. 18.16 has no
// ADD COLUMN IF NOT EXISTS, so this is how such a file stays safe to repeat.
func columnAlreadyAdded(stmt string, err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == codeIllegalColumn &&
		strings.Contains(strings.ToUpper(stmt), " ADD COLUMN ")
}

// codeIllegalColumn is ClickHouse's ILLEGAL_COLUMN, which "column with this name already
// exists" carries in 18.16 and in current versions.
const codeIllegalColumn = 44

type clickhouseFile struct {
	version    uint32
	name       string
	statements []string
}

func clickhouseFiles() ([]clickhouseFile, error) {
	entries, err := fs.ReadDir(clickhouseFS, "clickhouse")
	if err != nil {
		return nil, err
	}
	var files []clickhouseFile
	for _, e := range entries {
		name := e.Name()
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseUint(prefix, 10, 32)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("clickhouse migration %q: want NNNN_name.sql", name)
		}
		body, err := clickhouseFS.ReadFile("clickhouse/" + name)
		if err != nil {
			return nil, err
		}
		files = append(files, clickhouseFile{version: uint32(v), name: name, statements: SplitStatements(string(body))})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].version < files[j].version })
	for i := 1; i < len(files); i++ {
		if files[i].version == files[i-1].version {
			return nil, fmt.Errorf("clickhouse migrations %s and %s share a version", files[i-1].name, files[i].name)
		}
	}
	return files, nil
}

// SplitStatements splits a file into statements at semicolons that end a line, after
// dropping whole-line "--" comments. Our ClickHouse files keep to that shape.
func SplitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, stmt)
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
