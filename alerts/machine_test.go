package alerts

import (
	"strings"
	"testing"
	"time"
)

// The state machine on its own, one reading every 30 seconds: a rule that must hold for one
// minute, through a see-saw, a firing, a measurement failure, a see-saw while firing and its
// resolution; and the announcements a silence holds back and later makes.
func TestStepAndAnnounce(t *testing.T) {
	start := time.Date(2026, 3, 16, 8, 0, 0, 0, time.UTC)
	readings := "HCHCHHHFCHCHCCCC"
	want := []string{
		"pending", "ok", "pending", "ok", "pending", "pending", "firing", // held 1 min from the 5th
		"firing",                     // a failed measurement changes nothing
		"firing", "firing", "firing", // clear, hold, clear: not clear for a minute yet
		"firing", "firing", "firing", "resolved", "ok",
	}
	s := State{State: StateOK, Since: start}
	var got []string
	changes := 0
	for i, c := range readings {
		r := Reading{Outcome: map[rune]Outcome{'H': Holds, 'C': Clear, 'F': Failed}[c]}
		now := start.Add(time.Duration(i) * 30 * time.Second)
		next, changed := Step(s, r, now, time.Minute)
		if changed {
			changes++
		}
		if next.LastEvaluated == nil || !next.LastEvaluated.Equal(now) || next.LastOutcome != r.Outcome {
			t.Fatalf("round %d: the evaluation is not recorded: %+v", i, next)
		}
		s = next
		got = append(got, s.State)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("states:\n got %v\nwant %v", got, want)
	}
	if changes != 8 {
		t.Errorf("%d changes of state; want 8", changes)
	}
	if s.FiringSince == nil || !s.FiringSince.Equal(start.Add(3*time.Minute)) || s.ResolvedAt == nil || !s.ResolvedAt.Equal(start.Add(7*time.Minute)) {
		t.Errorf("firing %v → %v; want 08:03 → 08:07", s.FiringSince, s.ResolvedAt)
	}

	// With no duration a rule fires and resolves at the first reading that says so.
	z, _ := Step(State{State: StateOK}, Reading{Outcome: Holds}, start, 0)
	if z.State != StateFiring {
		t.Errorf("no duration, holds: %s", z.State)
	}
	if z, _ = Step(z, Reading{Outcome: NotEnough}, start.Add(time.Second), 0); z.State != StateResolved {
		t.Errorf("no duration, not enough data: %s", z.State)
	}

	// Announcements: what the channels are told, silenced or not.
	firing := State{State: StateFiring}
	if a, s := Announce(firing, true); a != AnnounceNothing || s.Announced {
		t.Errorf("silenced firing: %q %v", a, s.Announced)
	}
	a, told := Announce(firing, false)
	if a != AnnounceFiring || !told.Announced {
		t.Errorf("firing: %q %v", a, told.Announced)
	}
	if a, _ := Announce(told, false); a != AnnounceNothing {
		t.Errorf("firing, told: %q", a)
	}
	told.State = StateResolved
	if a, s := Announce(told, true); a != AnnounceNothing || !s.Announced {
		t.Errorf("silenced resolution: %q %v", a, s.Announced)
	}
	if a, s := Announce(told, false); a != AnnounceResolved || s.Announced {
		t.Errorf("resolution: %q %v", a, s.Announced)
	}
	if a, _ := Announce(State{State: StatePending}, false); a != AnnounceNothing {
		t.Errorf("pending, never told: %q", a)
	}
}
