package alerts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"mari/dbconn"
	"mari/dbtest"
)

// PostgreSQL out of reach: the evaluator cannot claim its lease, changes nothing and says so;
// the deliverer reports the error. When the link is back, the next round fires the rule and
// its notification goes out, without a restart.
func TestEvaluationRecoversFromAPostgreSQLOutage(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, 0)
	id := f.rule(Form{Name: "Outage", Template: "no_events", Window: "5", For: "0", WebhookURL: h.URL})
	u, err := url.Parse(f.db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := dbtest.NewTCPProxy(t, u.Host)
	u.Host = proxy.Addr()
	pg, err := dbconn.PostgresWith(context.Background(), u.String(), dbconn.Settings{StatementTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	defer proxy.Set(dbtest.LinkDown)
	e := NewEvaluator(pg, 30*time.Second, testBase, quiet)
	e.Now = f.clock.Now
	d := NewDeliverer(pg, testSecret, nil, quiet)
	d.Now = f.clock.Now
	ctx := context.Background()

	proxy.Set(dbtest.LinkDown)
	f.clock.set(dbtest.SAST("2026-03-16 10:00:00"))
	if led, _ := e.Tick(ctx); led {
		t.Error("led a round without its database")
	}
	if _, err := d.DeliverDue(ctx); err == nil {
		t.Error("the deliverer read its outbox without its database")
	}
	proxy.Set(dbtest.LinkUp)
	f.clock.set(dbtest.SAST("2026-03-16 10:00:30"))
	if led, changed := e.Tick(ctx); !led || changed != 1 {
		t.Fatalf("after the outage: led %v, %d changes", led, changed)
	}
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("after the outage: %d sent (%v)", n, err)
	}
	wantList(t, "history", f.history(id), "10:00:30 ok→firing 0")
}

// A receiver that does not answer holds up its own notification only: the evaluator goes on
// changing states (and queueing) while the deliverer waits on it.
func TestAHangingReceiverDoesNotHoldUpEvaluation(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	id := f.firingRule("Hanging", hanging.URL, "")
	d := f.deliverer(nil)
	d.HTTP.Timeout = 5 * time.Second
	done := make(chan error, 1)
	go func() {
		_, err := d.DeliverDue(context.Background())
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // the deliverer is waiting on the receiver
	f.received("10:00:20")
	f.expect(id, [2]string{"10:00:30", "resolved (clear)"}, [2]string{"10:01:00", "ok (clear)"})
	select {
	case err := <-done:
		t.Fatalf("the delivery finished before the receiver answered (%v)", err)
	default:
	}
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "resolved webhook")
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, err := d.DeliverDue(context.Background()); err != nil || n != 1 {
		t.Errorf("the resolution: %d sent (%v)", n, err)
	}
}
