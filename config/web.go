package config

// WebConfig configures the admin web UI adapter.
type WebConfig struct{}

var webSection = section{}
