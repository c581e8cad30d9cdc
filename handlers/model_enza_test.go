package handlers

import (
	"net/http"
	"strings"
	"testing"

	"mari/dbtest"
	"mari/finmodel"
)

// enZA rewrites an exported CSV the way a spreadsheet set to South African English saves it:
// semicolons between values, decimal commas, a byte-order mark and CRLF line ends.
func enZA(csv string) string {
	var b strings.Builder
	b.WriteString("\ufeff")
	for _, line := range strings.Split(strings.TrimSuffix(csv, "\n"), "\n") {
		cells := strings.Split(line, ",")
		for i, c := range cells {
			cells[i] = strings.Replace(c, ".", ",", 1)
		}
		b.WriteString(strings.Join(cells, ";") + "\r\n")
	}
	return b.String()
}

// The seed's assumptions, exported, saved the South African way and imported, are the seed:
// "0,10" is ten cents, not ten rand, and "6,00" six rand.
func TestModelImportReadsSouthAfricanCSV(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	res, csvBody := get(t, e, "/model/seed/assumptions.csv")
	wantStatus(t, res, csvBody, http.StatusOK)
	za := enZA(csvBody)
	if !strings.Contains(za, "\r\n3;1750000;20;0,10;5;50000,00;50;600000,00;6,00;20000000,00;5000000,00\r\n") {
		t.Fatalf("the en-ZA file is not what a South African spreadsheet saves:\n%s", za)
	}
	res, body := postFile(t, e, "/model/import", "Seed, South African", "seed-za.csv", za)
	wantStatus(t, res, body, http.StatusSeeOther)
	s := storedScenario(t, db, 1)
	if ch := finmodel.Changes(finmodel.SeedPlan(), s.Assumptions); len(ch) != 0 {
		t.Errorf("the en-ZA import differs from the seed: %v", ch)
	}

	// A decimal point in the en-ZA form is not guessed at: the row is refused, nothing saved.
	bad := strings.Replace(za, "0,10", "0.1,0", 1)
	res, body = postFile(t, e, "/model/import", "Broken", "broken.csv", bad)
	wantStatus(t, res, body, http.StatusBadRequest)
	if !strings.Contains(body, "fee_per_transaction") {
		t.Errorf("the refusal does not name the column:\n%s", body)
	}
	var n int
	if err := db.PG.QueryRow(t.Context(), "SELECT count(*) FROM model_scenarios").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d scenarios stored (%v), want 1", n, err)
	}
}
