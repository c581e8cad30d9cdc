package audit

// Actions on the keys of the JSON API (package apikeys).
const (
	APIKeyCreated   = "api_key_created"
	APIKeyRevoked   = "api_key_revoked"
	APIKeyExpirySet = "api_key_expiry_set" // a new expiry, or expired at once
)
