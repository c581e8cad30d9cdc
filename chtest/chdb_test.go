package chtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chdb-io/chdb-go/chdb"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/migrations"
)

// A current ClickHouse, embedded: chdb-go loads libchdb.so (scripts/install-chdb.sh puts it in
// /usr/local/lib; `make test` runs that first) when this test binary starts. chDB has one
// session per process, so the package's tests share it, each in its own database.
var engine *chdb.Session

// zone is the time zone of the 18.16 server, which the test sets as the embedded engine's
// too: DateTime text on both sides is that zone's wall clock.
var zone = time.UTC

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mari-chdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	engine, err = chdb.NewSession(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "chDB session: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	engine.Cleanup() // closes the session and removes dir
	os.Exit(code)
}

// result is a statement's answer, every value as text in one canonical form per type, so the
// two engines' answers compare as strings.
type result struct {
	Types []string
	Rows  [][]string
}

func (r result) String() string {
	lines := []string{strings.Join(r.Types, " | ")}
	for _, row := range r.Rows {
		lines = append(lines, strings.Join(row, " | "))
	}
	return strings.Join(lines, "\n")
}

// values is the rows alone, one line per row with tab-separated values.
func (r result) values() string {
	var lines []string
	for _, row := range r.Rows {
		lines = append(lines, strings.Join(row, "\t"))
	}
	return strings.Join(lines, "\n")
}

// chdbExec runs one statement on the embedded engine.
func chdbExec(t *testing.T, sql string) {
	t.Helper()
	if _, err := engine.Query(sql, "TSV"); err != nil {
		t.Fatalf("chDB: %v\n%s", err, sql)
	}
}

// chdbQuery runs a statement on the embedded engine and reads its TSV answer with column types.
func chdbQuery(t *testing.T, sql string) result {
	t.Helper()
	res, err := engine.Query(sql, "TSVWithNamesAndTypes")
	if err != nil {
		t.Fatalf("chDB: %v\n%s", err, sql)
	}
	lines := strings.Split(strings.TrimSuffix(res.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("chDB answered without names and types: %q", res.String())
	}
	var r result
	for _, typ := range strings.Split(lines[1], "\t") {
		r.Types = append(r.Types, unescapeTSV(typ))
	}
	for _, line := range lines[2:] {
		var row []string
		for i, field := range strings.Split(line, "\t") {
			row = append(row, canonicalText(t, r.Types[i], unescapeTSV(field)))
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

var tsvEscapes = strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r", `\'`, "'", `\0`, "\x00", `\b`, "\b", `\f`, "\f")

func unescapeTSV(s string) string { return tsvEscapes.Replace(s) }

// canonicalText puts a value the engine wrote as text into the canonical form of its type.
func canonicalText(t *testing.T, typ, s string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(typ, "Decimal"):
		d, err := decimal.NewFromString(s)
		if err != nil {
			t.Fatalf("%s value %q: %v", typ, s, err)
		}
		return d.String()
	case strings.HasPrefix(typ, "DateTime"):
		at, err := time.ParseInLocation("2006-01-02 15:04:05", s, zone)
		if err != nil {
			t.Fatalf("%s value %q: %v", typ, s, err)
		}
		return at.UTC().Format("2006-01-02 15:04:05")
	case strings.HasPrefix(typ, "Float"):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s value %q: %v", typ, s, err)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// canonicalValue puts a value clickhouse-go scanned into the same canonical form; DateTimes
// in UTC.
func canonicalValue(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	case decimal.Decimal:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case uuid.UUID:
		return x.String()
	}
	return fmt.Sprint(v)
}

// serverQuery runs a statement with no arguments on the 18.16 server through the native
// protocol and reads every value generically.
func serverQuery(t *testing.T, ch driver.Conn, sql string) result {
	t.Helper()
	rows, err := ch.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("ClickHouse 18.16: %v\n%s", err, sql)
	}
	defer rows.Close()
	var r result
	cols := rows.ColumnTypes()
	for _, c := range cols {
		r.Types = append(r.Types, c.DatabaseTypeName())
	}
	for rows.Next() {
		dest := make([]any, len(cols))
		for i, c := range cols {
			dest[i] = newOf(c.ScanType())
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		var row []string
		for _, d := range dest {
			row = append(row, canonicalValue(deref(d)))
		}
		r.Rows = append(r.Rows, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

func deref(p any) any { return reflect.ValueOf(p).Elem().Interface() }

// sentQueries records the statements clickhouse-go sends, after it has bound the arguments
// into their text: the exact text 18.16 runs, which chDB then runs too.
type sentQueries struct {
	mu   sync.Mutex
	sent []string
}

func (s *sentQueries) Enabled(context.Context, slog.Level) bool { return true }
func (s *sentQueries) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *sentQueries) WithGroup(string) slog.Handler            { return s }
func (s *sentQueries) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "sending query" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "query" {
			s.mu.Lock()
			s.sent = append(s.sent, a.Value.String())
			s.mu.Unlock()
		}
		return true
	})
	return nil
}

// take returns the statements sent since the last call.
func (s *sentQueries) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// recordingConn opens a connection to database name on the 18.16 server that records what it
// sends.
func recordingConn(t *testing.T, addr, name, user, password string) (driver.Conn, *sentQueries) {
	t.Helper()
	rec := &sentQueries{}
	ch, err := clickhouse.Open(&clickhouse.Options{
		Addr:         []string{addr},
		Auth:         clickhouse.Auth{Database: name, Username: user, Password: password},
		DialTimeout:  2 * time.Second,
		MaxOpenConns: 1,
		Logger:       slog.New(rec),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	return ch, rec
}

// migrationFiles are the ClickHouse migration files in the order the runner applies them.
func migrationFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../migrations/clickhouse/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no ClickHouse migrations found (%v)", err)
	}
	sort.Strings(files)
	return files
}

// applyMigrationFiles runs files on the embedded engine's current database, statement by
// statement as the migration runner splits them.
func applyMigrationFiles(t *testing.T, files []string) {
	t.Helper()
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range migrations.SplitStatements(string(body)) {
			if _, err := engine.Query(stmt, "TSV"); err != nil {
				t.Fatalf("chDB, migration %s: %v\n%s", filepath.Base(f), err, stmt)
			}
		}
	}
}

// useDatabase creates database name on the embedded engine (dropped when the test ends) and
// makes it the current one.
func useDatabase(t *testing.T, name string) {
	t.Helper()
	chdbExec(t, "CREATE DATABASE "+name)
	t.Cleanup(func() { _, _ = engine.Query("DROP DATABASE IF EXISTS "+name, "TSV") })
	chdbExec(t, "USE "+name)
}

// sqlLiteral writes a value as a ClickHouse literal for an INSERT ... VALUES on the embedded
// engine (18.16 gets the same values through PrepareBatch); times as wall clock in zone.
func sqlLiteral(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(x) + "'"
	case uuid.UUID:
		return "'" + x.String() + "'"
	case time.Time:
		return "'" + x.In(zone).Format("2006-01-02 15:04:05") + "'"
	case decimal.Decimal:
		return x.String()
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}

// valuesInsert is insert (an app statement that names its columns) with rows as VALUES.
func valuesInsert(insert string, rows [][]any) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(insert))
	b.WriteString(" VALUES ")
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(sqlLiteral(v))
		}
		b.WriteByte(')')
	}
	return b.String()
}
