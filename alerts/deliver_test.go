package alerts

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/dbtest"
)

const testSecret = "a-test-secret-of-32-characters!!"

// hook is a webhook receiver that refuses its first `refuse` requests with 500 and records
// every request's body and signature check.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	refuse   int
	bodies   []string
	verified []bool
}

func newHook(t *testing.T, refuse int) *hook {
	h := &hook{refuse: refuse}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.bodies = append(h.bodies, string(body))
		h.verified = append(h.verified, r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json" &&
			Verify(testSecret, body, r.Header.Get(SignatureHeader)))
		if h.refuse > 0 {
			h.refuse--
			http.Error(w, "busy, try later", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) received() ([]string, []bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...), append([]bool(nil), h.verified...)
}

func (f *fixture) deliverer(mail Mailer) *Deliverer {
	d := NewDeliverer(f.db.PG, testSecret, mail, quiet)
	d.Now = f.clock.Now
	return d
}

// deliveryRow is a notification's record: "attempts=3 delivered error=".
func (f *fixture) deliveryRow(id int64) string {
	f.t.Helper()
	var attempts int
	var delivered, failed bool
	var lastError string
	var next time.Time
	err := f.db.PG.QueryRow(context.Background(), `SELECT attempts, delivered_at IS NOT NULL, failed_at IS NOT NULL, last_error, next_attempt_at
		FROM alert_deliveries WHERE rule_id = $1 ORDER BY id LIMIT 1`, id).Scan(&attempts, &delivered, &failed, &lastError, &next)
	if err != nil {
		f.t.Fatal(err)
	}
	state := "waiting until " + sast(next)
	switch {
	case delivered:
		state = "delivered"
	case failed:
		state = "failed"
	}
	return strings.Join([]string{"attempts=" + itoa(int64(attempts)), state, "error=" + lastError}, " ")
}

// firingRule makes a rule that fires at 10:00:00 (a stalled stream) with the given channels,
// and runs that round: one firing notification per channel is queued.
func (f *fixture) firingRule(name, webhook, email string) int64 {
	f.t.Helper()
	id := f.rule(Form{Name: name, Template: "no_events", Window: "5", For: "0", WebhookURL: webhook, EmailTo: email})
	f.expect(id, [2]string{"10:00:00", "firing (holds)"})
	return id
}

// deliver moves the clock to the SAST time s and sends what is due.
func (f *fixture) deliver(d *Deliverer, s string) int {
	f.t.Helper()
	f.clock.set(dbtest.SAST("2026-03-16 " + s))
	n, err := d.DeliverDue(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// A receiver that answers 500 twice gets the notification again after 10 s, then 20 s, and
// accepts the third: the same body each time, signed with HMAC-SHA256 of the body under
// the secret, an Alertmanager version 4 payload.
func TestWebhookIsRetriedUntilAcceptedAndSigned(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, 2)
	id := f.firingRule("Stream stalled", h.URL+"/alerts", "")
	d := f.deliverer(nil)

	if n := f.deliver(d, "10:00:00"); n != 0 {
		t.Fatalf("first attempt: %d accepted", n)
	}
	if got := f.deliveryRow(id); got != "attempts=1 waiting until 2026-03-16 10:00:10 SAST error=the webhook answered 500 Internal Server Error: busy, try later" {
		t.Errorf("after the first attempt: %s", got)
	}
	f.deliver(d, "10:00:09") // not due yet
	f.deliver(d, "10:00:10")
	if got := f.deliveryRow(id); !strings.HasPrefix(got, "attempts=2 waiting until 2026-03-16 10:00:30 SAST") {
		t.Errorf("after the second attempt: %s", got)
	}
	if n := f.deliver(d, "10:00:30"); n != 1 {
		t.Errorf("third attempt: %d accepted", n)
	}
	if got := f.deliveryRow(id); got != "attempts=3 delivered error=" {
		t.Errorf("after the third attempt: %s", got)
	}
	f.deliver(d, "10:05:00") // nothing more to send
	bodies, verified := h.received()
	if len(bodies) != 3 || bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Fatalf("%d requests; want 3 of the same body", len(bodies))
	}
	for i, ok := range verified {
		if !ok {
			t.Errorf("request %d: the signature does not verify", i+1)
		}
	}
	if Verify("another secret of some length", []byte(bodies[0]), Sign(testSecret, []byte(bodies[0]))) {
		t.Error("a signature verifies under another secret")
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(bodies[0]), &p); err != nil {
		t.Fatal(err)
	}
	alerts, _ := p["alerts"].([]any)
	if p["version"] != "4" || p["status"] != "firing" || len(alerts) != 1 {
		t.Fatalf("payload %v", p)
	}
	a := alerts[0].(map[string]any)
	labels := a["labels"].(map[string]any)
	if labels["alertname"] != "Stream stalled" || a["startsAt"] != "2026-03-16T08:00:00Z" || a["endsAt"] != "0001-01-01T00:00:00Z" ||
		a["generatorURL"] != testBase+"/alerts#rule-"+itoa(id) || a["annotations"].(map[string]any)["summary"] == "" {
		t.Errorf("alert %v", a)
	}
}

// Back-off doubles from 10 s to at most 10 min; a notification still refused a day after it was
// queued is given up and marked failed.
func TestWebhookGivesUpAfterADay(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(nil)
	var waits []string
	for n := 1; n <= 9; n++ {
		waits = append(waits, d.backoff(n).String())
	}
	if got := strings.Join(waits, " "); got != "10s 20s 40s 1m20s 2m40s 5m20s 10m0s 10m0s 10m0s" {
		t.Errorf("back-off: %s", got)
	}
	h := newHook(t, 1000)
	id := f.firingRule("Never accepted", h.URL, "")
	f.deliver(d, "10:00:00")
	f.clock.set(dbtest.SAST("2026-03-17 09:59:59"))
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.deliveryRow(id); !strings.HasPrefix(got, "attempts=2 waiting") {
		t.Errorf("a second before the day is out: %s", got)
	}
	f.clock.set(dbtest.SAST("2026-03-17 10:10:00"))
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.deliveryRow(id); got != "attempts=3 failed error=the webhook answered 500 Internal Server Error: busy, try later" {
		t.Errorf("after a day: %s", got)
	}
	f.clock.set(dbtest.SAST("2026-03-18 10:00:00"))
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if bodies, _ := h.received(); len(bodies) != 3 {
		t.Errorf("%d attempts; want 3 (none after giving up)", len(bodies))
	}
}

// The evaluator queues a firing and the process stops before sending it; a deliverer that
// claimed it and stopped mid-way holds it only until its claim ends. The next process sends it
// once, and nothing sends it again.
func TestRestartBetweenChangeAndDeliveryDeliversOnce(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, 0)
	id := f.firingRule("Restarted", h.URL, "")

	crashed := f.deliverer(nil)
	f.clock.set(dbtest.SAST("2026-03-16 10:00:01"))
	if claimed, err := crashed.claim(context.Background()); err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d (%v)", len(claimed), err)
	}
	restarted := f.deliverer(nil)
	if n := f.deliver(restarted, "10:00:30"); n != 0 {
		t.Errorf("sent %d while another deliverer's claim holds it", n)
	}
	if n := f.deliver(restarted, "10:02:01"); n != 1 { // the claim (2 min) has ended
		t.Errorf("sent %d after the claim ended; want 1", n)
	}
	again := f.deliverer(nil)
	f.deliver(again, "10:05:00")
	f.deliver(restarted, "10:06:00")
	if bodies, _ := h.received(); len(bodies) != 1 {
		t.Errorf("the receiver got %d requests; want 1", len(bodies))
	}
	if got := f.deliveryRow(id); got != "attempts=1 delivered error=" {
		t.Errorf("record: %s", got)
	}
}

