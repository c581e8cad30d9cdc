package metrics

import "github.com/shopspring/decimal"

// TransactionFee is what Mari earns per COMPLETED transaction (seed §4: R0.10). Failed and
// pending transactions earn nothing.
var TransactionFee = decimal.RequireFromString("0.10")

// BankShareDefault is the bank's share of the transaction fee when a partnership does not say
// otherwise (seed §8: 30% to the bank, 70% to Mari).
var BankShareDefault = decimal.RequireFromString("0.30")
