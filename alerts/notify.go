package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Notification is what a change of state (or a test) sends: the webhook's JSON body and the
// email's subject and text, made when the change is queued so that every attempt sends the
// same thing.
type Notification struct {
	Kind    string // firing, resolved, test
	Webhook string // Alertmanager's webhook JSON (version 4)
	Subject string
	Text    string
}

// The Alertmanager webhook payload (version 4), so that anything that takes Alertmanager's
// webhooks (chat bridges, incident tools) takes Mari BI's.
type amPayload struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []amAlert         `json:"alerts"`
}

type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"` // Alertmanager's zero time while firing
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Receiver names Mari BI in the payload's receiver field.
const Receiver = "mari-bi"

// ruleLink is the rule's place on the alerts page.
func ruleLink(base string, id int64) string {
	return base + "/alerts#rule-" + strconv.FormatInt(id, 10)
}

// labels identify the alert: the same rule always has the same labels (and fingerprint), so a
// receiver matches a resolution to its firing.
func labels(r Rule) map[string]string {
	l := map[string]string{"alertname": r.Name, "rule_id": strconv.FormatInt(r.ID, 10), "template": string(r.Template),
		"source": "mari-bi"}
	if r.Bank != "" {
		l["bank"] = r.Bank
	}
	return l
}

func fingerprint(l map[string]string) string {
	b, _ := json.Marshal(l) // map keys are sorted: the same labels give the same bytes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// notification builds what a rule's channels are sent. kind is firing or resolved, or test
// for a test; at is when it is queued; s is the rule's state (its firing's start and end, and
// the last measurement).
func notification(r Rule, kind string, s State, at time.Time, base string) Notification {
	l := labels(r)
	status := kind
	starts, ends := at, time.Time{}
	if s.FiringSince != nil {
		starts = *s.FiringSince
	}
	summary := fmt.Sprintf("%s is firing: %s", r.Name, Describe(r.Input))
	switch kind {
	case AnnounceResolved.String():
		ends = at
		if s.ResolvedAt != nil {
			ends = *s.ResolvedAt
		}
		summary = fmt.Sprintf("%s has resolved: %s no longer holds", r.Name, Describe(r.Input))
	case "test":
		// A test is a firing alert of its own (label test=true) that ends by itself, so a
		// receiver that opens incidents closes it without being told.
		status, starts, ends = StateFiring, at, at.Add(5*time.Minute)
		l["test"] = "true"
		summary = fmt.Sprintf("Test notification of the rule %s (%s); nothing is wrong.", r.Name, Describe(r.Input))
	}
	annotations := map[string]string{"summary": summary, "description": s.LastDetail}
	if s.LastValue != nil {
		annotations["value"] = s.LastValue.String()
	}
	link := ruleLink(base, r.ID)
	p := amPayload{Version: "4", GroupKey: "{}:{rule_id=\"" + l["rule_id"] + "\"}", Status: status, Receiver: Receiver,
		GroupLabels: map[string]string{"rule_id": l["rule_id"]}, CommonLabels: l, CommonAnnotations: annotations,
		ExternalURL: base + "/alerts",
		Alerts: []amAlert{{Status: status, Labels: l, Annotations: annotations, StartsAt: starts.UTC(), EndsAt: ends.UTC(),
			GeneratorURL: link, Fingerprint: fingerprint(l)}}}
	body, err := json.Marshal(p)
	if err != nil { // maps of strings and times always marshal
		panic("alerts: payload: " + err.Error())
	}

	word := map[string]string{"firing": "FIRING", "resolved": "RESOLVED", "test": "TEST"}[kind]
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n", summary)
	fmt.Fprintf(&text, "Rule:      %s\n", r.Name)
	fmt.Fprintf(&text, "Condition: %s\n", Describe(r.Input))
	if s.LastDetail != "" {
		fmt.Fprintf(&text, "Measured:  %s\n", s.LastDetail)
	}
	switch kind {
	case "firing":
		fmt.Fprintf(&text, "Firing since %s\n", sast(starts))
	case "resolved":
		fmt.Fprintf(&text, "Fired from %s to %s\n", sast(starts), sast(ends))
	}
	fmt.Fprintf(&text, "\n%s\n\n-- \nMari BI alerts. Silence or change this rule at %s\n", link, base+"/alerts")
	return Notification{Kind: kind, Webhook: string(body), Subject: fmt.Sprintf("[%s] %s", word, r.Name), Text: text.String()}
}

func (a Announcement) String() string { return string(a) }