// smtpRelay is an SMTP server in the test process: it answers the first `refuse` recipients
// with a temporary failure and records every message it accepts.
type smtpRelay struct {
	ln       net.Listener
	mu       sync.Mutex
	refuse   int
	messages []relayed
}

type relayed struct {
	from string
	to   []string
	data string
}

func newRelay(t *testing.T, refuse int) *smtpRelay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpRelay{ln: ln, refuse: refuse}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpRelay) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := textproto.NewReader(bufio.NewReader(conn))
	w := bufio.NewWriter(conn)
	say := func(lines ...string) {
		for _, l := range lines {
			_, _ = w.WriteString(l + "\r\n")
		}
		_ = w.Flush()
	}
	say("220 relay.test ESMTP")
	var m relayed
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			say("250-relay.test", "250 8BITMIME")
		case "HELO", "NOOP":
			say("250 ok")
		case "MAIL":
			m = relayed{from: addrOf(arg)}
			say("250 ok")
		case "RCPT":
			s.mu.Lock()
			refuse := s.refuse > 0
			if refuse {
				s.refuse--
			}
			s.mu.Unlock()
			if refuse {
				say("451 4.3.0 try again later")
				continue
			}
			m.to = append(m.to, addrOf(arg))
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			data, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = string(data)
			s.mu.Lock()
			s.messages = append(s.messages, m)
			s.mu.Unlock()
			say("250 queued")
		case "RSET":
			m = relayed{}
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// addrOf reads the address of "FROM:<a@b> BODY=8BITMIME".
func addrOf(arg string) string {
	_, after, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(after, ">")
	return addr
}

