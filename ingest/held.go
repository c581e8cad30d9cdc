package ingest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mari/events"
	"mari/queries"
)

// HoldLimit is how long an event may wait for the user or payment it refers to before it is
// dead-lettered. Kafka delivers a sign-up and that user's first payment on different topics,
// possibly to different consumers, seconds apart; a quarter of an hour covers a consumer's
// restart, and anything later is a producer's mistake for people to look at.
const HoldLimit = 15 * time.Minute

// releaseBatch is how many held events of a topic one release judges at once.
const releaseBatch = 5000

// ReleaseHeld judges held events again, oldest first: those whose user or payment has arrived
// apply; the others wait on. It returns what became of them.
func (s *Store) ReleaseHeld(ctx context.Context) (Result, error) {
	var total Result
	anyHeld, err := queries.IngestAnyHeld(ctx, s.PG)
	if err != nil || !anyHeld {
		return total, err
	}
	for _, topic := range events.Topics {
		// Page by (held_at, event_id): events still waiting stay behind, and a backlog (a
		// burst of completions that overtook their payments) is judged in one pass.
		var afterAt time.Time
		var afterID uuid.UUID
		for {
			held, err := queries.IngestHeldDue(ctx, s.PG, string(topic), releaseBatch, afterAt, afterID)
			if err != nil {
				return total, err
			}
			if len(held) == 0 {
				break
			}
			last := held[len(held)-1]
			afterAt, afterID = last.At, last.EventID
			ls := make([]Line, len(held))
			for i, h := range held {
				ls[i] = Line{Topic: topic, Data: []byte(h.Payload), Source: h.Source}
			}
			res, err := s.ingest(ctx, ls, true)
			if err != nil {
				return total, err
			}
			total.Accepted += res.Accepted
			total.Duplicates += res.Duplicates
			total.Held += res.Held
			total.Rejected = append(total.Rejected, res.Rejected...)
			if len(held) < releaseBatch {
				break
			}
		}
	}
	return total, nil
}

// ExpireHeld dead-letters events that have waited longer than HoldLimit.
func (s *Store) ExpireHeld(ctx context.Context) (int64, error) {
	now := s.Now()
	byTopic, err := queries.IngestExpireHeld(ctx, s.PG, now.Add(-HoldLimit), now)
	if err != nil {
		return 0, err
	}
	var total int64
	var t Tally
	for topic, n := range byTopic {
		total += n
		t.topic(events.Topic(topic)).DeadLetters += int(n)
	}
	if s.Tallied != nil && !t.Empty() {
		s.Tallied(t)
	}
	return total, nil
}
