package views

import (
	"regexp"
	"unicode/utf8"

	"mari/catalogue"
)

// sentenceEnd is the end of a definition's first sentence: a full stop before a capital.
var sentenceEnd = regexp.MustCompile(`[.!?]\s+[A-Z(“"]`)

// maxTip is the longest tip, in characters: a tooltip is a reminder; the glossary the rest.
const maxTip = 240

// helpTip is what a "?" icon shows on hover or focus before it is followed to the glossary:
// the first sentence of the catalogue's definition of the metric or concept id, so the page
// and the glossary say the same thing; what, when the catalogue has no such entry.
func helpTip(id, what string) string {
	m, ok := catalogue.Lookup(id)
	if !ok || m.Definition == "" {
		return what
	}
	tip := m.Definition
	if loc := sentenceEnd.FindStringIndex(tip); loc != nil {
		tip = tip[:loc[0]+1]
	}
	if utf8.RuneCountInString(tip) > maxTip {
		tip = string([]rune(tip)[:maxTip-1]) + "…"
	}
	return m.Name + ": " + tip
}
