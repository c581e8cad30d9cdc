package events

import "embed"

// Schemas holds the contract's JSON Schemas, schema/v1/<topic>.json, for producers (and the
// test that holds them to Parse).
//
//go:embed schema/v1/*.json
var Schemas embed.FS
