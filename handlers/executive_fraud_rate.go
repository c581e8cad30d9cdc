package handlers

import "mari/catalogue"

// fraudRatePanel: the share of the range's transactions confirmed as fraud, against its target.
var fraudRatePanel = rangeTile("fraud-rate", catalogue.IDFraudRate, nil)
