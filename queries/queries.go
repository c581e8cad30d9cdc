// Package queries holds all of Mari BI's SQL. Long statements live in .sql files under pg/
// (PostgreSQL) and ch/ (ClickHouse), loaded by name; the Go files beside them run the
// statements and scan the rows into typed results. Each metric's SQL exists in one place.
package queries

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed pg/*.sql ch/*.sql
var files embed.FS

var byName = loadAll()

func loadAll() map[string]string {
	out := map[string]string{}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		body, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		out[strings.TrimSuffix(path, ".sql")] = string(body)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

// SQL returns the statement stored as <name>.sql, such as "pg/daily_metrics_upsert".
// A missing name is a programming error, so it panics (and every test that uses it fails).
func SQL(name string) string {
	s, ok := byName[name]
	if !ok {
		panic(fmt.Sprintf("queries: no statement named %q", name))
	}
	return s
}
