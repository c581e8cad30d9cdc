package metrics

import "github.com/shopspring/decimal"

// SuccessRate is the transaction success rate: of the transactions that reached a final state
// (completed or failed), the share that completed. Pending transactions are left out until they
// finish. ok is false when none reached a final state: the rate is then n/a, never 0 or 100%.
// It is the one formula of every success rate, whatever counts it is given: the daily rollups
// over a date range, or the event stream over the last 24 hours.
func SuccessRate(completed, failed int64) (decimal.Decimal, bool) {
	return FinalShare(completed, completed, failed)
}

// FinalShare is n as a share of the transactions that reached a final state (completed +
// failed): with n the failed transactions of one failure reason, that reason's error rate. The
// error rates of every reason and the success rate add up to 1.
func FinalShare(n, completed, failed int64) (decimal.Decimal, bool) {
	return RatioInt(n, completed+failed)
}