func (s *smtpRelay) received() []relayed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]relayed(nil), s.messages...)
}

// An email through the relay: refused once (a temporary failure at RCPT), retried after 10 s,
// then accepted with its subject (MIME-encoded: the rule's name is not ASCII) and text.
func TestEmailThroughAnSMTPRelay(t *testing.T) {
	f := newFixture(t)
	relay := newRelay(t, 1)
	id := f.firingRule("Stream stalled – Jo’burg", "", "ops@mari.example, cto@mari.example")
	d := f.deliverer(SMTP{Addr: relay.ln.Addr().String(), From: "alerts@mari.example"})

	f.deliver(d, "10:00:00")
	if got := f.deliveryRow(id); !strings.HasPrefix(got, "attempts=1 waiting until 2026-03-16 10:00:10 SAST error=SMTP RCPT TO ops@mari.example: 451") {
		t.Errorf("after the refusal: %s", got)
	}
	if n := f.deliver(d, "10:00:10"); n != 1 {
		t.Fatalf("second attempt: %d accepted", n)
	}
	msgs := relay.received()
	if len(msgs) != 1 {
		t.Fatalf("%d messages; want 1", len(msgs))
	}
	m := msgs[0]
	if m.from != "alerts@mari.example" || strings.Join(m.to, ",") != "ops@mari.example,cto@mari.example" {
		t.Errorf("envelope %s → %v", m.from, m.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "[FIRING] Stream stalled – Jo’burg" {
		t.Errorf("subject %q (%v), raw %q", subject, err, msg.Header.Get("Subject"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Rule:      Stream stalled – Jo’burg", "Measured:  no event received in the last 5 min",
		"Firing since 2026-03-16 10:00:00 SAST", testBase + "/alerts#rule-" + itoa(id)} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the text lacks %q:\n%s", want, body)
		}
	}
	if msg.Header.Get("Content-Type") != "text/plain; charset=utf-8" || msg.Header.Get("To") != "ops@mari.example, cto@mari.example" {
		t.Errorf("headers %v", msg.Header)
	}
}

// A test notification goes through the outbox like a real one, to every channel of the rule,
// labelled test; a rule without channels has nothing to test.
func TestSendTestGoesThroughTheOutbox(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, 0)
	relay := newRelay(t, 0)
	id := f.rule(Form{Name: "Tested", Template: "rollup_failure", For: "0", WebhookURL: h.URL, EmailTo: "ops@mari.example"})
	bare := f.rule(Form{Name: "No channels", Template: "rollup_failure", For: "0"})
	f.clock.set(dbtest.SAST("2026-03-16 10:00:00"))
	ctx := context.Background()
	if n, err := f.svc.SendTest(ctx, f.ops, id); err != nil || n != 2 {
		t.Fatalf("send test: %d (%v)", n, err)
	}
	var in InputError
	if _, err := f.svc.SendTest(ctx, f.ops, bare); !asInput(err, &in) || in.Fields["test"] != MsgNoChannels {
		t.Errorf("a test of a rule without channels: %v", err)
	}
	if n := f.deliver(f.deliverer(SMTP{Addr: relay.ln.Addr().String(), From: "alerts@mari.example"}), "10:00:00"); n != 2 {
		t.Errorf("%d sent; want 2", n)
	}
	bodies, verified := h.received()
	if len(bodies) != 1 || !verified[0] || !strings.Contains(bodies[0], `"test":"true"`) {
		t.Errorf("webhook: %v %v", bodies, verified)
	}
	if msgs := relay.received(); len(msgs) != 1 || !strings.Contains(msgs[0].data, "Subject: [TEST] Tested") {
		t.Errorf("email: %v", msgs)
	}
	wantList(t, "audit", auditActions(t, f.db), "alert_rule_created Tested", "alert_rule_created No channels", "alert_test_requested Tested")
}
