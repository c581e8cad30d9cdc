package events

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"mari/calendar"
)

var contractNow = calendar.NewDate(2026, 12, 1).Start().Add(10 * time.Hour)

// compileSchemas loads the three schemas under their $ids, so their cross-references resolve.
func compileSchemas(t *testing.T) map[Topic]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, topic := range Topics {
		b, err := Schemas.ReadFile("schema/v1/" + string(topic) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", topic, err)
		}
		if err := c.AddResource("https://mari.example/schema/v1/"+string(topic)+".json", doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[Topic]*jsonschema.Schema{}
	for _, topic := range Topics {
		s, err := c.Compile("https://mari.example/schema/v1/" + string(topic) + ".json")
		if err != nil {
			t.Fatalf("%s: %v", topic, err)
		}
		out[topic] = s
	}
	return out
}

const (
	ev   = `"event_id":"6f1c2d3e-0000-4000-8000-000000000001"`
	tx   = `"transaction_id":"6f1c2d3e-0000-4000-8000-0000000000aa"`
	usr  = `"user_id":"6f1c2d3e-0000-4000-8000-0000000000bb"`
	rcp  = `"recipient_id":"6f1c2d3e-0000-4000-8000-0000000000cc"`
	when = `"timestamp":"2026-12-01T09:30:00+02:00"`
)

func obj(fields ...string) string { return "{" + strings.Join(fields, ",") + "}" }

func initiatedWith(extra ...string) string {
	return obj(append([]string{ev, tx, usr, `"event_type":"initiated"`, when, `"amount":"125.50"`, `"bank_id":"BANKA"`,
		`"channel":"online"`, rcp, `"physics_seal_hash":"abc"`}, extra...)...)
}

// Each line is valid or not under the schema and under Parse alike; parserOnly lines break a
// rule no schema can state (a bound that moves with the clock).
var contractCases = []struct {
	name       string
	topic      Topic
	line       string
	valid      bool
	parserOnly bool
}{
	{"initiated", TransactionEvents, initiatedWith(), true, false},
	{"initiated, amount a JSON number", TransactionEvents, strings.Replace(initiatedWith(), `"125.50"`, `125.5`, 1), true, false},
	{"initiated, unknown field", TransactionEvents, initiatedWith(`"flux":"ignored"`), true, false},
	{"initiated, UTC timestamp", TransactionEvents, strings.Replace(initiatedWith(), "09:30:00+02:00", "07:30:00Z", 1), true, false},
	{"completed", TransactionEvents, obj(ev, tx, usr, `"event_type":"completed"`, when, `"processing_time_ms":1200`), true, false},
	{"failed", TransactionEvents, obj(ev, tx, usr, `"event_type":"failed"`, when, `"processing_time_ms":30000`, `"failure_reason":"bank_timeout"`, `"error_code":"E_BANK_TIMEOUT"`), true, false},
	{"submitted", TransactionEvents, obj(ev, tx, usr, `"event_type":"submitted"`, when), true, false},
	{"missing event_id", TransactionEvents, strings.Replace(initiatedWith(), ev+",", "", 1), false, false},
	{"event_id not a UUID", TransactionEvents, strings.Replace(initiatedWith(), `6f1c2d3e-0000-4000-8000-000000000001`, `42`, 1), false, false},
	{"amount with three decimals", TransactionEvents, strings.Replace(initiatedWith(), `"125.50"`, `"125.505"`, 1), false, false},
	{"amount negative", TransactionEvents, strings.Replace(initiatedWith(), `"125.50"`, `"-5.00"`, 1), false, false},
	{"amount zero", TransactionEvents, strings.Replace(initiatedWith(), `"125.50"`, `"0.00"`, 1), false, false},
	{"amount as words", TransactionEvents, strings.Replace(initiatedWith(), `"125.50"`, `"lots"`, 1), false, false},
	{"initiated without an amount", TransactionEvents, strings.Replace(initiatedWith(), `"amount":"125.50",`, "", 1), false, false},
	{"unknown event type", TransactionEvents, strings.Replace(initiatedWith(), `"initiated"`, `"refunded"`, 1), false, false},
	{"unknown channel", TransactionEvents, strings.Replace(initiatedWith(), `"online"`, `"pigeon"`, 1), false, false},
	{"other currency", TransactionEvents, initiatedWith(`"currency":"USD"`), false, false},
	{"timestamp without offset", TransactionEvents, strings.Replace(initiatedWith(), "09:30:00+02:00", "09:30:00", 1), false, false},
	{"completed without processing time", TransactionEvents, obj(ev, tx, usr, `"event_type":"completed"`, when), false, false},
	{"failed without a reason", TransactionEvents, obj(ev, tx, usr, `"event_type":"failed"`, when, `"processing_time_ms":5`), false, false},
	{"completed with a reason", TransactionEvents, obj(ev, tx, usr, `"event_type":"completed"`, when, `"processing_time_ms":5`, `"failure_reason":"x"`), false, false},
	{"recipient on a later event", TransactionEvents, obj(ev, tx, usr, `"event_type":"submitted"`, when, rcp), false, false},
	{"control character in a field", TransactionEvents, initiatedWith(`"device_type":"a\u0000b"`), false, false},
	{"not an object", TransactionEvents, `[1,2]`, false, false},
	{"far in the future", TransactionEvents, strings.Replace(initiatedWith(), "2026-12-01T09:30", "2027-06-01T09:30", 1), false, true},
	{"before launch", TransactionEvents, strings.Replace(initiatedWith(), "2026-12-01T09:30", "2019-06-01T09:30", 1), false, true},
	{"sign-up", UserEvents, obj(ev, usr, `"event_type":"signed_up"`, when, `"phone_number_hash":"p"`, `"blood_hash":"b"`, `"device_public_key":"k"`), true, false},
	{"referral sign-up", UserEvents, obj(ev, usr, `"event_type":"signed_up"`, when, `"phone_number_hash":"p"`, `"blood_hash":"b"`, `"device_public_key":"k"`, `"signup_source":"referral"`, `"referrer_user_id":"6f1c2d3e-0000-4000-8000-0000000000dd"`), true, false},
	{"referral without a referrer", UserEvents, obj(ev, usr, `"event_type":"signed_up"`, when, `"phone_number_hash":"p"`, `"blood_hash":"b"`, `"device_public_key":"k"`, `"signup_source":"referral"`), false, false},
	{"promo bank on an organic sign-up", UserEvents, obj(ev, usr, `"event_type":"signed_up"`, when, `"phone_number_hash":"p"`, `"blood_hash":"b"`, `"device_public_key":"k"`, `"promo_bank_code":"BANKA"`), false, false},
	{"sign-up without hashes", UserEvents, obj(ev, usr, `"event_type":"signed_up"`, when), false, false},
	{"status change", UserEvents, obj(ev, usr, `"event_type":"status_changed"`, when, `"status":"suspended"`), true, false},
	{"status change to nonsense", UserEvents, obj(ev, usr, `"event_type":"status_changed"`, when, `"status":"banned"`), false, false},
	{"login", UserActivity, obj(ev, usr, `"activity_type":"login"`, when, `"device_type":"android"`), true, false},
	{"unknown activity", UserActivity, obj(ev, usr, `"activity_type":"dance"`, when), false, false},
	{"activity without a user", UserActivity, obj(ev, `"activity_type":"login"`, when), false, false},
}

func TestSchemasAndParserAgree(t *testing.T) {
	schemas := compileSchemas(t)
	p := Parser{Now: func() time.Time { return contractNow }}
	for _, c := range contractCases {
		_, err := p.Parse(c.topic, []byte(c.line))
		if (err == nil) != c.valid {
			t.Errorf("%s: Parse says %v, want valid=%v", c.name, err, c.valid)
		}
		if c.parserOnly {
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(c.line))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := schemas[c.topic].Validate(inst); (err == nil) != c.valid {
			t.Errorf("%s: the schema says %v, want valid=%v", c.name, err, c.valid)
		}
	}
}

// What a producer built with this package's types sends is what it reads back, exactly.
func TestEncodeParseRoundTrip(t *testing.T) {
	p := Parser{Now: func() time.Time { return contractNow }}
	for _, c := range contractCases {
		if !c.valid {
			continue
		}
		e, err := p.Parse(c.topic, []byte(c.line))
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Parse(c.topic, b)
		if err != nil {
			t.Fatalf("%s: re-reading %s: %v", c.name, b, err)
		}
		b2, _ := again.MarshalJSON()
		if string(b) != string(b2) {
			t.Errorf("%s: %s became %s", c.name, b, b2)
		}
	}
}

// The reasons name the field and say what is wanted.
func TestParseReasons(t *testing.T) {
	p := Parser{Now: func() time.Time { return contractNow }}
	for line, want := range map[string]string{
		strings.Replace(initiatedWith(), `"125.50"`, `"125.505"`, 1): "amount: more than two decimal places (cents)",
		strings.Replace(initiatedWith(), `"125.50"`, `1e3`, 1):       `amount: "1e3" is not a plain decimal (write 125.50)`,
		`{"event_id": "x"`: "malformed JSON: unexpected end of JSON input",
		"{\"a\":\"\x00\"}": "event contains a NUL byte",
		obj(ev, tx, usr, `"event_type":"failed"`, when):                             "processing_time_ms: required; failure_reason: required",
		strings.Replace(initiatedWith(), "2026-12-01T09:30", "2026-12-01T10:10", 1): "timestamp: 2026-12-01T10:10:00+02:00 is more than 5m0s in the future",
	} {
		_, err := p.Parse(TransactionEvents, []byte(line))
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", line, err, want)
		}
	}
}

