package handlers

import (
	"time"

	"mari/catalogue"
)

// The typed cells of the operations dashboard's tables, beside the ones every table knows: the
// CSV prints them through their String method, the page and the refresh read their values.

// opsMinute is the start of a minute or an hour; the CSV prints it in SAST to the minute
// ("2026-03-15 10:30").
type opsMinute time.Time

func (m opsMinute) String() string { return sastClock(time.Time(m), "2006-01-02 15:04") }

// opsRatio is a rate; the CSV prints it as a fraction with 6 decimals (a percentage to 4
// places), as the operations CSVs always have, and n/a as an empty cell.
type opsRatio catalogue.Value

func (r opsRatio) String() string {
	if !r.OK {
		return ""
	}
	return r.V.StringFixed(6)
}

// msCell is a percentile in whole milliseconds, or an empty cell when it is undefined (an hour
// without final events).
func msCell(ms *int64) any {
	if ms == nil {
		return nil
	}
	return *ms
}

// Reading a table's cells back, for the refresh's raw numbers (so that they are the CSV's).

func cellCount(c any) uint64 {
	n, _ := c.(int64)
	return uint64(n)
}

func cellClock(c any, layout string) string {
	m, _ := c.(opsMinute)
	return sastClock(time.Time(m), layout)
}

func cellMS(c any) *int64 {
	if n, ok := c.(int64); ok {
		return &n
	}
	return nil
}

func cellRate(c any) *float64 {
	r, _ := c.(opsRatio)
	if !r.OK {
		return nil
	}
	f := r.V.InexactFloat64()
	return &f
}
