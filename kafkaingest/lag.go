package kafkaingest

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"mari/events"
)

// startLag measures the consumer lag every LagEvery while the consumer runs, when someone
// listens (Options.Lag); the returned func stops it and waits, before the client closes.
func (c *Consumer) startLag(ctx context.Context) (stop func()) {
	if c.opts.Lag == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		adm := kadm.NewClient(c.client)
		tick := time.NewTicker(c.opts.LagEvery)
		defer tick.Stop()
		failing := false
		for {
			lag, err := c.measureLag(ctx, adm)
			switch {
			case err == nil:
				for _, t := range events.Topics {
					c.opts.Lag(string(t), lag[string(t)])
				}
				failing = false
			case ctx.Err() == nil && !failing:
				// Once per outage, not every LagEvery; the figures keep their last values.
				c.log.Warn("kafka: measuring the consumer lag failed; retrying", "err", err)
				failing = true
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// measureLag is, per event topic, how many records of the partitions assigned to this member
// are past its group's committed offset (end offset - committed offset, or - the log start
// where nothing is committed yet). It is measured apart from the batches, so it keeps growing
// while a batch waits for PostgreSQL. Only this member's partitions count, so the figures of
// every instance of the group add up to the group's lag, and a partition is never counted by
// two.
func (c *Consumer) measureLag(ctx context.Context, adm *kadm.Client) (map[string]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.LagEvery)
	defer cancel()
	lags, err := adm.Lag(ctx, c.opts.Group)
	if err != nil {
		return nil, err
	}
	group, ok := lags[c.opts.Group]
	if !ok {
		return map[string]int64{}, nil
	}
	if err := group.Error(); err != nil {
		return nil, err
	}
	member, _ := c.client.GroupMetadata()
	sum := map[string]int64{}
	for topic, partitions := range group.Lag {
		for _, l := range partitions {
			if l.Member == nil || l.Member.MemberID != member || l.Err != nil || l.Lag < 0 {
				continue
			}
			sum[topic] += l.Lag
		}
	}
	return sum, nil
}