// BenchmarkParse reads an initiated event, the largest of the contract's.
//
//	go test ./events -run '^$' -bench Parse
func BenchmarkParse(b *testing.B) {
	p := Parser{Now: func() time.Time { return contractNow }}
	line := []byte(initiatedWith(`"device_type":"android"`, `"app_version":"3.1.0"`, `"sentinel_score":0.12`))
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := p.Parse(TransactionEvents, line); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParse: no line makes Parse panic, and whatever it accepts is written back by MarshalJSON
// as a line it accepts again, unchanged. `go test` runs the seeds; `go test -fuzz Parse
// ./events` searches further.
func FuzzParse(f *testing.F) {
	for _, c := range contractCases {
		f.Add(string(c.topic), c.line)
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `"x"`, `{"amount":1e400}`, `{"amount":"-0"}`,
		`{"processing_time_ms":99999999999999999999}`, `{"event_id":{"a":[[[[]]]]}}`, "{\"event_id\":\"\xff\"}",
		`{"timestamp":"2026-12-01T09:30:00+25:00"}`, `{"sentinel_score":"NaN"}`} {
		f.Add(string(TransactionEvents), s)
	}
	p := Parser{Now: func() time.Time { return contractNow }}
	f.Fuzz(func(t *testing.T, topic, line string) {
		tp, ok := ParseTopic(topic)
		if !ok {
			return
		}
		e, err := p.Parse(tp, []byte(line))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty reason")
			}
			return
		}
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Parse(tp, b)
		if err != nil {
			t.Fatalf("%q was accepted, its re-encoding %s is not: %v", line, b, err)
		}
		if b2, _ := again.MarshalJSON(); string(b2) != string(b) {
			t.Fatalf("%s became %s", b, b2)
		}
	})
}
