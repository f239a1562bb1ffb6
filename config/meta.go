package config

// MetaConfig configures the Facebook Messenger and Instagram adapter.
type MetaConfig struct{}

var metaSection = section{}
