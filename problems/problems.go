// Package problems words what is wrong with a form that a service refused, field by field.
package problems

import (
	"sort"
	"strings"
)

// Join is every field's message, in the fields' alphabetical order (so the same problems always
// read the same), as one text.
func Join(byField map[string]string) string {
	keys := make([]string, 0, len(byField))
	for k := range byField {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = byField[k]
	}
	return strings.Join(msgs, " ")
}
