package handlers

import "mari/catalogue"

// successRatePanel: the range's success rate against its target.
var successRatePanel = rangeTile("success-rate", catalogue.IDSuccessRate, nil)
